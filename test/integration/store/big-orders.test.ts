import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { applicationFor, type Application } from '../../../shared/app';
import { makeOrderLifecycle } from '../../../shared/app/order-lifecycle';
import { makeReserveStock, makeSettleHolds } from '../../../shared/app/reserve-stock';
import type { Actor } from '../../../shared/domain/lifecycle';
import { DEFAULT_LOCATION_ID } from '../../../shared/domain/replenishment';
import { storeFor, type Store } from '../../../shared/store';
import type { Writer } from '../../../shared/store/writer';
import { NOW, pendingOrder, stocked } from '../../support/fixtures';
import { createTestTable, type TestTable } from '../../support/table';

// Orders of up to 100 SKUs: more than one transaction can move, so they reserve and
// end their holds in stages. What a user checks: the order's status, every SKU's
// level, its holds and its ledger.

let table: TestTable;
let store: Store;
let app: Application;

beforeAll(async () => {
  table = await createTestTable(inject('dynamoUrl'));
  store = storeFor({ doc: table.doc, tableName: table.tableName });
  app = applicationFor(store);
});
afterAll(() => table?.drop());

const OPS: Actor = { kind: 'user', id: 'u-ops', role: 'ops' };
const CS: Actor = { kind: 'user', id: 'u-cs', role: 'cs' };
const opts = { causationId: 'test', now: NOW, paymentDeadlineMinutes: 60 };

