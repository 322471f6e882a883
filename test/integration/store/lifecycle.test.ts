import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { EVENTS } from '../../../events/catalog';
import { ConflictError, ForbiddenError, ValidationError } from '../../../shared/domain/errors';
import type { Actor, LifecycleCommand } from '../../../shared/domain/lifecycle';
import { application as repositories, type Application as Repositories } from '../../../shared/app';
import * as keys from '../../../shared/store/keys';
import { orderLifecycle, type OrderLifecycle } from '../../../shared/app/order-lifecycle';
import { NOW, pendingOrder, stocked } from '../../support/fixtures';
import { createTestTable, type TestTable } from '../../support/table';

let table: TestTable;
let repos: Repositories;
let lifecycle: OrderLifecycle;

beforeAll(async () => {
  table = await createTestTable(inject('dynamoUrl'));
  repos = repositories(table.doc, table.tableName);
  lifecycle = orderLifecycle({ doc: table.doc, tableName: table.tableName });
});
afterAll(() => table?.drop());

const OPS: Actor = { kind: 'user', id: 'u-ops', role: 'ops' };
const CS: Actor = { kind: 'user', id: 'u-cs', role: 'cs' };
const SHOP: Actor = { kind: 'storefront', id: 'shop-client-1' };
const OTHER_SHOP: Actor = { kind: 'storefront', id: 'shop-client-2' };
const SYSTEM: Actor = { kind: 'system', id: 'expire-unpaid' };
const at = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);
const opts = (now = NOW) => ({ causationId: 'test', now, paymentDeadlineMinutes: 60 });
const run = (orderId: string, command: LifecycleCommand, now = NOW) => lifecycle.transition(orderId, command, opts(now));

let skuSeq = 0;
/** A fresh SKU with `onHand` units and an order holding `quantity` of them (IN_REVIEW). */
async function reservedOrder(onHand = 10, quantity = 3): Promise<{ orderId: string; sku: string }> {
  const sku = `LC-${++skuSeq}-${Math.random().toString(36).slice(2, 6).toUpperCase()}`;
  await stocked(repos, sku, onHand);
  const orderId = await pendingOrder(repos, [{ sku, quantity }]);
  const reserved = await repos.orders.reserve(orderId, 'evt', NOW);
  expect(reserved.outcome).toBe('reserved');
  return { orderId, sku };
}

async function approvedOrder(onHand = 10, quantity = 3) {
  const o = await reservedOrder(onHand, quantity);
  await run(o.orderId, { type: 'approve', actor: OPS });
  return o;
}

async function outboxOf(orderId: string) {
  const res = await table.doc.send(new QueryCommand({
    TableName: table.tableName,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
    ExpressionAttributeValues: { ':pk': keys.orderPartition(orderId), ':p': keys.outboxPrefix },
    ConsistentRead: true,
  }));
  return (res.Items ?? []).map((i) => ({ detailType: String(i.detailType), detail: JSON.parse(String(i.detail)) as { data: Record<string, unknown> } }));
}

async function paymentDueItem(orderId: string) {
  return (await table.doc.send(new GetCommand({ TableName: table.tableName, Key: keys.paymentDueKey(orderId), ConsistentRead: true }))).Item;
}

async function conflict(p: Promise<unknown>): Promise<ConflictError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ConflictError);
  return err as ConflictError;
}

