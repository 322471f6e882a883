import { SNSClient } from '@aws-sdk/client-sns';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { makeHandler, publishInBatches, type TopicMessage } from '../../../functions/notify/notify';
import { notificationService } from '../../../shared/app/notifications';
import { lambdaContext } from '../../support/api-event';
import { startSnsEndpoint } from '../../support/sns-endpoint';
import { createTestTable, type TestTable } from '../../support/table';

// notify over a whole batch, on the real local endpoint: what it records, publishes and
// marks, and how many DynamoDB requests a batch costs.

let table: TestTable;
/** DynamoDB commands sent, by name */
const requests: string[] = [];
/** each publish call: the topic and its messages' subjects */
const publishCalls: { topic: string; subjects: string[] }[] = [];
/** subjects whose publish fails (SNS refused them) */
const refused = new Set<string>();
const topics = { warehouse: 'arn:aws:sns:us-east-1:000000000000:wh', 'customer-service': 'arn:aws:sns:us-east-1:000000000000:cs' };
let notify: ReturnType<typeof makeHandler>;
let repo: ReturnType<typeof notificationService>;

beforeAll(async () => {
  table = await createTestTable(inject('dynamoUrl'));
  const counting = {
    send: (command: object) => {
      requests.push(command.constructor.name.replace(/Command$/, ''));
      return table.doc.send(command as never);
    },
  };
  repo = notificationService({ doc: counting as unknown as TestTable['doc'], tableName: table.tableName });
  notify = makeHandler({
    notifications: repo,
    topics,
    publish: async (topic: string, messages: readonly TopicMessage[]) => {
      publishCalls.push({ topic, subjects: messages.map((m) => m.subject) });
      return messages.map((m) => (refused.has(m.subject) ? new Error('SNS refused it') : undefined));
    },
    now: () => new Date(),
  });
  await notify({ Records: [] }, lambdaContext); // reads the settings, which a container reuses: not what a batch costs
});
afterAll(() => table?.drop());
beforeEach(() => {
  requests.length = 0;
  publishCalls.length = 0;
  refused.clear();
});

const message = (detailType: string, eventId: string, data: Record<string, unknown>, source = 'oms.orders'): SQSRecord => ({
  messageId: `m-${eventId}-${Math.random().toString(36).slice(2, 8)}`,
  receiptHandle: 'rh',
  body: JSON.stringify({
    id: `bus-${eventId}`, 'detail-type': detailType, source,
    detail: { metadata: { eventId, occurredAt: '2026-11-27T03:59:00.000Z', correlationId: 'c', causationId: 'c', schemaVersion: 1 }, data },
  }),
  attributes: {} as never, messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:oms-test-notify', awsRegion: 'us-east-1',
});
const batch = (...records: SQSRecord[]): SQSEvent => ({ Records: records });
const rejected = (n: number) => message('OrderRejected', `b-rej-${n}`, { orderId: `OB${n}`, orderNumber: `W20261127-01${n}`, reason: 'Out of stock' });
const low = (n: number) => message('StockLow', `b-low-${n}`, { sku: `SKU-B${n}`, available: 1, reorderPoint: 5 }, 'oms.inventory');
const published = () => publishCalls.flatMap((c) => c.subjects);

