import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { application as repositories, type Application as Repositories } from '../../../shared/app';
import { makeReserveStock } from '../../../shared/app/reserve-stock';
import { storeFor } from '../../../shared/store';
import { NOW, pendingOrder, stocked } from '../../support/fixtures';
import { createTestTable, type TestTable } from '../../support/table';

let table: TestTable;
let repos: Repositories;

beforeAll(async () => {
  table = await createTestTable(inject('dynamoUrl'));
  repos = repositories(table.doc, table.tableName);
});
afterAll(() => table?.drop());

describe('reserving stock for orders', () => {
  it('50 concurrent single-unit orders for 10 units: exactly 10 reserved, 40 rejected, never negative', async () => {
    await stocked(repos, 'LAST-UNITS', 10);
    const orderIds = await Promise.all(Array.from({ length: 50 }, () => pendingOrder(repos, [{ sku: 'LAST-UNITS', quantity: 1 }])));

    // a reader polls the level while the reservations race
    let racing = true;
    const seen: number[] = [];
    const reader = (async () => {
      while (racing) {
        const level = await repos.stock.get('LAST-UNITS');
        seen.push(level.available);
        expect(level.reserved).toBeLessThanOrEqual(level.onHand);
      }
    })();

    const outcomes = await Promise.all(orderIds.map((id, i) => repos.orders.reserve(id, `evt-${i}`, NOW)));
    racing = false;
    await reader;

    expect(outcomes.filter((o) => o.outcome === 'reserved')).toHaveLength(10);
    expect(outcomes.filter((o) => o.outcome === 'rejected')).toHaveLength(40);
    expect(await repos.stock.get('LAST-UNITS')).toEqual({ sku: 'LAST-UNITS', onHand: 10, reserved: 10, available: 0 });
    expect(seen.length).toBeGreaterThan(0);
    expect(Math.min(...seen)).toBeGreaterThanOrEqual(0);

    const orders = await Promise.all(orderIds.map((id) => repos.orders.get(id)));
    expect(orders.filter((o) => o?.status === 'IN_REVIEW')).toHaveLength(10);
    const rejected = orders.filter((o) => o?.status === 'REJECTED');
    expect(rejected).toHaveLength(40);
    expect(rejected[0]!.rejectionReason).toContain('LAST-UNITS');
    expect(rejected[0]!.shortages).toEqual([{ sku: 'LAST-UNITS', requested: 1, available: 0 }]);
  });

  it('an order for two SKUs where one is short reserves neither and names the short SKU', async () => {
    await stocked(repos, 'PLENTY', 100);
    await stocked(repos, 'SCARCE', 1);
    const id = await pendingOrder(repos, [
      { sku: 'PLENTY', quantity: 5 },
      { sku: 'SCARCE', quantity: 3 },
    ]);

    const outcome = await repos.orders.reserve(id, 'evt', NOW);

    expect(outcome).toEqual({ outcome: 'rejected', shortages: [{ sku: 'SCARCE', requested: 3, available: 1 }] });
    expect(await repos.stock.get('PLENTY')).toEqual({ sku: 'PLENTY', onHand: 100, reserved: 0, available: 100 });
    expect(await repos.stock.get('SCARCE')).toEqual({ sku: 'SCARCE', onHand: 1, reserved: 0, available: 1 });
    const order = await repos.orders.get(id);
    expect(order).toMatchObject({ status: 'REJECTED', version: 2 });
    expect(order!.rejectionReason).toBe('Insufficient stock: SCARCE (requested 3, available 1)');
    expect(order!.reservations).toBeUndefined();
    expect(order!.timeline.map((t) => t.type)).toEqual(['ORDER_PLACED', 'ORDER_REJECTED']);
  });

  it('checks two lines of the same SKU against their total', async () => {
    await stocked(repos, 'PAIR', 3);
    const tooMany = await pendingOrder(repos, [
      { sku: 'PAIR', quantity: 2 },
      { sku: 'PAIR', quantity: 2 },
    ]);
    expect(await repos.orders.reserve(tooMany, 'evt', NOW)).toEqual({
      outcome: 'rejected',
      shortages: [{ sku: 'PAIR', requested: 4, available: 3 }],
    });

    const fits = await pendingOrder(repos, [
      { sku: 'PAIR', quantity: 1 },
      { sku: 'PAIR', quantity: 2 },
    ]);
    expect(await repos.orders.reserve(fits, 'evt', NOW)).toEqual({ outcome: 'reserved', reservations: [{ sku: 'PAIR', quantity: 3 }], reorderCheck: [], placedAt: expect.any(String) });
    expect(await repos.stock.get('PAIR')).toEqual({ sku: 'PAIR', onHand: 3, reserved: 3, available: 0 });
  });

  it('names for the reorder follow-up only the SKUs with a reorder point, even one set between planning and reserving', async () => {
    await stocked(repos, 'NO-POINT', 10);
    await stocked(repos, 'HAS-POINT', 10);
    await repos.stock.setReorderSettings('HAS-POINT', { reorderPoint: 2, leadTimeDays: 1, safetyStock: 0 }, NOW, 'seed');
    const both = await pendingOrder(repos, [{ sku: 'NO-POINT', quantity: 1 }, { sku: 'HAS-POINT', quantity: 1 }]);
    expect(await repos.orders.reserve(both, 'evt', NOW)).toMatchObject({ outcome: 'reserved', reorderCheck: ['HAS-POINT'] });

    // planned without a reorder point, which is set before the reservation commits: planned again
    await stocked(repos, 'LATE-POINT', 10);
    const store = storeFor({ doc: table.doc, tableName: table.tableName });
    let plans = 0;
    const reserve = makeReserveStock({
      ...store,
      stock: {
        ...store.stock,
        async planningLevels(skus, locationIds) {
          const levels = await store.stock.planningLevels(skus, locationIds);
          if (plans++ === 0) await repos.stock.setReorderSettings('LATE-POINT', { reorderPoint: 20, leadTimeDays: 1, safetyStock: 0 }, NOW, 'seed');
          return levels;
        },
      },
    });
    const late = await pendingOrder(repos, [{ sku: 'LATE-POINT', quantity: 1 }]);
    expect(await reserve(late, 'evt', NOW)).toMatchObject({ outcome: 'reserved', reorderCheck: ['LATE-POINT'] });
    expect(plans).toBe(2);
    expect(await repos.stock.get('LATE-POINT')).toEqual({ sku: 'LATE-POINT', onHand: 10, reserved: 1, available: 9 });
  });

  it('a redelivered reservation changes nothing (sequentially and concurrently)', async () => {
    await stocked(repos, 'REDELIVER', 10);
    const id = await pendingOrder(repos, [{ sku: 'REDELIVER', quantity: 2 }]);

    const first = await repos.orders.reserve(id, 'evt', NOW);
    const again = await repos.orders.reserve(id, 'evt', NOW);
    expect(first.outcome).toBe('reserved');
    expect(again).toEqual({ outcome: 'skipped', status: 'IN_REVIEW' });

    const id2 = await pendingOrder(repos, [{ sku: 'REDELIVER', quantity: 3 }]);
    const burst = await Promise.all(Array.from({ length: 5 }, () => repos.orders.reserve(id2, 'evt', NOW)));
    expect(burst.filter((o) => o.outcome === 'reserved')).toHaveLength(1);

    expect(await repos.stock.get('REDELIVER')).toEqual({ sku: 'REDELIVER', onHand: 10, reserved: 5, available: 5 });
    const order = await repos.orders.get(id2);
    expect(order).toMatchObject({ status: 'IN_REVIEW', version: 2, reservations: [{ sku: 'REDELIVER', quantity: 3 }] });
    expect(order!.timeline.map((t) => t.type)).toEqual(['ORDER_PLACED', 'STOCK_RESERVED']);
  });

  it('an order for a product that was never stocked is rejected with 0 available', async () => {
    await stocked(repos, 'NEVER-STOCKED', 0);
    const id = await pendingOrder(repos, [{ sku: 'NEVER-STOCKED', quantity: 1 }]);
    expect(await repos.orders.reserve(id, 'evt', NOW)).toEqual({
      outcome: 'rejected',
      shortages: [{ sku: 'NEVER-STOCKED', requested: 1, available: 0 }],
    });
  });
});
