import { QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { NotFoundError } from '../../../shared/domain/errors';
import { application as repositories, type Application as Repositories } from '../../../shared/app';
import { makeReserveStock } from '../../../shared/app/reserve-stock';
import { storeFor } from '../../../shared/store';
import * as keys from '../../../shared/store/keys';
import { releaseItems, type ReservedLine } from '../../../shared/store/stock-repository';
import { NOW, pendingOrder, product, stocked } from '../../support/fixtures';
import { createTestTable, type TestTable } from '../../support/table';

let table: TestTable;
let repos: Repositories;

beforeAll(async () => {
  table = await createTestTable(inject('dynamoUrl'));
  repos = repositories(table.doc, table.tableName);
  await repos.locations.put('WEST', { name: 'West warehouse', priority: 2 }, NOW);
});
afterAll(() => table?.drop());

const receive = (sku: string, delta: number, locationId?: string) =>
  repos.stock.adjust({ sku, delta, reason: delta > 0 ? 'RECEIVED' : 'DAMAGED', actor: 'test', causationId: 'test', locationId }, NOW);

async function reservedLines(orderId: string): Promise<ReservedLine[]> {
  return ((await repos.orders.get(orderId)) as unknown as { reservations: ReservedLine[] }).reservations;
}

/** The stock side of a release, as the lifecycle's transitions write it. */
const release = async (orderId: string) =>
  table.doc.send(
    new TransactWriteCommand({
      TransactItems: releaseItems(table.tableName, { orderId, lines: await reservedLines(orderId), at: NOW.toISOString(), actor: 'test' }, 'CANCELLED'),
    }),
  );

async function outboxOf(sku: string, detailType: string) {
  const res = await table.doc.send(
    new QueryCommand({
      TableName: table.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': keys.stock(sku).pk, ':p': keys.outboxPrefix },
      ConsistentRead: true,
    }),
  );
  return (res.Items ?? []).filter((i) => i.detailType === detailType).map((i) => JSON.parse(String(i.detail)));
}

describe('stock locations', () => {
  it('lists the default location out of the box and added ones by priority', async () => {
    expect(await repos.locations.list()).toEqual([
      { locationId: 'MAIN', name: 'Main warehouse', priority: 1 },
      { locationId: 'WEST', name: 'West warehouse', priority: 2 },
    ]);
    expect((await repos.locations.put('WEST', { name: 'West DC', priority: 2 }, NOW)).created).toBe(false);
  });

  it('counts stock per location, with totals over all of them', async () => {
    await stocked(repos, 'LOC-1', 4);
    await receive('LOC-1', 6, 'WEST');
    expect(await repos.stock.detail('LOC-1')).toEqual({
      sku: 'LOC-1', onHand: 10, reserved: 0, available: 10,
      locations: [
        { locationId: 'MAIN', onHand: 4, reserved: 0, available: 4 },
        { locationId: 'WEST', onHand: 6, reserved: 0, available: 6 },
      ],
    });
    await expect(receive('LOC-1', 1, 'NOWHERE')).rejects.toBeInstanceOf(NotFoundError);
    // a decrease is checked against the location's own stock, not the total
    await expect(receive('LOC-1', -5, 'MAIN')).rejects.toMatchObject({ status: 409 });
  });

  it('reserves at the first location by priority that covers the whole order, and releases back there', async () => {
    await stocked(repos, 'LOC-A', 5);
    await stocked(repos, 'LOC-B', 1);
    await receive('LOC-A', 5, 'WEST');
    await receive('LOC-B', 5, 'WEST');

    // MAIN comes first but has only 1 LOC-B: the whole order goes to WEST
    const both = await pendingOrder(repos, [{ sku: 'LOC-A', quantity: 2 }, { sku: 'LOC-B', quantity: 2 }]);
    expect((await repos.orders.reserve(both, 'evt-1', NOW)).outcome).toBe('reserved');
    expect(await reservedLines(both)).toEqual([
      { sku: 'LOC-A', quantity: 2, locationId: 'WEST' },
      { sku: 'LOC-B', quantity: 2, locationId: 'WEST' },
    ]);
    // MAIN covers this one
    const one = await pendingOrder(repos, [{ sku: 'LOC-A', quantity: 3 }]);
    expect((await repos.orders.reserve(one, 'evt-2', NOW)).outcome).toBe('reserved');
    expect(await reservedLines(one)).toEqual([{ sku: 'LOC-A', quantity: 3, locationId: 'MAIN' }]);

    expect(await repos.stock.detail('LOC-A')).toMatchObject({
      onHand: 10, reserved: 5, available: 5,
      locations: [{ locationId: 'MAIN', reserved: 3, available: 2 }, { locationId: 'WEST', reserved: 2, available: 3 }],
    });

    await release(both);
    expect(await repos.stock.detail('LOC-B')).toMatchObject({
      onHand: 6, reserved: 0, available: 6,
      locations: [{ locationId: 'MAIN', available: 1 }, { locationId: 'WEST', reserved: 0, available: 5 }],
    });
    // a hold ends once: a second release changes nothing
    await expect(release(both)).rejects.toMatchObject({ name: 'TransactionCanceledException' });
    expect((await repos.stock.get('LOC-B')).reserved).toBe(0);
  });

  it('rejects an order that no single location covers, naming what is short where it came closest', async () => {
    await stocked(repos, 'SPLIT', 2);
    await receive('SPLIT', 2, 'WEST');
    const id = await pendingOrder(repos, [{ sku: 'SPLIT', quantity: 3 }]);
    expect(await repos.orders.reserve(id, 'evt', NOW)).toEqual({
      outcome: 'rejected', shortages: [{ sku: 'SPLIT', requested: 3, available: 2 }],
    });
    expect(await repos.stock.get('SPLIT')).toEqual({ sku: 'SPLIT', onHand: 4, reserved: 0, available: 4 });
  });

  it('reuses the locations it read for the next order, and reads them again before refusing one', async () => {
    const store = storeFor({ doc: table.doc, tableName: table.tableName });
    let lists = 0;
    const reserve = makeReserveStock({
      ...store, locations: { list: () => { lists++; return store.locations.list(); } }, locationsTtlMs: 60_000,
    });
    await stocked(repos, 'REUSE', 2);
    expect((await reserve(await pendingOrder(repos, [{ sku: 'REUSE', quantity: 1 }]), 'evt', NOW)).outcome).toBe('reserved');
    expect((await reserve(await pendingOrder(repos, [{ sku: 'REUSE', quantity: 1 }]), 'evt', NOW)).outcome).toBe('reserved');
    expect(lists).toBe(1);

    // a location added since the list was read, holding what MAIN no longer has: found, not refused
    await repos.locations.put('EAST', { name: 'East warehouse', priority: 3 }, NOW);
    await receive('REUSE', 5, 'EAST');
    const id = await pendingOrder(repos, [{ sku: 'REUSE', quantity: 4 }]);
    expect(await reserve(id, 'evt', NOW)).toMatchObject({ outcome: 'reserved' });
    expect(await reservedLines(id)).toEqual([{ sku: 'REUSE', quantity: 4, locationId: 'EAST' }]);
    expect(lists).toBe(2);
  });
});

describe('levels kept for the next order', () => {
  /** A reservation that may plan from levels it read for earlier orders, counting its reads of them. */
  function keepingReserver() {
    const store = storeFor({ doc: table.doc, tableName: table.tableName });
    const reads = { levels: 0 };
    const reserve = makeReserveStock({
      ...store,
      stock: { ...store.stock, planningLevels: (...args) => { reads.levels++; return store.stock.planningLevels(...args); } },
      locationsTtlMs: 60_000,
      levelsTtlMs: 60_000,
    });
    return { reserve, reads };
  }

  it('plans the next order of the same SKUs from what it read, and reads again when a level moved under it: nothing oversold', async () => {
    const { reserve, reads } = keepingReserver();
    await stocked(repos, 'KEEP-1', 3);
    expect((await reserve(await pendingOrder(repos, [{ sku: 'KEEP-1', quantity: 1 }]), 'evt', NOW)).outcome).toBe('reserved');
    expect((await reserve(await pendingOrder(repos, [{ sku: 'KEEP-1', quantity: 1 }]), 'evt', NOW)).outcome).toBe('reserved');
    expect(reads.levels).toBe(1);

    // another container takes MAIN's last unit; WEST receives two: the kept levels say MAIN still has one
    await receive('KEEP-1', -1, 'MAIN');
    await receive('KEEP-1', 2, 'WEST');
    const id = await pendingOrder(repos, [{ sku: 'KEEP-1', quantity: 1 }]);
    expect(await reserve(id, 'evt', NOW)).toMatchObject({ outcome: 'reserved' });
    // MAIN's condition refused the kept plan; the levels read again sent the order to WEST
    expect(await reservedLines(id)).toEqual([{ sku: 'KEEP-1', quantity: 1, locationId: 'WEST' }]);
    expect(reads.levels).toBe(2);
    expect((await repos.stock.detail('KEEP-1')).locations).toEqual(expect.arrayContaining([
      expect.objectContaining({ locationId: 'MAIN', available: 0, reserved: 2 }),
      expect.objectContaining({ locationId: 'WEST', available: 1, reserved: 1 }),
    ]));
  });

  it('reads the levels again rather than ship from a lower location, or refuse, on what it kept', async () => {
    const { reserve, reads } = keepingReserver();
    await stocked(repos, 'KEEP-2', 1);
    await receive('KEEP-2', 5, 'WEST');
    expect((await reserve(await pendingOrder(repos, [{ sku: 'KEEP-2', quantity: 1 }]), 'evt', NOW)).outcome).toBe('reserved');
    expect(reads.levels).toBe(1);
    // MAIN is empty as kept; it receives stock meanwhile: the order ships from MAIN, not WEST
    await receive('KEEP-2', 4, 'MAIN');
    const fromMain = await pendingOrder(repos, [{ sku: 'KEEP-2', quantity: 2 }]);
    expect(await reserve(fromMain, 'evt', NOW)).toMatchObject({ outcome: 'reserved' });
    expect(await reservedLines(fromMain)).toEqual([{ sku: 'KEEP-2', quantity: 2, locationId: 'MAIN' }]);
    expect(reads.levels).toBe(2);
    // more than any location held as kept: read again before the order is refused
    await receive('KEEP-2', 10, 'MAIN');
    const big = await pendingOrder(repos, [{ sku: 'KEEP-2', quantity: 12 }]);
    expect(await reserve(big, 'evt', NOW)).toMatchObject({ outcome: 'reserved' });
    expect(reads.levels).toBe(3);
  });

  it('reads again when a reorder point was set after it kept a SKU as having none, so the reorder flag follows', async () => {
    const { reserve, reads } = keepingReserver();
    const sku = 'KEEP-REORDER';
    await stocked(repos, sku, 10);
    expect(await reserve(await pendingOrder(repos, [{ sku, quantity: 1 }]), 'evt', NOW)).toMatchObject({ outcome: 'reserved', reorderCheck: [] });
    await repos.stock.setReorderSettings(sku, { reorderPoint: 8, leadTimeDays: 7, safetyStock: 2 }, NOW, 'req');
    // kept: no reorder point; the reservation's condition on that fails, and the levels read again name the SKU for its flag
    expect(await reserve(await pendingOrder(repos, [{ sku, quantity: 2 }]), 'evt', NOW)).toMatchObject({ outcome: 'reserved', reorderCheck: [sku] });
    expect(reads.levels).toBe(2);
  });
});

describe('stock ledger', () => {
  it('records every movement with its cause, newest first, a page at a time', async () => {
    await stocked(repos, 'LEDG', 10);
    const orderId = await pendingOrder(repos, [{ sku: 'LEDG', quantity: 4 }]);
    await repos.orders.reserve(orderId, 'evt', NOW);
    await release(orderId);

    const first = await repos.stock.ledgerPage('LEDG', { limit: 2 });
    expect(first.items.map((e) => [e.movement, e.quantity, e.availableDelta, e.cause.orderId])).toEqual([
      ['RELEASE', 4, 4, orderId],
      ['RESERVE', 4, -4, orderId],
    ]);
    expect(first.items[0]).toMatchObject({ locationId: 'MAIN', reservedDelta: -4, onHandDelta: 0, cause: { reason: 'CANCELLED' } });
    const second = await repos.stock.ledgerPage('LEDG', { limit: 2, cursor: first.nextCursor });
    expect(second.items).toHaveLength(1);
    expect(second.items[0]).toMatchObject({ movement: 'ADJUSTMENT', quantity: 10, onHandDelta: 10, cause: { reason: 'RECEIVED' }, actor: 'test' });
    expect(second.items[0]!.cause.adjustmentId).toEqual(expect.any(String));
  });
});

describe('reorder point', () => {
  it('flags a product once it falls to its reorder point (StockLow once per crossing) and lists it with a suggested quantity', async () => {
    const sku = 'REORDER-1';
    await repos.products.put(sku, { ...product('Reorder me', 500), reorderPoint: 4, leadTimeDays: 7, safetyStock: 2 }, NOW);
    await repos.stock.setReorderSettings(sku, { reorderPoint: 4, leadTimeDays: 7, safetyStock: 2 }, NOW, 'req');
    await receive(sku, 10);
    expect((await repos.stock.listLow({ limit: 50 }, NOW)).items.map((i) => i.sku)).not.toContain(sku);

    const big = await pendingOrder(repos, [{ sku, quantity: 7 }]);
    await repos.orders.reserve(big, 'evt', NOW);
    expect(await repos.stock.syncReorderFlag(sku, NOW, 'evt')).toBe('raised');
    const small = await pendingOrder(repos, [{ sku, quantity: 1 }]);
    await repos.orders.reserve(small, 'evt', NOW);
    expect(await repos.stock.syncReorderFlag(sku, NOW, 'evt')).toBe('unchanged');

    const low = (await repos.stock.listLow({ limit: 50 }, NOW)).items.find((i) => i.sku === sku);
    // 8 units reserved over the 28-day window; lead time demand ceil(8/28*7)=2, + safety 2 - position 2 = 2; lifting above the point needs 3
    expect(low).toMatchObject({ sku, available: 2, position: 2, needsReorder: true, suggestedQuantity: 3 });
    // a new product with no stock is already below its point; the receipt cleared the flag, the order crossed it again
    expect((await outboxOf(sku, 'StockLow')).map((e) => e.data)).toEqual([
      { sku, onHand: 0, reserved: 0, available: 0, reorderPoint: 4 },
      { sku, onHand: 10, reserved: 7, available: 3, reorderPoint: 4 },
    ]);

    // a receipt lifts it above the point: off the list; the next crossing raises StockLow again
    await receive(sku, 20);
    expect((await repos.stock.listLow({ limit: 50 }, NOW)).items.map((i) => i.sku)).not.toContain(sku);
    await receive(sku, -19);
    expect(await outboxOf(sku, 'StockLow')).toHaveLength(3);
  });
});

describe('concurrency across two locations', () => {
  it('keeps 0 <= reserved <= onHand per location and in total, and reserved equal to the live holds', async () => {
    const sku = 'RACE-2LOC';
    await stocked(repos, sku, 12);
    await receive(sku, 12, 'WEST');
    const orderIds = await Promise.all(Array.from({ length: 40 }, (_, i) => pendingOrder(repos, [{ sku, quantity: 1 + (i % 3) }])));

    let racing = true;
    const violations: string[] = [];
    const reader = (async () => {
      while (racing) {
        const d = await repos.stock.detail(sku);
        for (const l of [d, ...d.locations]) {
          if (l.reserved < 0 || l.reserved > l.onHand || l.available !== l.onHand - l.reserved) violations.push(JSON.stringify(l));
        }
      }
    })();

    const reserved = new Set<string>();
    const work = [
      ...orderIds.map(async (id, i) => {
        const outcome = await repos.orders.reserve(id, `evt-${i}`, NOW);
        if (outcome.outcome === 'reserved') reserved.add(id);
        // every third reserved order is cancelled right away, racing the rest
        if (outcome.outcome === 'reserved' && i % 3 === 0) {
          await release(id);
          reserved.delete(id);
        }
      }),
      ...Array.from({ length: 16 }, async (_, i) => {
        await receive(sku, i % 2 ? 2 : -2, i % 4 < 2 ? 'MAIN' : 'WEST').catch((err: unknown) => {
          if ((err as { status?: number }).status !== 409) throw err;
        });
      }),
    ];
    await Promise.all(work);
    racing = false;
    await reader;

    expect(violations).toEqual([]);
    const snapshot = await repos.stock.reconciliationSnapshot(sku);
    expect(snapshot.settled).toBe(true);
    const holds = snapshot.holds;
    expect(holds.map((h) => h.orderId).sort()).toEqual([...reserved].sort());
    const sum = (xs: { quantity: number }[]) => xs.reduce((n, h) => n + h.quantity, 0);
    expect(snapshot.total!.reserved).toBe(sum(holds));
    for (const l of snapshot.locations) {
      expect(l.reserved).toBe(sum(holds.filter((h) => h.locationId === l.locationId)));
      expect(l.available).toBe(l.onHand - l.reserved);
      expect(l.reserved).toBeGreaterThanOrEqual(0);
      expect(l.reserved).toBeLessThanOrEqual(l.onHand);
    }
    for (const k of ['onHand', 'reserved', 'available'] as const) {
      expect(snapshot.total![k]).toBe(snapshot.locations.reduce((n, l) => n + l[k], 0));
    }
  });
});
