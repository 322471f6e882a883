import { randomUUID } from 'node:crypto';
import { DeleteMessageCommand, GetQueueUrlCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, inject, it } from 'vitest';
import { call, createProduct, eventually, placeOrder, uniqueSku } from './client';

// The local cloud's own view of what flows through it, as a newcomer follows an order:
// GET /_local/events (what the bus received and where it went), /_local/queues (depths, and
// which queue is whose dead-letter queue), /_local/queues/{name}/dead-letters (what waits there),
// and /_local/resources (what it serves, read from the template).
const local = (path: string) => call('GET', `/_local${path}`);

interface EventView {
  id: string;
  'detail-type': string;
  source: string;
  time: string;
  // other tests put events of other shapes on the same bus
  detail?: { data?: { orderId?: string } };
  deliveredTo: string[];
}
interface QueueView {
  name: string;
  messages: { visible: number; inFlight: number; delayed: number };
  deadLetterQueue?: string;
  deadLetterFor?: string[];
}

describe('GET /_local/events', () => {
  it('shows an order placed, newest first, filtered by detail-type, with where the bus delivered it', async () => {
    const sku = uniqueSku('FLOW');
    await createProduct(sku, 5);
    const first = (await placeOrder([{ sku, quantity: 1 }])).body.orderId as string;
    const second = (await placeOrder([{ sku, quantity: 1 }])).body.orderId as string;

    const placed = await eventually(
      () => local('/events?detail-type=OrderPlaced'),
      (r) => [first, second].every((id) => (r.body.events as EventView[]).some((e) => e.detail?.data?.orderId === id)),
    );
    expect(placed.status).toBe(200);
    const events = placed.body.events as EventView[];
    expect(events.every((e) => e['detail-type'] === 'OrderPlaced')).toBe(true);
    // newest first: the second order's event comes before the first's
    const at = (id: string) => events.findIndex((e) => e.detail?.data?.orderId === id);
    expect(at(second)).toBeLessThan(at(first));
    expect(events.map((e) => e.time)).toEqual([...events.map((e) => e.time)].sort().reverse());
    const event = events[at(first)]!;
    expect(event.source).toBe('oms.orders');
    expect(event.deliveredTo).toEqual(expect.arrayContaining([expect.stringMatching(/^queue oms-dev-reservations \(rule /)]));

    // what follows the order shows too (unfiltered, the reservation's outcome among the newest)
    const all = await eventually(
      () => local('/events?limit=200'),
      (r) => (r.body.events as EventView[]).some((e) => e.detail?.data?.orderId === first && e['detail-type'] !== 'OrderPlaced'),
    );
    expect(new Set((all.body.events as EventView[]).map((e) => e['detail-type'])).size).toBeGreaterThan(1);
    expect((await local('/events?limit=1')).body.events).toHaveLength(1);
  });

  it('refuses a limit it cannot honour with a problem', async () => {
    for (const limit of ['0', 'ten', '1001', '2.5']) {
      const r = await local(`/events?limit=${limit}`);
      expect(r.status, limit).toBe(400);
      expect(r.headers.get('content-type')).toBe('application/problem+json');
      expect(r.body).toMatchObject({ status: 400, detail: expect.stringContaining('limit') });
    }
  });
});

describe('GET /_local/queues', () => {
  it('lists every queue with its depth, its dead-letter queue, and what feeds each dead-letter queue', async () => {
    const r = await local('/queues');
    expect(r.status).toBe(200);
    const queues = r.body.queues as QueueView[];
    const byName = new Map(queues.map((q) => [q.name, q]));
    expect(byName.get('oms-dev-reservations')).toMatchObject({
      deadLetterQueue: 'oms-dev-reservations-dlq',
      messages: { visible: expect.any(Number), inFlight: expect.any(Number), delayed: expect.any(Number) },
    });
    // what its consumer gave up on, and what the bus could not deliver to the queue
    expect(byName.get('oms-dev-reservations-dlq')!.deadLetterFor).toEqual(
      expect.arrayContaining(['queue oms-dev-reservations', expect.stringMatching(/^rule \S+ -> queue oms-dev-reservations$/)]),
    );
    expect(byName.get('oms-dev-outbox-relay-failures')!.deadLetterFor).toEqual(['stream mapping of outbox-relay']);
    expect(byName.get('oms-dev-expire-unpaid-runs-dlq')!.deadLetterFor).toEqual([expect.stringMatching(/^rule \S+ -> function expire-unpaid$/)]);
    // every queue either gives up into a dead-letter queue or is one
    for (const q of queues) expect(Boolean(q.deadLetterQueue) || Boolean(q.deadLetterFor), q.name).toBe(true);
  });

  it('shows what a dead-letter queue holds, by the queue or the dead-letter queue, and counts it', async () => {
    const sqs = new SQSClient({ endpoint: inject('awsUrl'), region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'oms-dev-customer-stats-dlq' }));
    const marker = randomUUID();
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: JSON.stringify({ 'detail-type': 'OrderPlaced', detail: { marker } }) }));
    try {
      const depth = ((await local('/queues')).body.queues as QueueView[]).find((q) => q.name === 'oms-dev-customer-stats-dlq')!;
      expect(depth.messages.visible).toBeGreaterThanOrEqual(1);
      for (const name of ['customer-stats', 'oms-dev-customer-stats', 'oms-dev-customer-stats-dlq']) {
        const r = await local(`/queues/${name}/dead-letters`);
        expect(r.status, name).toBe(200);
        expect(r.body).toMatchObject({ queue: expect.stringMatching(/customer-stats/), deadLetterQueue: 'oms-dev-customer-stats-dlq' });
        expect(r.body.messages).toEqual(
          expect.arrayContaining([expect.objectContaining({ body: { 'detail-type': 'OrderPlaced', detail: { marker } }, receiveCount: 0 })]),
        );
      }
    } finally {
      // leave the shared cloud's dead-letter queue as it was
      const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
      for (const m of got.Messages ?? []) {
        if (m.Body?.includes(marker)) await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle }));
      }
    }
  });

  it('answers an unknown queue with a problem', async () => {
    const r = await local('/queues/no-such-queue/dead-letters');
    expect(r.status).toBe(404);
    expect(r.headers.get('content-type')).toBe('application/problem+json');
    expect(r.body.detail).toContain('no-such-queue');
  });
});

describe('GET /_local/resources', () => {
  it('lists what the local cloud serves; the old name is gone', async () => {
    const r = await local('/resources');
    expect(r.status).toBe(200);
    expect(r.body.routes).toEqual(expect.arrayContaining([expect.objectContaining({ routeKey: 'POST /orders' })]));
    expect(r.body.queues.length).toBeGreaterThan(0);
    expect((await local('/inventory')).status).toBe(404);
  });
});
