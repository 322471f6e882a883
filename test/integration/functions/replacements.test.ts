import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildEvent } from '../../../events/define-event';
import { StockAdjusted } from '../../../events/inventory';
import { makeHandler } from '../../../functions/replacements/replacements';
import { applicationFor, type Application } from '../../../shared/app';
import { orderLifecycle, type OrderLifecycle } from '../../../shared/app/order-lifecycle';
import { makeOutbound, type Outbound } from '../../../shared/app/outbound';
import { paymentsOver, type Payments } from '../../../shared/app/payments';
import { replacementSteps } from '../../../shared/app/replacements';
import { makeReturns, type Returns } from '../../../shared/app/returns';
import type { Actor } from '../../../shared/domain/actor';
import { storeFor, type Store } from '../../../shared/store';
import * as keys from '../../../shared/store/keys';
import { returnRepository } from '../../../shared/store/return-repository';
import { lambdaContext } from '../../support/api-event';
import { deliveredOrder, NOW, pendingOrder, stocked } from '../../support/fixtures';
import { fakePaymentProviders } from '../../support/providers';
import { createTestTable, type TestTable } from '../../support/table';

// The replacements step on the local DynamoDB, fed the events it takes: an exchange's
// replacement placed, then rejected at its reservation because another order took the last
// unit in between; the return goes back to waiting for that SKU (once, however often the
// rejection is delivered), and stock arriving places a new replacement, which reserves,
// without refunding the difference a second time.

let table: TestTable;
let store: Store;
let app: Application;
let lifecycle: OrderLifecycle;
let payments: Payments;
let outbound: Outbound;
let returns: Returns;
let step: ReturnType<typeof makeHandler>;
let returnsRepo: ReturnType<typeof returnRepository>;

const OPS: Actor = { kind: 'user', id: 'u-ops', role: 'ops' };
const CS: Actor = { kind: 'user', id: 'u-cs', role: 'cs' };
const LATER = new Date(NOW.getTime() + 86_400_000);
const opts = (actor: Actor = OPS, now = NOW) => ({ actor, causationId: 'test', now });

beforeAll(async () => {
  table = await createTestTable(inject('dynamoUrl'));
  store = storeFor({ doc: table.doc, tableName: table.tableName });
  app = applicationFor(store);
  lifecycle = orderLifecycle(store);
  payments = paymentsOver(store, fakePaymentProviders({}).providers);
  returnsRepo = returnRepository(store.ctx);
  outbound = makeOutbound({
    ctx: store.ctx, orders: store.orders, outbound: store.outbound, returns: returnsRepo, payments: store.payments, settings: store.settings, writer: store.writer,
    waybillCarrierFor: () => undefined, notifyUrl: (c) => `https://api.test/webhooks/carriers/${c}`,
  });
  returns = makeReturns({ orders: store.orders, outbound: store.outbound, returns: returnsRepo, payments: store.payments, settings: store.settings, writer: store.writer });
  step = makeHandler({ replacements: replacementSteps(store.ctx), now: () => LATER });
});
afterAll(() => table?.drop());

/** An order paid by a confirmed bank transfer, shipped in one parcel and delivered at NOW. */
const delivered = (lines: { sku: string; quantity: number }[]) => deliveredOrder({ app, lifecycle, payments, outbound }, lines);

async function outbox(orderId: string): Promise<{ eventId: string; source: string; detailType: string; detail: string }[]> {
  const res = await table.doc.send(new QueryCommand({
    TableName: table.tableName, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
    ExpressionAttributeValues: { ':pk': keys.orderPartition(orderId), ':p': keys.outboxPrefix }, ConsistentRead: true,
  }));
  return (res.Items ?? []) as { eventId: string; source: string; detailType: string; detail: string }[];
}
const detailTypes = async (orderId: string) => (await outbox(orderId)).map((e) => e.detailType);

/** The SQS message the step's queue gets for an event, as EventBridge delivers it. */
const message = (e: { eventId: string; source: string; detailType: string; detail: string }): SQSEvent => ({
  Records: [{ messageId: `m-${e.eventId}`, body: JSON.stringify({ version: '0', id: e.eventId, 'detail-type': e.detailType, source: e.source, detail: JSON.parse(e.detail) }) } as SQSEvent['Records'][number]],
});
/** Hands the step the event of that type published for the order, as its queue would. */
async function deliver(orderId: string, detailType: string): Promise<void> {
  const e = (await outbox(orderId)).find((x) => x.detailType === detailType);
  expect(e, `${detailType} of ${orderId}`).toBeDefined();
  expect(await step(message(e!), lambdaContext)).toEqual({ batchItemFailures: [] });
}
async function stockArrived(sku: string, delta: number): Promise<void> {
  await app.stock.adjust({ sku, delta, reason: 'RECEIVED', actor: 'ops:u-ops', causationId: 'test' }, LATER);
  const e = buildEvent(StockAdjusted, { sku, adjustmentId: `adj-${sku}`, delta, reason: 'RECEIVED', actor: 'ops:u-ops' }, { eventId: `e-adj-${sku}`, occurredAt: LATER, correlationId: sku, causationId: 'test' });
  expect(await step(message(e), lambdaContext)).toEqual({ batchItemFailures: [] });
}
const theReturn = async (orderId: string, returnId: string) => (await returnsRepo.ofOrder(orderId)).find((r) => r.returnId === returnId)!;

