import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { makeHandler as makeCustomerStats } from '../../../functions/customer-stats/customer-stats';
import { makeHandler as makePlaceOrder } from '../../../functions/place-order/place-order';
import { application, type Application } from '../../../shared/app';
import { customerService } from '../../../shared/app/customer-stats';
import { stamper } from '../../../shared/app/events';
import { ERASED_EMAIL, ERASED_NAME, profileErasure } from '../../../shared/domain/erasure';
import { makeWriter } from '../../../shared/store/writer';
import { CUSTOMER_DATA_EVENTS } from '../../../events/customers';
import { orderRepository } from '../../../shared/store/order-repository';
import { call, lambdaContext, TOKENS } from '../../support/api-event';
import { orderRequest, stocked } from '../../support/fixtures';
import { createTestTable, type TestTable } from '../../support/table';

// customer-stats over a whole batch, on the real local endpoint: exactly once per order
// however the batch is redelivered or ordered, the last order never moving back, and what a
// batch costs in DynamoDB requests.

let table: TestTable;
let repos: Application;
let customers: ReturnType<typeof customerService>;
let stats: ReturnType<typeof makeCustomerStats>;
let placeOrder: ReturnType<typeof makePlaceOrder>;
let now = new Date('2026-11-20T10:00:00.000Z');
/** DynamoDB commands customer-stats sent, by name */
const requests: string[] = [];
/** Runs once after customer-stats' next read returned and before it writes (a race, on purpose). */
let afterRead: (() => Promise<void>) | undefined;

beforeAll(async () => {
  table = await createTestTable(inject('dynamoUrl'));
  repos = application(table.doc, table.tableName);
  const counting = {
    send: async (command: object) => {
      const name = command.constructor.name.replace(/Command$/, '');
      requests.push(name);
      const result = await table.doc.send(command as never);
      const hook = name === 'BatchGet' ? afterRead : undefined;
      afterRead = undefined;
      await hook?.();
      return result;
    },
  };
  const ctx = { doc: counting as unknown as TestTable['doc'], tableName: table.tableName };
  customers = customerService({ doc: table.doc, tableName: table.tableName });
  stats = makeCustomerStats({ orders: orderRepository(ctx), customers: customerService(ctx), now: () => now });
  placeOrder = makePlaceOrder({ orders: repos.orders, now: () => now });
  await stocked(repos, 'TEA-BATCH', 1000, 2500);
});
afterAll(() => table?.drop());
beforeEach(() => {
  requests.length = 0;
});

/** Places an order (quantity × 2500 CNY) for the email at `at`; its id and customer id. */
async function place(email: string, at: string, quantity = 1): Promise<{ orderId: string; customerId: string }> {
  now = new Date(at);
  const res = await call<{ orderId: string }>(placeOrder, {
    routeKey: 'POST /orders', body: orderRequest([{ sku: 'TEA-BATCH', quantity }], { customer: { email, name: 'Bat Ch' } }), claims: TOKENS.admin,
  });
  expect(res.status).toBe(202);
  const order = await repos.orders.getRecord(res.body.orderId);
  return { orderId: res.body.orderId, customerId: order!.customer.customerId };
}

const event = (detailType: 'OrderPlaced' | 'OrderCancelled' | 'OrderRejected', orderId: string): SQSRecord => ({
  messageId: `m-${detailType}-${orderId}-${Math.random().toString(36).slice(2, 8)}`,
  receiptHandle: 'rh',
  body: JSON.stringify({ id: `e-${detailType}-${orderId}`, 'detail-type': detailType, source: 'oms.orders', detail: { metadata: { eventId: `e-${detailType}-${orderId}` }, data: { orderId } } }),
  attributes: {} as never, messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:q', awsRegion: 'us-east-1',
});
const batch = (...records: SQSRecord[]): SQSEvent => ({ Records: records });
const profile = (customerId: string) => customers.get(customerId, { consistent: true });

