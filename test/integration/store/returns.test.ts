import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { applicationFor, type Application } from '../../../shared/app';
import { orderLifecycle, type OrderLifecycle } from '../../../shared/app/order-lifecycle';
import { makeOutbound, type Outbound } from '../../../shared/app/outbound';
import { paymentsOver, type Payments } from '../../../shared/app/payments';
import { makeReturns, type Returns } from '../../../shared/app/returns';
import type { Actor } from '../../../shared/domain/actor';
import { storeFor, type Store } from '../../../shared/store';
import * as keys from '../../../shared/store/keys';
import { returnRepository } from '../../../shared/store/return-repository';
import { withOutbound } from '../../../shared/store/outbound-repository';
import { deliveredOrder, NOW, stocked } from '../../support/fixtures';
import { fakePaymentProviders } from '../../support/providers';
import { createTestTable, type TestTable } from '../../support/table';

// Returns and claims on the local DynamoDB: part of a delivered order returned with one
// line damaged (stock, ledger and refund exact), racing requests for the last unit,
// repeated approval and receipt, refunds never beyond what was captured, and completion
// held while a return is open.

let table: TestTable;
let store: Store;
let app: Application;
let lifecycle: OrderLifecycle;
let payments: Payments;
let outbound: Outbound;
let returns: Returns;

const OPS: Actor = { kind: 'user', id: 'u-ops', role: 'ops' };
const CS: Actor = { kind: 'user', id: 'u-cs', role: 'cs' };
/** the storefront client the fixtures place orders as */
const SHOP = 'shop-client-1';
const opts = (actor: Actor = OPS, now = NOW) => ({ actor, causationId: 'test', now });
const LATER = new Date(NOW.getTime() + 86_400_000);

beforeAll(async () => {
  table = await createTestTable(inject('dynamoUrl'));
  store = storeFor({ doc: table.doc, tableName: table.tableName });
  app = applicationFor(store);
  lifecycle = orderLifecycle(store);
  payments = paymentsOver(store, fakePaymentProviders({}).providers);
  const returnsRepo = returnRepository(store.ctx);
  outbound = makeOutbound({
    ctx: store.ctx, orders: store.orders, outbound: store.outbound, returns: returnsRepo, payments: store.payments, settings: store.settings, writer: store.writer,
    waybillCarrierFor: () => undefined, notifyUrl: (c) => `https://api.test/webhooks/carriers/${c}`,
  });
  returns = makeReturns({ orders: store.orders, outbound: store.outbound, returns: returnsRepo, payments: store.payments, settings: store.settings, writer: store.writer });
});
afterAll(() => table?.drop());

let seq = 0;
async function skus(n: number, onHand = 10): Promise<string[]> {
  const prefix = `RET${++seq}${Math.random().toString(36).slice(2, 5).toUpperCase()}`;
  const list = Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
  await Promise.all(list.map((sku) => stocked(app, sku, onHand)));
  return list;
}

/** An order paid by a confirmed bank transfer, shipped in one parcel and delivered at NOW. */
const delivered = (lines: { sku: string; quantity: number }[]) => deliveredOrder({ app, lifecycle, payments, outbound }, lines);

async function level(sku: string) {
  const s = await store.stock.reconciliationSnapshot(sku);
  return { onHand: s.total!.onHand, reserved: s.total!.reserved, available: s.total!.available };
}
const money = async (orderId: string) => store.payments.money(orderId);
async function outbox(orderId: string): Promise<string[]> {
  const res = await table.doc.send(new QueryCommand({
    TableName: table.tableName, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
    ExpressionAttributeValues: { ':pk': keys.orderPartition(orderId), ':p': keys.outboxPrefix }, ConsistentRead: true,
  }));
  return (res.Items ?? []).map((i) => String(i.detailType));
}