describe('a replacement order rejected at its reservation', () => {
  it('goes back to waiting, once; stock arriving places a new replacement, the difference refunded only the first time', async () => {
    const tag = Math.random().toString(36).slice(2, 6).toUpperCase();
    const [tea, cup] = [`RPL-TEA-${tag}`, `RPL-CUP-${tag}`];
    await stocked(app, tea, 5, 1500);
    await stocked(app, cup, 1, 800);
    const orderId = await delivered([{ sku: tea, quantity: 1 }]);

    // an exchange for something cheaper: received, its replacement placed, 7.00 refunded
    const asked = await returns.request(orderId, { type: 'exchange', lines: [{ sku: tea, quantity: 1, reason: 'wrong flavour' }], replacement: [{ sku: cup, quantity: 1 }] }, { ...opts(CS, LATER), storefront: undefined });
    await returns.approve(asked.returnId, opts(CS, LATER));
    await returns.receive(asked.returnId, [{ sku: tea, quantity: 1, condition: 'resellable' }], undefined, opts(OPS, LATER));
    await deliver(orderId, 'ReturnReceived');
    const exchanged = await theReturn(orderId, asked.returnId);
    expect(exchanged).toMatchObject({ status: 'EXCHANGED', refund: { amount: { amount: 700, currency: 'CNY' } } });
    const first = exchanged.replacement!.order!;

    // another order takes the last cup before the replacement is reserved: it is rejected
    const rival = await pendingOrder(app, [{ sku: cup, quantity: 1 }]);
    expect((await app.orders.reserve(rival, 'evt', LATER)).outcome).toBe('reserved');
    expect((await app.orders.reserve(first.orderId, 'evt', LATER)).outcome).toBe('rejected');

    // the rejection reaches the step (twice): the return waits for cups again, once
    await deliver(first.orderId, 'OrderRejected');
    await deliver(first.orderId, 'OrderRejected');
    const waiting = await theReturn(orderId, asked.returnId);
    expect(waiting).toMatchObject({ status: 'RECEIVED', version: exchanged.version + 1, refund: exchanged.refund });
    expect(waiting.replacement).toEqual({
      lines: [{ sku: cup, quantity: 1 }],
      refused: [{ orderId: first.orderId, orderNumber: first.orderNumber, skus: [cup], at: LATER.toISOString() }],
      waitingFor: { reason: 'stock', skus: [cup], since: LATER.toISOString() },
    });
    expect(await returnsRepo.waitingOn(cup)).toEqual([expect.objectContaining({ returnId: asked.returnId })]);
    expect((await detailTypes(orderId)).filter((t) => t === 'ReplacementDelayed')).toHaveLength(1);
    // another order's rejection is none of the step's business
    const plain = await pendingOrder(app, [{ sku: cup, quantity: 1 }]);
    expect((await app.orders.reserve(plain, 'evt', LATER)).outcome).toBe('rejected');
    await deliver(plain, 'OrderRejected');
    expect((await theReturn(orderId, asked.returnId)).version).toBe(waiting.version);

    // cups arrive: a new replacement is placed and reserved; nothing refunded again
    await stockArrived(cup, 1);
    const again = await theReturn(orderId, asked.returnId);
    const second = again.replacement!.order!;
    expect(second.orderId).not.toBe(first.orderId);
    expect(again).toMatchObject({ status: 'EXCHANGED', refund: exchanged.refund, replacement: { refused: [{ orderId: first.orderId }], credit: { amount: 1500 }, due: { amount: 0 } } });
    expect(again.replacement!.waitingFor).toBeUndefined();
    expect(await returnsRepo.waitingOn(cup)).toEqual([]);
    expect((await app.orders.reserve(second.orderId, 'evt', LATER)).outcome).toBe('reserved');
    expect((await store.payments.money(orderId)).refunds.map((r) => r.refundId)).toEqual([exchanged.refund!.refundId]);

    // the original order links both attempts; the timeline says why there are two
    const original = (await store.orders.get(orderId))!;
    expect(original.replacements).toEqual([
      { orderId: first.orderId, orderNumber: first.orderNumber, returnId: asked.returnId },
      { orderId: second.orderId, orderNumber: second.orderNumber, returnId: asked.returnId },
    ]);
    expect(original.timeline.filter((t) => t.type === 'REPLACEMENT_REFUSED')).toHaveLength(1);
    // each placement published ReplacementPlaced from its own order's partition
    for (const placed of [first, second]) expect((await detailTypes(placed.orderId)).filter((t) => t === 'ReplacementPlaced')).toHaveLength(1);
  });
});