let catalogSeq = 0;
/** `count` fresh SKUs with `onHand` units each. */
async function catalog(count: number, onHand: number): Promise<string[]> {
  const prefix = `BIG${++catalogSeq}`;
  const skus = Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(3, '0')}`);
  for (let i = 0; i < skus.length; i += 25) await Promise.all(skus.slice(i, i + 25).map((sku) => stocked(app, sku, onHand)));
  return skus;
}

const lines = (skus: readonly string[], quantity = 1) => skus.map((sku) => ({ sku, quantity }));

/** Per SKU: the total level, the live holds (any order) and this order's ledger entries. */
async function stockOf(sku: string, orderId?: string) {
  const snapshot = await store.stock.reconciliationSnapshot(sku);
  // entries written in the same millisecond have no order among themselves
  const ledger = orderId ? (await store.ledger.ledger(sku)).filter((e) => e.orderId === orderId).map((e) => String(e.movement)).sort() : [];
  return { total: snapshot.total!, holds: snapshot.holds, ledger };
}

const inBatches = async <T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> => {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += 20) out.push(...(await Promise.all(items.slice(i, i + 20).map(fn))));
  return out;
};

/** A writer that fails like a crashed worker on its `n`-th commit (1-based), after running `before` for each commit. */
function faultyWriter(n: number, before: (call: number) => Promise<void> = async () => {}): Pick<Writer, 'commit'> {
  let calls = 0;
  return {
    async commit(set) {
      calls++;
      await before(calls);
      if (calls === n) throw new Error('worker crashed');
      return store.writer.commit(set);
    },
  };
}

const reserverWith = (writer: Pick<Writer, 'commit'>) => makeReserveStock({ orders: store.orders, stock: store.stock, locations: store.locations, writer });

describe('orders of 100 lines', () => {
  it('a 100-line order is reserved: every SKU held once, levels moved once, one ledger entry each', async () => {
    const skus = await catalog(100, 5);
    const orderId = await pendingOrder(app, lines(skus, 2));

    const outcome = await app.orders.reserve(orderId, 'evt', NOW);

    expect(outcome.outcome).toBe('reserved');
    const order = await app.orders.get(orderId);
    expect(order).toMatchObject({ status: 'IN_REVIEW', version: 2 });
    expect(order!.reservations).toHaveLength(100);
    expect(order!.timeline.map((t) => t.type)).toEqual(['ORDER_PLACED', 'STOCK_RESERVED']);
    for (const s of await inBatches(skus, (sku) => stockOf(sku, orderId))) {
      expect(s.total).toMatchObject({ onHand: 5, reserved: 2, available: 3 });
      expect(s.holds).toEqual([{ orderId, locationId: DEFAULT_LOCATION_ID, quantity: 2 }]);
      expect(s.ledger).toEqual(['RESERVE']);
    }
  });

  it('two lines of the same SKU in a 100-line order are reserved as their sum', async () => {
    const skus = await catalog(99, 3);
    const orderId = await pendingOrder(app, [...lines(skus), { sku: skus[0]!, quantity: 2 }]);
    expect((await app.orders.reserve(orderId, 'evt', NOW)).outcome).toBe('reserved');
    expect((await stockOf(skus[0]!)).total).toMatchObject({ onHand: 3, reserved: 3, available: 0 });
    expect((await stockOf(skus[98]!)).total).toMatchObject({ reserved: 1 });
  });

  it('a 100-line order with one SKU short is rejected naming it, and holds nothing', async () => {
    const skus = await catalog(100, 1);
    const orderId = await pendingOrder(app, [...lines(skus.slice(0, 99)), { sku: skus[99]!, quantity: 2 }]);

    expect(await app.orders.reserve(orderId, 'evt', NOW)).toEqual({ outcome: 'rejected', shortages: [{ sku: skus[99], requested: 2, available: 1 }] });
    expect(await app.orders.get(orderId)).toMatchObject({ status: 'REJECTED', shortages: [{ sku: skus[99], requested: 2, available: 1 }] });
    for (const s of await inBatches(skus, (sku) => stockOf(sku, orderId))) {
      expect(s.total).toMatchObject({ onHand: 1, reserved: 0, available: 1 });
      expect(s.holds).toEqual([]);
      expect(s.ledger).toEqual([]);
    }
  });

  it('a 100-line order racing 20 others (each delivered twice at once) for the same SKUs never oversells', async () => {
    const skus = await catalog(100, 2);
    // the big order wants one of each; the others want overlapping windows of 10 to 45 SKUs
    const others = Array.from({ length: 20 }, (_, i) => {
      const size = i % 2 === 0 ? 10 : 45;
      const from = (i * 17) % (100 - size);
      return lines(skus.slice(from, from + size));
    });
    const orders = await Promise.all([lines(skus), ...others].map(async (l) => ({ orderId: await pendingOrder(app, l), skus: l.map((x) => x.sku) })));

    let racing = true;
    const reader = (async () => {
      let reads = 0;
      while (racing) {
        const level = await store.stock.get(skus[reads++ % 100]!);
        expect(level.reserved).toBeLessThanOrEqual(level.onHand);
        expect(level.available).toBeGreaterThanOrEqual(0);
      }
      return reads;
    })();
    const outcomes = await Promise.all(orders.flatMap((o, i) => [app.orders.reserve(o.orderId, `evt-${i}`, NOW), app.orders.reserve(o.orderId, `evt-${i}`, NOW)]));
    racing = false;
    expect(await reader).toBeGreaterThan(0);

    const statuses = await Promise.all(orders.map(async (o) => (await app.orders.get(o.orderId))!.status));
    expect(statuses.every((s) => s === 'IN_REVIEW' || s === 'REJECTED')).toBe(true);
    expect(statuses.filter((s) => s === 'REJECTED').length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s === 'IN_REVIEW').length).toBeGreaterThan(0);
    // one reservation or one rejection per order, whatever the number of deliveries
    expect(outcomes.filter((o) => o.outcome !== 'skipped')).toHaveLength(orders.length);

    const reservedBy = new Map(orders.map((o, i) => [o.orderId, statuses[i] === 'IN_REVIEW']));
    for (const sku of skus) {
      const { total, holds } = await stockOf(sku);
      const wanted = orders.filter((o) => reservedBy.get(o.orderId) && o.skus.includes(sku)).map((o) => o.orderId).sort();
      expect(holds.map((h) => h.orderId).sort(), sku).toEqual(wanted);
      expect(total.reserved, sku).toBe(wanted.length);
      expect(total.reserved, sku).toBeLessThanOrEqual(total.onHand);
      expect(total.available, sku).toBe(total.onHand - total.reserved);
    }
  });

  it('a reservation that crashed after its first stage ends reserved on redelivery, each SKU moved once', async () => {
    const skus = await catalog(100, 3);
    const orderId = await pendingOrder(app, lines(skus));

    await expect(reserverWith(faultyWriter(2))(orderId, 'evt', NOW)).rejects.toThrow('worker crashed');
    const midway = await inBatches(skus, (sku) => stockOf(sku));
    expect(midway.filter((s) => s.total.reserved === 1)).toHaveLength(20);
    expect((await app.orders.get(orderId))!.status).toBe('PENDING');

    const [again, twice] = await Promise.all([app.orders.reserve(orderId, 'evt', NOW), app.orders.reserve(orderId, 'evt', NOW)]);
    expect([again.outcome, twice.outcome].sort()).toEqual(['reserved', 'skipped']);
    expect(await app.orders.reserve(orderId, 'evt', NOW)).toEqual({ outcome: 'skipped', status: 'IN_REVIEW' });
    for (const s of await inBatches(skus, (sku) => stockOf(sku, orderId))) {
      expect(s.total).toMatchObject({ onHand: 3, reserved: 1, available: 2 });
      expect(s.holds).toHaveLength(1);
      expect(s.ledger).toEqual(['RESERVE']);
    }
  });

  it('a level taken mid-way rejects the order; a crash before the release is finished on redelivery', async () => {
    const skus = await catalog(100, 1);
    const orderId = await pendingOrder(app, lines(skus));
    // another sale takes SKU 70 once the first stage is written; the worker dies releasing
    const takeAway = async (call: number) => {
      if (call === 2) await app.stock.adjust({ sku: skus[70]!, delta: -1, reason: 'DAMAGED', actor: 'test', causationId: 'seed' }, NOW);
    };
    // commits: stage 1, stage 2, stage 3, stage 4 (short), the rejection, the first release stage (crash)
    await expect(reserverWith(faultyWriter(6, takeAway))(orderId, 'evt', NOW)).rejects.toThrow('worker crashed');
    const order = await app.orders.get(orderId);
    expect(order).toMatchObject({ status: 'REJECTED', shortages: [{ sku: skus[70], requested: 1, available: 0 }] });
    expect((await inBatches(skus, (sku) => stockOf(sku))).filter((s) => s.holds.length > 0)).toHaveLength(60);

    expect(await app.orders.reserve(orderId, 'evt', NOW)).toEqual({ outcome: 'skipped', status: 'REJECTED' });
    for (const s of await inBatches(skus, (sku) => stockOf(sku, orderId))) {
      expect(s.total.reserved).toBe(0);
      expect(s.holds).toEqual([]);
      expect(s.ledger).toEqual(s.ledger.length ? ['RELEASE', 'RESERVE'] : []);
    }
  });

  it('a 100-line order cancelled while it reserves gives back what its stages held', async () => {
    const skus = await catalog(100, 2);
    const orderId = await pendingOrder(app, lines(skus));
    const cancelMidway = async (call: number) => {
      if (call === 3) await app.lifecycle.transition(orderId, { type: 'cancel', actor: CS, reason: 'customer called' }, opts);
    };
    expect(await reserverWith(faultyWriter(0, cancelMidway))(orderId, 'evt', NOW)).toEqual({ outcome: 'skipped', status: 'CANCELLED' });
    for (const s of await inBatches(skus, (sku) => stockOf(sku, orderId))) {
      expect(s.total).toMatchObject({ onHand: 2, reserved: 0, available: 2 });
      expect(s.holds).toEqual([]);
    }
  });

  it('a reserved 100-line order cancelled releases everything once, however often it is retried', async () => {
    const skus = await catalog(100, 4);
    const orderId = await pendingOrder(app, lines(skus, 3));
    expect((await app.orders.reserve(orderId, 'evt', NOW)).outcome).toBe('reserved');

    const [first, second] = await Promise.allSettled([
      app.lifecycle.transition(orderId, { type: 'cancel', actor: CS, reason: 'customer called' }, opts),
      app.lifecycle.transition(orderId, { type: 'cancel', actor: CS, reason: 'customer called' }, opts),
    ]);
    expect([first.status, second.status].sort()).toEqual(['fulfilled', 'rejected']);
    expect(await app.orders.settleHolds((await app.orders.getRecord(orderId))!, { causationId: 'again', now: NOW })).toBe(0);

    expect(await app.orders.get(orderId)).toMatchObject({ status: 'CANCELLED' });
    for (const s of await inBatches(skus, (sku) => stockOf(sku, orderId))) {
      expect(s.total).toMatchObject({ onHand: 4, reserved: 0, available: 4 });
      expect(s.holds).toEqual([]);
      expect(s.ledger).toEqual(['RELEASE', 'RESERVE']);
    }
  });

  it('a cancel that stopped half-way through the release is finished by the event it published', async () => {
    const skus = await catalog(100, 2);
    const orderId = await pendingOrder(app, lines(skus));
    expect((await app.orders.reserve(orderId, 'evt', NOW)).outcome).toBe('reserved');
    // commits: the cancellation, the first release stage, the second (crash)
    const writer = faultyWriter(3);
    const crashing = makeOrderLifecycle({ orders: store.orders, writer, settleHolds: makeSettleHolds({ stock: store.stock, writer }) });
    await expect(crashing.transition(orderId, { type: 'cancel', actor: CS, reason: 'customer called' }, opts)).rejects.toThrow('worker crashed');
    expect(await app.orders.get(orderId)).toMatchObject({ status: 'CANCELLED' });
    expect((await inBatches(skus, (sku) => stockOf(sku))).filter((s) => s.holds.length > 0)).toHaveLength(80);

    // OrderCancelled reaches the reservations queue: the worker ends what is left
    expect(await app.orders.reserve(orderId, 'evt-cancelled', NOW)).toEqual({ outcome: 'skipped', status: 'CANCELLED' });
    for (const s of await inBatches(skus, (sku) => stockOf(sku, orderId))) {
      expect(s.total).toMatchObject({ onHand: 2, reserved: 0, available: 2 });
      expect(s.holds).toEqual([]);
      expect(s.ledger).toEqual(['RELEASE', 'RESERVE']);
    }
  });

  it('a shipped 100-line order commits every hold once: the goods leave on-hand', async () => {
    const skus = await catalog(100, 4);
    const orderId = await pendingOrder(app, lines(skus, 3));
    expect((await app.orders.reserve(orderId, 'evt', NOW)).outcome).toBe('reserved');
    await app.lifecycle.transition(orderId, { type: 'approve', actor: OPS }, opts);
    await app.lifecycle.transition(orderId, { type: 'pay', actor: { kind: 'system', id: 'payments' } }, opts);
    await app.lifecycle.transition(orderId, { type: 'start-fulfilment', actor: OPS }, opts);
    await app.lifecycle.transition(orderId, { type: 'ship', actor: OPS }, opts);

    expect(await app.orders.get(orderId)).toMatchObject({ status: 'SHIPPED' });
    for (const s of await inBatches(skus, (sku) => stockOf(sku, orderId))) {
      expect(s.total).toMatchObject({ onHand: 1, reserved: 0, available: 1 });
      expect(s.holds).toEqual([]);
      expect(s.ledger).toEqual(['COMMIT', 'RESERVE']);
    }
  });
});