describe('order transitions in the store', () => {
  it('approve: AWAITING_PAYMENT with a payment deadline, status index, timeline, OrderApproved, stock still held', async () => {
    const { orderId, sku } = await reservedOrder(10, 3);
    const { order, decision } = await run(orderId, { type: 'approve', actor: OPS });
    expect(decision).toMatchObject({ previousStatus: 'IN_REVIEW', status: 'AWAITING_PAYMENT', stock: 'none' });
    expect(order.paymentDueAt).toBe(at(60).toISOString());

    const view = await repos.orders.get(orderId);
    expect(view).toMatchObject({ status: 'AWAITING_PAYMENT', version: 3, paymentDueAt: at(60).toISOString() });
    expect(view!.timeline.at(-1)).toMatchObject({ type: 'ORDER_APPROVED', actor: 'ops:u-ops' });
    const raw = await table.doc.send(new GetCommand({ TableName: table.tableName, Key: keys.order(orderId), ConsistentRead: true }));
    expect(raw.Item!.gsi2pk).toBe(keys.statusPk('AWAITING_PAYMENT'));

    const approved = (await outboxOf(orderId)).find((e) => e.detailType === 'OrderApproved');
    expect(approved!.detail.data).toMatchObject({ orderId, previousStatus: 'IN_REVIEW', status: 'AWAITING_PAYMENT', paymentDueAt: at(60).toISOString() });
    expect(await repos.stock.get(sku)).toMatchObject({ onHand: 10, reserved: 3, available: 7 });

    // the expiry index holds it from its deadline on, not before
    expect(await paymentDueItem(orderId)).toBeDefined();
    expect(await lifecycle.dueForExpiry(at(59))).not.toContain(orderId);
    expect(await lifecycle.dueForExpiry(at(60))).toContain(orderId);
  });

  it('reject needs a reason, releases the stock with a ledger entry naming the order, and publishes OrderRejected', async () => {
    const { orderId, sku } = await reservedOrder(10, 4);
    await expect(run(orderId, { type: 'reject', actor: OPS })).rejects.toBeInstanceOf(ValidationError);

    await run(orderId, { type: 'reject', actor: OPS, reason: 'Address looks fraudulent' });
    expect(await repos.stock.get(sku)).toMatchObject({ onHand: 10, reserved: 0, available: 10 });
    const view = await repos.orders.get(orderId);
    expect(view).toMatchObject({ status: 'REJECTED', rejectionReason: 'Address looks fraudulent' });
    const ledger = await repos.stock.ledger(sku);
    expect(ledger.at(-1)).toMatchObject({ movement: 'RELEASE', quantity: 4, orderId });

    const rejected = (await outboxOf(orderId)).find((e) => e.detailType === 'OrderRejected');
    const def = EVENTS.find((e) => e.detailType === 'OrderRejected')!;
    expect(def.detail.safeParse(rejected!.detail).success).toBe(true);
    expect(rejected!.detail.data).toMatchObject({ reason: 'Address looks fraudulent', shortages: [], actor: 'ops:u-ops' });
  });

  it('cancel from IN_REVIEW and from AWAITING_PAYMENT releases the stock and clears the payment deadline', async () => {
    const a = await reservedOrder(5, 2);
    await run(a.orderId, { type: 'cancel', actor: CS, reason: 'Customer changed their mind' });
    expect(await repos.stock.get(a.sku)).toMatchObject({ onHand: 5, reserved: 0, available: 5 });
    expect(await repos.orders.get(a.orderId)).toMatchObject({ status: 'CANCELLED', cancellationReason: 'Customer changed their mind' });

    const b = await approvedOrder(5, 2);
    await run(b.orderId, { type: 'cancel', actor: CS, reason: 'Duplicate order' });
    expect(await repos.stock.get(b.sku)).toMatchObject({ onHand: 5, reserved: 0, available: 5 });
    expect(await paymentDueItem(b.orderId)).toBeUndefined();
    expect(await lifecycle.dueForExpiry(at(24 * 60))).not.toContain(b.orderId);
    expect((await outboxOf(b.orderId)).map((e) => e.detailType)).toContain('OrderCancelled');
  });

  it('cancel of a PENDING order moves no stock (nothing is held yet)', async () => {
    const sku = `LC-PENDING-${Math.random().toString(36).slice(2, 6)}`;
    await stocked(repos, sku, 4);
    const orderId = await pendingOrder(repos, [{ sku, quantity: 1 }]);
    await run(orderId, { type: 'cancel', actor: CS, reason: 'Mistake' });
    expect(await repos.stock.get(sku)).toMatchObject({ onHand: 4, reserved: 0, available: 4 });
    // the reservation step then finds it cancelled and reserves nothing
    expect(await repos.orders.reserve(orderId, 'evt', NOW)).toEqual({ outcome: 'skipped', status: 'CANCELLED' });
    expect(await repos.stock.get(sku)).toMatchObject({ reserved: 0, available: 4 });
  });

  it('expire: not before the deadline (409 not-due); after it EXPIRED with the stock released', async () => {
    const { orderId, sku } = await approvedOrder(6, 6);
    const early = await conflict(run(orderId, { type: 'expire', actor: SYSTEM }, at(30)));
    expect(early.slug).toBe('not-due');

    await run(orderId, { type: 'expire', actor: SYSTEM }, at(61));
    expect(await repos.orders.get(orderId)).toMatchObject({ status: 'EXPIRED' });
    expect(await repos.stock.get(sku)).toMatchObject({ onHand: 6, reserved: 0, available: 6 });
    expect(await paymentDueItem(orderId)).toBeUndefined();
    expect((await outboxOf(orderId)).map((e) => e.detailType)).toContain('OrderExpired');
  });

  it('release is idempotent: a second cancel is 409 with the current status and moves nothing', async () => {
    const { orderId, sku } = await reservedOrder(8, 5);
    await run(orderId, { type: 'cancel', actor: CS, reason: 'first' });
    const again = await conflict(run(orderId, { type: 'cancel', actor: CS, reason: 'second' }));
    expect(again.extensions).toMatchObject({ status: 'CANCELLED' });
    expect(await repos.stock.get(sku)).toMatchObject({ onHand: 8, reserved: 0, available: 8 });
    expect((await repos.stock.ledger(sku)).filter((e) => e.movement === 'RELEASE')).toHaveLength(1);
  });

  it('storefront: cancels its own order before payment, not another client\'s, not after payment', async () => {
    const own = await approvedOrder(5, 1);
    await expect(run(own.orderId, { type: 'cancel', actor: OTHER_SHOP, reason: 'not mine' })).rejects.toBeInstanceOf(ForbiddenError);
    await run(own.orderId, { type: 'cancel', actor: SHOP, reason: 'Changed my mind' });
    expect(await repos.stock.get(own.sku)).toMatchObject({ reserved: 0, available: 5 });

    const paid = await approvedOrder(5, 1);
    await run(paid.orderId, { type: 'pay', actor: { kind: 'system', id: 'payments' } });
    await expect(run(paid.orderId, { type: 'cancel', actor: SHOP, reason: 'too late' })).rejects.toBeInstanceOf(ForbiddenError);
    // customer service may, and the refund is requested with it
    await run(paid.orderId, { type: 'cancel', actor: CS, reason: 'Refund agreed' });
    expect((await outboxOf(paid.orderId)).map((e) => e.detailType)).toEqual(expect.arrayContaining(['OrderCancelled', 'RefundRequested']));
    expect(await repos.stock.get(paid.sku)).toMatchObject({ reserved: 0, available: 5 });
  });

  it('stale version: If-Match of an older version is 409 with the current status and version', async () => {
    const { orderId } = await reservedOrder();
    const err = await conflict(run(orderId, { type: 'approve', actor: OPS, expectedVersion: 1 }));
    expect(err.slug).toBe('stale-version');
    expect(err.extensions).toMatchObject({ status: 'IN_REVIEW', version: 2 });
    await run(orderId, { type: 'approve', actor: OPS, expectedVersion: 2 });
  });

  it('illegal: approving an order that is not IN_REVIEW is 409 naming its current status', async () => {
    const { orderId } = await approvedOrder();
    const err = await conflict(run(orderId, { type: 'approve', actor: OPS }));
    expect(err.slug).toBe('illegal-transition');
    expect(err.extensions).toMatchObject({ status: 'AWAITING_PAYMENT' });
    expect(err.message).toContain('AWAITING_PAYMENT');
  });

  it('review required: reasons recorded once, order stays IN_REVIEW, ReviewRequired published', async () => {
    const { orderId } = await reservedOrder();
    const review = { rules: ['channel'], reasons: ['Orders from the phone channel are always reviewed'] };
    const first = await lifecycle.requireReview(orderId, review, opts());
    expect(first.outcome).toBe('review-required');
    expect(await lifecycle.requireReview(orderId, review, opts())).toEqual({ outcome: 'skipped', status: 'IN_REVIEW' });
    const view = await repos.orders.get(orderId);
    expect(view).toMatchObject({ status: 'IN_REVIEW', reviewReasons: review.reasons, version: 3 });
    expect(view!.timeline.filter((t) => t.type === 'REVIEW_REQUIRED')).toHaveLength(1);
    expect((await outboxOf(orderId)).filter((e) => e.detailType === 'ReviewRequired')).toHaveLength(1);
  });
});