describe('customer-stats, a batch at a time', () => {
  it('a batch of new orders costs one BatchGetItem and one transaction', async () => {
    const orders = await Promise.all([1, 2, 3, 4, 5].map((i) => place(`cost-${i}@example.com`, '2026-11-20T11:00:00.000Z')));
    requests.length = 0;
    const res = await stats(batch(...orders.map((o) => event('OrderPlaced', o.orderId))), lambdaContext);
    expect(res.batchItemFailures).toEqual([]);
    expect(requests).toEqual(['BatchGet', 'TransactWrite']);
    for (const o of orders) expect(await profile(o.customerId)).toMatchObject({ orderCount: 1, lastOrder: { orderId: o.orderId } });
  });

  it('one customer\'s two orders in one batch (the later first) and a redelivered event beside them count once each', async () => {
    const older = await place('two@example.com', '2026-11-21T08:00:00.000Z');
    const newer = await place('two@example.com', '2026-11-22T08:00:00.000Z', 2);
    const other = await place('other@example.com', '2026-11-22T09:00:00.000Z');
    await stats(batch(event('OrderPlaced', other.orderId)), lambdaContext);

    const res = await stats(batch(event('OrderPlaced', newer.orderId), event('OrderPlaced', other.orderId), event('OrderPlaced', older.orderId)), lambdaContext);
    expect(res.batchItemFailures).toEqual([]);
    expect(await profile(older.customerId)).toMatchObject({
      orderCount: 2, lifetimeValue: [{ amount: 2500 * 3, currency: 'CNY' }], lastOrder: { orderId: newer.orderId, placedAt: '2026-11-22T08:00:00.000Z' },
    });
    expect(await profile(other.customerId)).toMatchObject({ orderCount: 1, lifetimeValue: [{ amount: 2500, currency: 'CNY' }] });
  });

  it('a batch delivered several times, in any order, counts each order and each exit once', async () => {
    const a1 = await place('many@example.com', '2026-11-23T08:00:00.000Z');
    const a2 = await place('many@example.com', '2026-11-23T09:00:00.000Z', 3);
    const b1 = await place('many-b@example.com', '2026-11-23T10:00:00.000Z');
    const records = [event('OrderPlaced', a1.orderId), event('OrderPlaced', a2.orderId), event('OrderPlaced', b1.orderId), event('OrderCancelled', a1.orderId)];
    const orders = [[3, 1, 0, 2], [0, 1, 2, 3], [2, 3, 1, 0], [1, 0, 3, 2]];
    for (const order of orders) {
      const res = await stats(batch(...order.map((i) => records[i]!)), lambdaContext);
      expect(res.batchItemFailures).toEqual([]);
    }
    expect(await profile(a1.customerId)).toMatchObject({
      orderCount: 1, lifetimeValue: [{ amount: 2500 * 3, currency: 'CNY' }], lastOrder: { orderId: a2.orderId, placedAt: '2026-11-23T09:00:00.000Z' },
    });
    expect(await profile(b1.customerId)).toMatchObject({ orderCount: 1, lifetimeValue: [{ amount: 2500, currency: 'CNY' }], lastOrder: { orderId: b1.orderId } });
  });

  it('an erasure between the batch\'s read of the order and its write: the profile stays erased, the order counts', async () => {
    const erased = await place('forget-me@example.com', '2026-11-25T08:00:00.000Z');
    const erasure = stamper(CUSTOMER_DATA_EVENTS);
    afterRead = async () => {
      const customer = (await profile(erased.customerId))!;
      const at = new Date('2026-11-25T09:00:00.000Z');
      await makeWriter({ doc: table.doc, tableName: table.tableName }).commit(
        erasure(profileErasure(customer, { reason: 'asked', actor: 'admin:a-1', now: at }), { now: at, correlationId: erased.customerId, causationId: 'req-erase' }),
      );
    };
    const res = await stats(batch(event('OrderPlaced', erased.orderId)), lambdaContext);
    expect(afterRead).toBeUndefined();
    expect(res.batchItemFailures).toEqual([]);
    const after = await profile(erased.customerId);
    expect(after).toMatchObject({ name: ERASED_NAME, email: ERASED_EMAIL, orderCount: 1, lastOrder: { orderId: erased.orderId } });
    expect(JSON.stringify(after)).not.toContain('forget-me');
    expect(JSON.stringify(after)).not.toContain('Bat Ch');
  });

  it('an exit ahead of its OrderPlaced, an unknown order and a malformed message fail alone', async () => {
    const early = await place('early@example.com', '2026-11-24T08:00:00.000Z');
    const fine = await place('fine@example.com', '2026-11-24T09:00:00.000Z');
    const exit = event('OrderRejected', early.orderId);
    const unknown = event('OrderPlaced', 'ORD-NOT-THERE');
    const bad = { ...event('OrderPlaced', fine.orderId), body: '{"nope":1}' };
    // the exit alone waits for an earlier event: it is offered again sooner, the others wait out the visibility timeout
    const sooner: string[] = [];
    const ctx = { doc: table.doc, tableName: table.tableName };
    const withRetry = makeCustomerStats({
      orders: orderRepository(ctx), customers: customerService(ctx), now: () => now,
      retrySooner: async (records) => void sooner.push(...records.map((r) => r.messageId)),
    });
    const res = await withRetry(batch(exit, unknown, event('OrderPlaced', fine.orderId), bad), lambdaContext);
    expect(res.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual([exit.messageId, unknown.messageId, bad.messageId].sort());
    expect(sooner).toEqual([exit.messageId]);
    expect(await profile(fine.customerId)).toMatchObject({ orderCount: 1 });
    expect(await profile(early.customerId)).toMatchObject({ orderCount: 0 });
    // retried after its OrderPlaced, the exit counts
    await stats(batch(event('OrderPlaced', early.orderId)), lambdaContext);
    expect((await stats(batch(exit), lambdaContext)).batchItemFailures).toEqual([]);
    expect(await profile(early.customerId)).toMatchObject({ orderCount: 0, lifetimeValue: [{ amount: 0, currency: 'CNY' }] });
  });
});
