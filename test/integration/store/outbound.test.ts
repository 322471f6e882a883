import { GetCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { applicationFor, type Application } from '../../../shared/app';
import { orderLifecycle, type OrderLifecycle } from '../../../shared/app/order-lifecycle';
import { makeOutbound, type Outbound } from '../../../shared/app/outbound';
import { paymentsOver, type Payments } from '../../../shared/app/payments';
import type { Actor } from '../../../shared/domain/actor';
import type { WaybillCarrier, WaybillInput } from '../../../shared/shipping/port';
import { storeFor, type Store } from '../../../shared/store';
import * as keys from '../../../shared/store/keys';
import { withOutbound } from '../../../shared/store/outbound-repository';
import { NOW, pendingOrder, stocked } from '../../support/fixtures';
import { fakePaymentProviders } from '../../support/providers';
import { createTestTable, type TestTable } from '../../support/table';

// Outbound on the local DynamoDB: fulfilment, split shipments with their stock commit,
// delivery, completion; two shipments racing for the same packed units; cash on delivery.

let table: TestTable;
let store: Store;
let app: Application;
let lifecycle: OrderLifecycle;
let payments: Payments;
let outbound: Outbound;
const booked: WaybillInput[] = [];

const OPS: Actor = { kind: 'user', id: 'u-ops', role: 'ops' };
const SHOP: Actor = { kind: 'storefront', id: 'shop-client-1' };
const opts = (now = NOW) => ({ actor: OPS, causationId: 'test', now });

/** A carrier that books a waybill per shipment (its own tracking number), like the sandbox. */
const fakeCarrier: WaybillCarrier = {
  carrier: 'easypost',
  createWaybill: async (input) => {
    booked.push(input);
    return { trackingNumber: `EZ${input.shipmentId.slice(-10)}`, providerRef: `shp_${input.shipmentId}`, estimatedDelivery: '2026-12-03' };
  },
};

beforeAll(async () => {
  table = await createTestTable(inject('dynamoUrl'));
  store = storeFor({ doc: table.doc, tableName: table.tableName });
  app = applicationFor(store);
  lifecycle = orderLifecycle(store);
  payments = paymentsOver(store, fakePaymentProviders({}).providers);
  outbound = makeOutbound({
    ctx: store.ctx, orders: store.orders, outbound: store.outbound, payments: store.payments, settings: store.settings, writer: store.writer,
    waybillCarrierFor: (c) => (c === 'easypost' ? fakeCarrier : undefined),
    notifyUrl: (c) => `https://api.test/webhooks/carriers/${c}`,
    collectCash: (orderId, paymentId, reference, o) => payments.collectCash(orderId, paymentId, reference, o),
  });
});
afterAll(() => table?.drop());

let seq = 0;
async function skus(n: number, onHand = 10): Promise<string[]> {
  const prefix = `OUT${++seq}${Math.random().toString(36).slice(2, 5).toUpperCase()}`;
  const list = Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
  await Promise.all(list.map((sku) => stocked(app, sku, onHand)));
  return list;
}

/** An order reserved and approved: AWAITING_PAYMENT. */
async function approved(lines: { sku: string; quantity: number }[]): Promise<string> {
  const orderId = await pendingOrder(app, lines);
  await app.orders.reserve(orderId, 'evt', NOW);
  await lifecycle.transition(orderId, { type: 'approve', actor: OPS }, { causationId: 'test', now: NOW, paymentDeadlineMinutes: 60 });
  return orderId;
}

async function paid(lines: { sku: string; quantity: number }[]): Promise<string> {
  const orderId = await approved(lines);
  await lifecycle.transition(orderId, { type: 'pay', actor: { kind: 'system', id: 'test' } }, { causationId: 'test', now: NOW });
  return orderId;
}

const status = async (orderId: string) => (await store.orders.getRecord(orderId))!.status;
async function level(sku: string) {
  const s = await store.stock.reconciliationSnapshot(sku);
  return { onHand: s.total!.onHand, reserved: s.total!.reserved, available: s.total!.available, held: s.holds.reduce((a, h) => a + h.quantity, 0), atMain: s.locations[0] };
}

describe('outbound on the table', () => {
  it('a 3-line order shipped in two parcels, delivered and completed; stock committed exactly once per unit', async () => {
    const [a, b, c] = await skus(3);
    const orderId = await paid([{ sku: a!, quantity: 2 }, { sku: b!, quantity: 1 }, { sku: c!, quantity: 3 }]);

    const f = await outbound.createFulfilment(orderId, undefined, opts());
    expect(f).toMatchObject({ status: 'OPEN', lines: [{ sku: a, quantity: 2, locationId: 'MAIN' }, { sku: b, quantity: 1 }, { sku: c, quantity: 3 }] });
    expect(await status(orderId)).toBe('FULFILLING');
    await expect(outbound.createShipment(orderId, { carrier: 'kuaidi100', trackingNumber: 'SF0000000001' }, opts())).rejects.toMatchObject({ status: 409, slug: 'nothing-packed' });
    await outbound.pack(f.fulfillmentId, opts());

    const first = await outbound.createShipment(orderId, { carrier: 'kuaidi100', trackingNumber: `SF1${orderId}`, lines: [{ sku: a!, quantity: 2 }, { sku: c!, quantity: 1 }] }, opts());
    expect(await status(orderId)).toBe('PARTIALLY_SHIPPED');
    expect(await level(a!)).toMatchObject({ onHand: 8, reserved: 0, available: 8, held: 0, atMain: { onHand: 8, reserved: 0 } });
    expect(await level(c!)).toMatchObject({ onHand: 9, reserved: 2, available: 7, held: 2, atMain: { onHand: 9, reserved: 2 } });
    const ledger = (await store.ledger.ledger(c!)).filter((e) => e.orderId === orderId);
    expect(ledger.map((e) => [e.movement, e.reason, e.quantity])).toContainEqual(['COMMIT', 'SHIPPED', 1]);

    // the carrier books the second parcel (no tracking number given)
    const second = await outbound.createShipment(orderId, { carrier: 'easypost' }, opts());
    expect(second.trackingNumber).toMatch(/^EZ/);
    expect(booked.at(-1)).toMatchObject({ shipmentId: second.shipmentId, idempotencyKey: second.shipmentId, to: { city: 'Shanghai', country: 'CN' } });
    expect(second.lines.map((l) => [l.sku, l.quantity])).toEqual([[b, 1], [c, 2]]);
    expect(await status(orderId)).toBe('SHIPPED');
    for (const [sku, onHand] of [[a!, 8], [b!, 9], [c!, 7]] as const) expect(await level(sku)).toMatchObject({ onHand, reserved: 0, available: onHand, held: 0 });

    // the initial tracking record and the staff look-up by tracking number
    const tracking = await table.doc.send(new GetCommand({ TableName: table.tableName, Key: keys.tracking(second.trackingNumber), ConsistentRead: true }));
    expect(tracking.Item).toMatchObject({ status: 'LABEL_CREATED', checkpoints: [], orderId, shipmentId: second.shipmentId, carrier: 'easypost' });
    expect(await store.outbound.ordersByTracking(first.trackingNumber)).toEqual([orderId]);

    expect(await outbound.delivered(orderId, first.shipmentId, '2026-11-29T09:00:00+08:00', { causationId: 'e1', now: NOW })).toEqual({ outcome: 'delivered' });
    expect(await status(orderId)).toBe('PARTIALLY_DELIVERED');
    // redelivered event: nothing changes
    const before = (await store.orders.getRecord(orderId))!.version;
    expect(await outbound.delivered(orderId, first.shipmentId, '2026-11-29T09:00:00+08:00', { causationId: 'e1', now: NOW })).toEqual({ outcome: 'already-delivered' });
    expect((await store.orders.getRecord(orderId))!.version).toBe(before);
    await outbound.delivered(orderId, second.shipmentId, '2026-11-30T10:00:00+08:00', { causationId: 'e2', now: NOW });
    expect(await status(orderId)).toBe('DELIVERED');

    const view = withOutbound((await store.orders.get(orderId))!);
    expect(view.outbound!.lines.map((l) => [l.sku, l.ordered, l.allocated, l.picked, l.shipped, l.delivered, l.returned])).toEqual([
      [a, 2, 2, 2, 2, 2, 0], [b, 1, 1, 1, 1, 1, 0], [c, 3, 3, 3, 3, 3, 0],
    ]);

    // not yet due (return window 7 days), then due
    expect(await outbound.completeDue({ causationId: 'run', now: new Date(NOW.getTime() + 6 * 86_400_000) })).toMatchObject({ completed: 0 });
    const run = await outbound.completeDue({ causationId: 'run', now: new Date(NOW.getTime() + 8 * 86_400_000) });
    expect(run.completed).toBeGreaterThanOrEqual(1);
    expect(await status(orderId)).toBe('COMPLETED');
  });

  it('two shipments of the same packed units at once: one ships, the other is refused, stock committed once', async () => {
    const [a] = await skus(1);
    const orderId = await paid([{ sku: a!, quantity: 3 }]);
    const f = await outbound.createFulfilment(orderId, undefined, opts());
    await outbound.pack(f.fulfillmentId, opts());
    const results = await Promise.allSettled(
      ['T1', 'T2', 'T3'].map((t) => outbound.createShipment(orderId, { carrier: 'kuaidi100', trackingNumber: `${t}${orderId}`, fulfillmentId: f.fulfillmentId }, opts())),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((x) => x.status === 'rejected')) expect((r as PromiseRejectedResult).reason).toMatchObject({ status: 409 });
    expect(await level(a!)).toMatchObject({ onHand: 7, reserved: 0, available: 7, held: 0 });
    expect(await status(orderId)).toBe('SHIPPED');
  });

  it('a tracking number already in use is a 409 and changes nothing', async () => {
    const [a] = await skus(1);
    const one = await paid([{ sku: a!, quantity: 1 }]);
    const two = await paid([{ sku: a!, quantity: 1 }]);
    for (const id of [one, two]) await outbound.pack((await outbound.createFulfilment(id, undefined, opts())).fulfillmentId, opts());
    await outbound.createShipment(one, { carrier: 'kuaidi100', trackingNumber: `DUP${one}` }, opts());
    await expect(outbound.createShipment(two, { carrier: 'kuaidi100', trackingNumber: `DUP${one}` }, opts())).rejects.toMatchObject({ status: 409, slug: 'tracking-number-in-use' });
    expect(await status(two)).toBe('FULFILLING');
    expect(await level(a!)).toMatchObject({ onHand: 9, reserved: 1, held: 1 });
    // a carrier that cannot book needs the tracking number
    await expect(outbound.createShipment(two, { carrier: 'aftership' }, opts())).rejects.toMatchObject({ status: 422 });
  });

  it('a retried create with the same Idempotency-Key answers the first result once; another request under the key is a 409', async () => {
    const [a] = await skus(1);
    const orderId = await paid([{ sku: a!, quantity: 2 }]);
    const claim = (key: string, body: unknown) => ({ scope: 'u-ops', key, requestHash: JSON.stringify(body) });
    const one = { lines: [{ sku: a!, quantity: 1 }] };
    const [f1, f2] = await Promise.all([1, 2].map(() => outbound.createFulfilment(orderId, one.lines, { ...opts(), claim: claim(`k-${orderId}`, one) })));
    expect(f2!.fulfillmentId).toBe(f1!.fulfillmentId);
    expect((await store.outbound.outbound(orderId)).fulfilments).toHaveLength(1);
    await expect(outbound.createFulfilment(orderId, undefined, { ...opts(), claim: claim(`k-${orderId}`, {}) })).rejects.toMatchObject({ status: 409 });

    await outbound.pack(f1!.fulfillmentId, opts());
    const ship = { carrier: 'easypost' as const };
    const s1 = await outbound.createShipment(orderId, ship, { ...opts(), claim: claim(`s-${orderId}`, ship) });
    const s2 = await outbound.createShipment(orderId, ship, { ...opts(), claim: claim(`s-${orderId}`, ship) });
    expect(s2).toEqual(s1);
    expect((await store.outbound.outbound(orderId)).shipments).toHaveLength(1);
    expect(await level(a!)).toMatchObject({ onHand: 9, reserved: 1 });
  });

  it('a cancelled fulfilment gives its units back; a second fulfilment covers them', async () => {
    const [a, b] = await skus(2);
    const orderId = await paid([{ sku: a!, quantity: 2 }, { sku: b!, quantity: 1 }]);
    const f = await outbound.createFulfilment(orderId, [{ sku: a!, quantity: 1 }], opts());
    await expect(outbound.createFulfilment(orderId, [{ sku: a!, quantity: 2 }], opts())).rejects.toMatchObject({ status: 409, slug: 'over-fulfilment' });
    await outbound.cancelFulfilment(f.fulfillmentId, opts());
    const g = await outbound.createFulfilment(orderId, undefined, opts());
    expect(g.lines.map((l) => [l.sku, l.quantity])).toEqual([[a, 2], [b, 1]]);
    await expect(outbound.pack(f.fulfillmentId, opts())).rejects.toMatchObject({ status: 409 });
  });

  it('cash on delivery: fulfilled before payment, settled once when delivered', async () => {
    const [a] = await skus(1);
    const orderId = await approved([{ sku: a!, quantity: 1 }]);
    await expect(outbound.createFulfilment(orderId, undefined, opts())).rejects.toMatchObject({ status: 409 });
    const cod = await payments.start(orderId, 'cod', { actor: SHOP, causationId: 'test', now: NOW });
    const f = await outbound.createFulfilment(orderId, undefined, opts());
    expect(await status(orderId)).toBe('FULFILLING');
    await outbound.pack(f.fulfillmentId, opts());
    const s = await outbound.createShipment(orderId, { carrier: 'kuaidi100', trackingNumber: `COD${orderId}` }, opts());
    await outbound.delivered(orderId, s.shipmentId, '2026-11-29T09:00:00Z', { causationId: 'e1', now: NOW });
    await outbound.delivered(orderId, s.shipmentId, '2026-11-29T09:00:00Z', { causationId: 'e1', now: NOW });
    const money = await payments.list(orderId);
    expect(money.payments.find((p) => p.paymentId === cod.paymentId)).toMatchObject({ status: 'SUCCEEDED' });
    expect(money.money.paid).toEqual((await store.orders.getRecord(orderId))!.totals.total);
    expect(await status(orderId)).toBe('DELIVERED');
  });

  it('an order of 22 SKUs (reserved in stages) ships in two shipments: at most 20 SKUs each', async () => {
    const list = await skus(22, 5);
    const orderId = await paid(list.map((sku) => ({ sku, quantity: 1 })));
    await outbound.pack((await outbound.createFulfilment(orderId, undefined, opts())).fulfillmentId, opts());
    await expect(outbound.createShipment(orderId, { carrier: 'kuaidi100', trackingNumber: `BIG0${orderId}` }, opts())).rejects.toMatchObject({ status: 422, slug: 'shipment-too-large' });
    await outbound.createShipment(orderId, { carrier: 'kuaidi100', trackingNumber: `BIG1${orderId}`, lines: list.slice(0, 20).map((sku) => ({ sku, quantity: 1 })) }, opts());
    await outbound.createShipment(orderId, { carrier: 'kuaidi100', trackingNumber: `BIG2${orderId}` }, opts());
    expect(await status(orderId)).toBe('SHIPPED');
    for (const sku of list) expect(await level(sku)).toMatchObject({ onHand: 4, reserved: 0, held: 0 });
  });

  it('any split of an order into shipments conserves stock: on hand and reserved fall by exactly what shipped, holds match reserved, COMMIT entries sum to it', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }),
      fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 12, maxLength: 12 }),
      async (quantities, chunks) => {
        const list = await skus(quantities.length, 10);
        const orderId = await paid(list.map((sku, i) => ({ sku, quantity: quantities[i]! })));
        await outbound.pack((await outbound.createFulfilment(orderId, undefined, opts())).fulfillmentId, opts());
        const shipped = list.map(() => 0);
        let n = 0;
        while (shipped.some((q, i) => q < quantities[i]!)) {
          const lines = list.flatMap((sku, i) => {
            const q = Math.min(chunks[n++ % chunks.length]!, quantities[i]! - shipped[i]!);
            return q > 0 ? [{ sku, quantity: q }] : [];
          });
          await outbound.createShipment(orderId, { carrier: 'kuaidi100', trackingNumber: `P${n}${orderId}`, lines }, opts());
          lines.forEach((l) => (shipped[list.indexOf(l.sku)]! += l.quantity));
          for (const [i, sku] of list.entries()) {
            const left = quantities[i]! - shipped[i]!;
            expect(await level(sku)).toMatchObject({ onHand: 10 - shipped[i]!, reserved: left, available: 10 - quantities[i]!, held: left });
            const commits = (await store.ledger.ledger(sku)).filter((e) => e.orderId === orderId && e.movement === 'COMMIT');
            expect(commits.reduce((a, e) => a + Number(e.quantity), 0)).toBe(shipped[i]);
          }
        }
        expect(await status(orderId)).toBe('SHIPPED');
      },
    ), { numRuns: 6 });
  });
});