describe('races: exactly one outcome, stock conserved', () => {
  const ROUNDS = 20;

  it(`cancel vs expire, ${ROUNDS} rounds`, async () => {
    const tally = { CANCELLED: 0, EXPIRED: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      const { orderId, sku } = await approvedOrder(4, 4);
      const results = await Promise.allSettled([
        run(orderId, { type: 'cancel', actor: CS, reason: 'race' }, at(61)),
        run(orderId, { type: 'expire', actor: SYSTEM }, at(61)),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled'), `round ${round}`).toHaveLength(1);
      const loser = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(loser.reason).toBeInstanceOf(ConflictError);
      const order = await repos.orders.get(orderId);
      tally[order!.status as keyof typeof tally]++;
      expect(await repos.stock.get(sku)).toMatchObject({ onHand: 4, reserved: 0, available: 4 });
      expect((await repos.stock.ledger(sku)).filter((e) => e.movement === 'RELEASE')).toHaveLength(1);
    }
    expect(tally.CANCELLED + tally.EXPIRED).toBe(ROUNDS);
  });

  it(`cancel vs approve, ${ROUNDS} rounds`, async () => {
    const tally = { CANCELLED: 0, AWAITING_PAYMENT: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      const { orderId, sku } = await reservedOrder(4, 3);
      const results = await Promise.allSettled([
        run(orderId, { type: 'cancel', actor: CS, reason: 'race' }),
        run(orderId, { type: 'approve', actor: OPS }),
      ]);
      const order = await repos.orders.get(orderId);
      const level = await repos.stock.get(sku);
      if (order!.status === 'CANCELLED') {
        // approve lost outright, or won first and was then cancelled: either way one final outcome
        expect(level).toMatchObject({ onHand: 4, reserved: 0, available: 4 });
      } else {
        expect(order!.status).toBe('AWAITING_PAYMENT');
        expect(results[0]!.status).toBe('rejected');
        expect(level).toMatchObject({ onHand: 4, reserved: 3, available: 1 });
      }
      expect(results.filter((r) => r.status === 'fulfilled').length).toBeGreaterThanOrEqual(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ConflictError);
      tally[order!.status as keyof typeof tally]++;
    }
    expect(tally.CANCELLED + tally.AWAITING_PAYMENT).toBe(ROUNDS);
  });
});