describe('returns on the table', () => {
  it('part of a 2-line order returned with one line damaged: restock and write-off in the ledger, the received units refunded once', async () => {
    const [a, b] = await skus(2);
    const orderId = await delivered([{ sku: a!, quantity: 3 }, { sku: b!, quantity: 2 }]);
    expect(await level(a!)).toEqual({ onHand: 7, reserved: 0, available: 7 });

    const r = await returns.request(orderId, {
      type: 'return', lines: [{ sku: a!, quantity: 2, reason: 'too small' }, { sku: b!, quantity: 1, reason: 'broken' }],
    }, { ...opts(CS, LATER), storefront: undefined });
    expect(r).toMatchObject({ status: 'REQUESTED', kind: 'return', lines: [{ sku: a, quantity: 2 }, { sku: b, quantity: 1 }] });

    const approved = await returns.approve(r.returnId, opts(CS, LATER));
    const again = await returns.approve(r.returnId, opts(CS, LATER));
    expect([approved.status, again.status, again.version]).toEqual(['APPROVED', 'APPROVED', approved.version]);

    const receipt = [{ sku: a!, quantity: 2, condition: 'resellable' as const }, { sku: b!, quantity: 1, condition: 'damaged' as const }];
    const [first, second] = await Promise.all([returns.receive(r.returnId, receipt, undefined, opts(OPS, LATER)), returns.receive(r.returnId, receipt, undefined, opts(OPS, LATER))]);
    expect(first.status).toBe('REFUNDED');
    expect(second.refund).toEqual(first.refund);
    // 3 units at 10.00: one refund of 30.00 naming the return
    expect(first.refund!.amount).toEqual({ amount: 3000, currency: 'CNY' });
    const m = await money(orderId);
    expect(m.refunds).toEqual([expect.objectContaining({ refundId: first.refund!.refundId, amount: { amount: 3000, currency: 'CNY' }, reasonCode: 'RETURNED', returnId: r.returnId, status: 'PENDING' })]);

    // resellable units back on hand and available; the damaged unit never available
    expect(await level(a!)).toEqual({ onHand: 9, reserved: 0, available: 9 });
    expect(await level(b!)).toEqual({ onHand: 8, reserved: 0, available: 8 });
    const ledgerA = (await store.ledger.ledger(a!)).filter((e) => e.orderId === orderId).map((e) => [e.movement, e.quantity, e.availableDelta]);
    const ledgerB = (await store.ledger.ledger(b!)).filter((e) => e.orderId === orderId).map((e) => [e.movement, e.quantity, e.availableDelta]);
    expect(ledgerA).toContainEqual(['RETURNED', 2, 2]);
    expect(ledgerB).toContainEqual(['DAMAGED', 1, 0]);
    expect(ledgerB.filter(([m]) => m === 'RETURNED')).toEqual([]);

    const view = withOutbound((await store.orders.get(orderId))!);
    expect(view.outbound!.lines.map((l) => [l.sku, l.delivered, l.returned])).toEqual([[a, 3, 2], [b, 2, 1]]);
    const events = await outbox(orderId);
    for (const e of ['ReturnRequested', 'ReturnApproved', 'ReturnReceived', 'RefundStarted']) expect(events.filter((x) => x === e)).toHaveLength(1);
  });

  it('two requests racing for the last unit: one wins, the other is a 409 naming what is left', async () => {
    const [a] = await skus(1);
    const orderId = await delivered([{ sku: a!, quantity: 1 }]);
    const ask = () => returns.request(orderId, { type: 'return', lines: [{ sku: a!, quantity: 1, reason: 'changed my mind' }] }, { ...opts(CS, LATER), storefront: SHOP });
    const results = await Promise.allSettled(Array.from({ length: 4 }, ask));
    expect(results.filter((x) => x.status === 'fulfilled')).toHaveLength(1);
    for (const x of results.filter((y) => y.status === 'rejected')) expect((x as PromiseRejectedResult).reason).toMatchObject({ status: 409, slug: 'over-return' });
    expect((await returns.ofOrder(orderId)).returns).toHaveLength(1);
  });

  it('claims are refunded on approval, never beyond what was captured; a storefront after the window is refused', async () => {
    const [a] = await skus(1);
    const orderId = await delivered([{ sku: a!, quantity: 2 }]);
    // finance already refunded 15.00 of the 20.00 captured
    await payments.requestRefund(orderId, { amount: { amount: 1500, currency: 'CNY' }, reason: 'goodwill' }, opts({ kind: 'user', id: 'u-fin', role: 'finance' }));
    const claim = await returns.request(orderId, { type: 'claim', lines: [{ sku: a!, quantity: 1, reason: 'missing from the parcel' }] }, opts(CS, LATER));
    expect(claim.status).toBe('REQUESTED');
    await expect(returns.receive(claim.returnId, [{ sku: a!, quantity: 1, condition: 'resellable' }], undefined, opts(OPS, LATER))).rejects.toMatchObject({ status: 409 });
    const [x, y] = await Promise.all([returns.approve(claim.returnId, opts(CS, LATER)), returns.approve(claim.returnId, opts(CS, LATER))]);
    expect(x.status).toBe('REFUNDED');
    expect(y.refund).toEqual(x.refund);
    // worth 10.00, but only 5.00 is left of the charge
    expect(x.refund!.amount).toEqual({ amount: 500, currency: 'CNY' });
    const m = await money(orderId);
    expect(m.refunds.reduce((t, r) => t + r.amount.amount, 0)).toBe(2000);
    expect(m.payments[0]!.refundReserved).toBe(2000);

    // the storefront after the 7-day window: 403; customer service still may
    const late = new Date(NOW.getTime() + 8 * 86_400_000);
    await expect(returns.request(orderId, { type: 'return', lines: [{ sku: a!, quantity: 1, reason: 'late' }] }, { ...opts(CS, late), storefront: SHOP }))
      .rejects.toMatchObject({ status: 403 });
  });

  it('an open return holds completion; once closed the order completes', async () => {
    const [a] = await skus(1);
    const orderId = await delivered([{ sku: a!, quantity: 2 }]);
    const r = await returns.request(orderId, { type: 'return', lines: [{ sku: a!, quantity: 1, reason: 'spare' }] }, opts(CS, LATER));
    const due = new Date(NOW.getTime() + 8 * 86_400_000);
    await outbound.completeDue({ causationId: 'run', now: due });
    expect((await store.orders.getRecord(orderId))!.status).toBe('DELIVERED');
    await returns.reject(r.returnId, 'not eligible', opts(CS, LATER));
    await expect(returns.close(r.returnId, opts(CS, LATER))).resolves.toMatchObject({ status: 'CLOSED' });
    await outbound.completeDue({ causationId: 'run', now: due });
    expect((await store.orders.getRecord(orderId))!.status).toBe('COMPLETED');
  });

  it('the returns-by-status index follows every status change in its transaction, oldest first, paged, by type', async () => {
    const [a, b] = await skus(2);
    const orderId = await delivered([{ sku: a!, quantity: 3 }, { sku: b!, quantity: 2 }]);
    const at = (minutes: number) => new Date(LATER.getTime() + minutes * 60_000);
    const r1 = await returns.request(orderId, { type: 'return', lines: [{ sku: a!, quantity: 1, reason: 'one' }] }, opts(CS, at(1)));
    const r2 = await returns.request(orderId, { type: 'return', lines: [{ sku: a!, quantity: 1, reason: 'two' }] }, opts(CS, at(2)));
    const c3 = await returns.request(orderId, { type: 'claim', lines: [{ sku: b!, quantity: 1, reason: 'three' }] }, opts(CS, at(3)));
    const r4 = await returns.request(orderId, { type: 'return', lines: [{ sku: a!, quantity: 1, reason: 'four' }] }, opts(CS, at(4)));
    const mine = new Set([r1, r2, c3, r4].map((r) => r.returnId));

    /** every page of a status (limit 1, so the cursor is walked), only this test's returns */
    async function listed(status: Parameters<Returns['inStatus']>[0], type?: 'return' | 'claim'): Promise<string[]> {
      const ids: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await returns.inStatus(status, { type, limit: 1, cursor });
        expect(page.items.length).toBeLessThanOrEqual(1);
        ids.push(...page.items.map((r) => r.returnId));
        cursor = page.nextCursor;
      } while (cursor);
      return ids.filter((id) => mine.has(id));
    }

    expect(await listed('REQUESTED')).toEqual([r1.returnId, r2.returnId, c3.returnId, r4.returnId]);
    expect(await listed('REQUESTED', 'claim')).toEqual([c3.returnId]);
    expect(await listed('REQUESTED', 'return')).toEqual([r1.returnId, r2.returnId, r4.returnId]);

    await returns.approve(r1.returnId, opts(CS, at(5)));
    await returns.approve(r2.returnId, opts(CS, at(5)));
    await returns.approve(c3.returnId, opts(CS, at(5)));
    await returns.reject(r4.returnId, 'not eligible', opts(CS, at(5)));
    expect(await listed('REQUESTED')).toEqual([]);
    expect(await listed('APPROVED')).toEqual([r1.returnId, r2.returnId]);
    // a claim is refunded on approval: it goes straight to REFUNDED
    expect(await listed('REFUNDED')).toEqual([c3.returnId]);
    expect(await listed('REJECTED')).toEqual([r4.returnId]);

    await returns.receive(r2.returnId, [{ sku: a!, quantity: 1, condition: 'resellable' }], undefined, opts(OPS, at(6)));
    expect(await listed('APPROVED')).toEqual([r1.returnId]);
    expect(await listed('REFUNDED')).toEqual([r2.returnId, c3.returnId]);

    await returns.close(r2.returnId, opts(CS, at(7)));
    await returns.close(r4.returnId, opts(CS, at(7)));
    expect(await listed('REFUNDED')).toEqual([c3.returnId]);
    expect(await listed('REJECTED')).toEqual([]);
    // each return is in exactly one status's list, and the one it is in says so
    expect(await listed('CLOSED')).toEqual([r2.returnId, r4.returnId]);
    const closed = (await returns.inStatus('CLOSED', { limit: 100 })).items.filter((r) => mine.has(r.returnId));
    expect(closed.map((r) => [r.status, r.version > 1])).toEqual([['CLOSED', true], ['CLOSED', true]]);

    // a cursor of another status's list (or altered) is refused
    const page = await returns.inStatus('CLOSED', { limit: 1 });
    expect(page.nextCursor).toBeDefined();
    await expect(returns.inStatus('REFUNDED', { limit: 1, cursor: page.nextCursor })).rejects.toMatchObject({ status: 400 });
    await expect(returns.inStatus('CLOSED', { limit: 1, cursor: `${page.nextCursor}x` })).rejects.toMatchObject({ status: 400 });
  });
});
