import { describe, expect, it } from 'vitest';
import type { InvokeResult } from '../../../infra/local/lambda-runtime';
import { LocalQueues, type ReceivedMessage } from '../../../infra/local/queues';
import { failedMessageIds, sqsRecord, startSqsPoller } from '../../../infra/local/sqs-poller';
import type { MappingSpec, QueueSpec } from '../../../infra/local/template';

const queue: QueueSpec = {
  stack: 'S',
  logicalId: 'Q',
  name: 'work',
  url: 'http://127.0.0.1:1/000000000000/work',
  arn: 'arn:aws:sqs:us-east-1:000000000000:work',
  fifo: false,
  visibilityTimeoutSeconds: 1,
  delaySeconds: 0,
  retentionSeconds: 345600,
};

const mapping = (extra: Partial<MappingSpec> = {}): MappingSpec => ({
  logicalId: 'M',
  functionName: 'fn',
  sourceArn: queue.arn,
  kind: 'sqs',
  batchSize: 10,
  reportBatchItemFailures: true,
  filters: [],
  maxRetryAttempts: -1,
  bisectOnError: false,
  maxBatchingWindowSeconds: 0,
  enabled: true,
  ...extra,
});

const msg = (id: string): ReceivedMessage => ({ MessageId: id, ReceiptHandle: `rh-${id}`, MD5OfBody: 'x', Body: 'b', Attributes: { ApproximateReceiveCount: '1' } });
const ok = (result: unknown): InvokeResult => ({ ok: true, result, durationMs: 1, requestId: 'r' });

describe('SQS event source mapping', () => {
  it('builds the records Lambda passes', () => {
    const r = sqsRecord({ ...msg('m1'), MessageAttributes: { kind: { DataType: 'String', StringValue: 'a' } }, MD5OfMessageAttributes: 'y' }, queue.arn, 'us-east-1');
    expect(r).toEqual({
      messageId: 'm1',
      receiptHandle: 'rh-m1',
      body: 'b',
      attributes: { ApproximateReceiveCount: '1' },
      messageAttributes: { kind: { stringValue: 'a', binaryValue: undefined, stringListValues: [], binaryListValues: [], dataType: 'String' } },
      md5OfBody: 'x',
      md5OfMessageAttributes: 'y',
      eventSource: 'aws:sqs',
      eventSourceARN: queue.arn,
      awsRegion: 'us-east-1',
    });
  });

  it('reads partial batch failures as Lambda does', () => {
    const batch = [msg('a'), msg('b')];
    expect(failedMessageIds(mapping(), ok({ batchItemFailures: [{ itemIdentifier: 'b' }] }), batch)).toEqual(new Set(['b']));
    expect(failedMessageIds(mapping(), ok({ batchItemFailures: [] }), batch)).toEqual(new Set());
    expect(failedMessageIds(mapping(), ok(null), batch)).toEqual(new Set());
    // An identifier that is not in the batch (or empty) fails the whole batch.
    expect(failedMessageIds(mapping(), ok({ batchItemFailures: [{ itemIdentifier: 'zzz' }] }), batch)).toBeUndefined();
    expect(failedMessageIds(mapping(), ok({ batchItemFailures: [{ itemIdentifier: '' }] }), batch)).toBeUndefined();
    expect(failedMessageIds(mapping(), { ok: false, error: { errorType: 'E', errorMessage: 'x' }, durationMs: 1, requestId: 'r' }, batch)).toBeUndefined();
    // Without ReportBatchItemFailures the answer is ignored: the batch succeeded.
    expect(failedMessageIds(mapping({ reportBatchItemFailures: false }), ok({ batchItemFailures: [{ itemIdentifier: 'a' }] }), batch)).toEqual(new Set());
  });

  it('deletes what succeeded and redelivers the reported failure after the visibility timeout', async () => {
    const queues = new LocalQueues([queue]);
    await queues.send('work', { body: 'good' });
    await queues.send('work', { body: 'bad' });
    const seen: string[][] = [];
    const poller = startSqsPoller({
      mapping: mapping(),
      queues,
      region: 'us-east-1',
      concurrency: 1,
      log: () => {},
      invoke: async (_fn, event) => {
        const records = (event as { Records: { messageId: string; body: string }[] }).Records;
        seen.push(records.map((r) => r.body));
        const bad = records.find((r) => r.body === 'bad');
        return ok({ batchItemFailures: bad && seen.length === 1 ? [{ itemIdentifier: bad.messageId }] : [] });
      },
    });
    for (let i = 0; i < 300 && queues.depth('work') > 0; i++) await new Promise((r) => setTimeout(r, 10));
    await poller.stop();
    expect(seen).toEqual([['good', 'bad'], ['bad']]);
    expect(queues.depth('work')).toBe(0);
  });

  it('stopped while gathering a batch, hands nothing to the function and makes the messages visible again at once', async () => {
    const queues = new LocalQueues([queue]);
    await queues.send('work', { body: 'waiting' });
    let invoked = 0;
    const poller = startSqsPoller({
      mapping: mapping({ maxBatchingWindowSeconds: 5 }),
      queues,
      region: 'us-east-1',
      concurrency: 1,
      log: () => {},
      invoke: async () => {
        invoked++;
        return ok({ batchItemFailures: [] });
      },
    });
    await new Promise((r) => setTimeout(r, 200));
    // the poller holds it while its 5 s window gathers more
    expect(await queues.receive('work', 10, undefined, 0)).toEqual([]);
    await poller.stop();
    expect(invoked).toBe(0);
    expect((await queues.receive('work', 10, undefined, 0)).map((m) => m.Body)).toEqual(['waiting']);
  });
});