describe('notify, a batch at a time', () => {
  it('records a batch in one transaction, publishes once per topic, marks in one transaction; an event twice in a batch is told once', async () => {
    const first = rejected(1);
    const res = await notify(batch(first, low(1), rejected(2), low(2), { ...first, messageId: 'm-again' }, message('StockReserved', 'b-res', { orderId: 'OB9' })), lambdaContext);
    expect(res.batchItemFailures).toEqual([]);
    expect(publishCalls.map((c) => [c.topic, c.subjects.length]).sort()).toEqual([[topics['customer-service'], 2], [topics.warehouse, 2]]);
    expect(published().filter((s) => s.includes('W20261127-011'))).toHaveLength(1);
    expect(requests).toEqual(['TransactWrite', 'TransactWrite']);
    const cs = await repo.list('customer-service', { limit: 10 });
    expect(cs.items.filter((n) => n.eventId.startsWith('b-rej-'))).toEqual([
      expect.objectContaining({ eventId: 'b-rej-2', publishedAt: expect.any(String), orderId: 'OB2' }),
      expect.objectContaining({ eventId: 'b-rej-1', publishedAt: expect.any(String), orderId: 'OB1' }),
    ]);
    // the order's story still lists what was sent about it (the index entry comes with the record)
    expect(await repo.aboutOrder('OB1')).toEqual([expect.objectContaining({ department: 'customer-service', eventId: 'b-rej-1' })]);
  });

  it('a redelivered batch publishes nothing and costs one request', async () => {
    await notify(batch(rejected(3), low(3)), lambdaContext);
    requests.length = 0;
    publishCalls.length = 0;
    const again = await notify(batch(low(3), rejected(3)), lambdaContext);
    expect(again.batchItemFailures).toEqual([]);
    expect(publishCalls).toEqual([]);
    expect(requests).toEqual(['TransactWrite']);
  });

  it('a failed publish returns only its record; its redelivery publishes it, and nothing that was published', async () => {
    const failing = rejected(4);
    const fine = low(4);
    refused.add('[OMS] Order rejected: W20261127-014');
    const res = await notify(batch(fine, failing, rejected(5)), lambdaContext);
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: failing.messageId }]);
    const cs = await repo.list('customer-service', { limit: 10 });
    expect(cs.items.find((n) => n.eventId === 'b-rej-4')).not.toHaveProperty('publishedAt');
    expect(cs.items.find((n) => n.eventId === 'b-rej-5')).toHaveProperty('publishedAt');

    refused.clear();
    publishCalls.length = 0;
    const retried = await notify(batch(failing, fine, rejected(5)), lambdaContext);
    expect(retried.batchItemFailures).toEqual([]);
    expect(published()).toEqual(['[OMS] Order rejected: W20261127-014']);
    expect((await repo.list('customer-service', { limit: 10 })).items.find((n) => n.eventId === 'b-rej-4')).toHaveProperty('publishedAt');
  });

  it('a malformed message fails alone; the rest of the batch is told', async () => {
    const bad = { ...low(6), body: '{"nope":1}' };
    const res = await notify(batch(low(7), bad), lambdaContext);
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: bad.messageId }]);
    expect(published()).toEqual([expect.stringContaining('SKU-B7')]);
  });
});

describe('publishing over SNS PublishBatch (the local endpoint)', () => {
  let sns: SNSClient;
  let close: () => Promise<void>;
  const lines: string[] = [];
  const batches: number[] = [];

  beforeAll(async () => {
    ({ sns, close } = await startSnsEndpoint(lines, (req) =>
      req.on('data', (chunk: Buffer) => {
        const entries = chunk.toString().match(/PublishBatchRequestEntries\.member\.\d+\.Id=/g);
        if (entries) batches.push(entries.length);
      }),
    ));
  });
  afterAll(() => close?.());

  it('sends up to 10 messages per request and tells each message\'s outcome', async () => {
    const messages = Array.from({ length: 13 }, (_, i) => ({ subject: `[OMS] Stock low: S-${i}`, message: i === 11 ? '' : `sku: S-${i}` }));
    const outcomes = await publishInBatches(sns)('arn:aws:sns:us-east-1:000000000000:oms-test-wh', messages);
    expect(batches).toEqual([10, 3]);
    expect(outcomes.map((o, i) => (o ? i : undefined)).filter((i) => i !== undefined)).toEqual([11]);
    expect(outcomes[11]?.message).toMatch(/InvalidParameter/);
    expect(lines.filter((l) => l.startsWith('sns oms-test-wh:'))).toHaveLength(12);
  });

  it('a request that fails fails its messages', async () => {
    const broken = new SNSClient({ endpoint: 'http://127.0.0.1:9', region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
    const outcomes = await publishInBatches(broken)('arn:aws:sns:us-east-1:000000000000:t', [{ subject: 's', message: 'm' }, { subject: 's', message: 'n' }]);
    broken.destroy();
    expect(outcomes.map((o) => o instanceof Error)).toEqual([true, true]);
  });
});
