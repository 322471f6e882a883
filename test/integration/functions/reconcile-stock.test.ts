import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { StockDriftDetected } from '../../../events/catalog';
import { makeHandler } from '../../../functions/reconcile-stock/reconcile-stock';
import { makeHandler as makeReplenishment } from '../../../functions/replenishment/replenishment';
import { logger } from '../../../shared/middleware/logger';
import { application as repositories, type Application as Repositories } from '../../../shared/app';
import * as keys from '../../../shared/store/keys';
import { stockChecks } from '../../../shared/app/stock-checks';
import { NOW, pendingOrder, product, stocked } from '../../support/fixtures';
import { createTestTable, type TestTable } from '../../support/table';

let table: TestTable;
let repos: Repositories;
let reconcile: ReturnType<typeof makeHandler>;

beforeAll(async () => {
  table = await createTestTable(inject('dynamoUrl'));
  repos = repositories(table.doc, table.tableName);
  reconcile = makeHandler({ checks: stockChecks(table), now: () => NOW });
});
afterAll(() => table?.drop());

async function outbox(sku: string, detailType: string) {
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

describe('reconcile-stock', () => {
  it('finds nothing while reserved equals the live reservations, and reports injected drift without fixing it', async () => {
    await stocked(repos, 'RECON-1', 10);
    await repos.locations.put('EAST', { name: 'East', priority: 5 }, NOW);
    await repos.stock.adjust({ sku: 'RECON-1', delta: 3, reason: 'RECEIVED', actor: 'test', causationId: 't', locationId: 'EAST' }, NOW);
    const orderId = await pendingOrder(repos, [{ sku: 'RECON-1', quantity: 4 }]);
    await repos.orders.reserve(orderId, 'evt', NOW);

    expect(await reconcile({ id: 'run-1' })).toMatchObject({ drifts: 0, unsettled: 0 });
    expect(await outbox('RECON-1', 'StockDriftDetected')).toEqual([]);

    // a manual edit (or a bug) holds 2 more units at MAIN than any order explains
    await table.doc.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: keys.stockAt('RECON-1', 'MAIN'),
        UpdateExpression: 'ADD reserved :two, available :minus',
        ExpressionAttributeValues: { ':two': 2, ':minus': -2 },
      }),
    );
    const errors = vi.spyOn(logger, 'error');
    // the location's holds do not explain its reserved, and the total no longer adds up to the locations
    expect(await reconcile({ id: 'run-2' })).toMatchObject({ drifts: 2 });
    expect(errors).toHaveBeenCalledWith('Stock drift detected', expect.objectContaining({ sku: 'RECON-1', locationId: 'MAIN', drift: 2 }));
    errors.mockRestore();

    const events = (await outbox('RECON-1', 'StockDriftDetected')).map((e) => StockDriftDetected.detail.parse(e).data);
    expect(events.find((e) => e.locationId === undefined)?.problems.map((p) => p.code)).toContain('location-sum-mismatch');
    expect(events.find((e) => e.locationId === 'MAIN')).toMatchObject({
      sku: 'RECON-1', locationId: 'MAIN', reserved: 6, expectedReserved: 4, drift: 2,
      problems: [expect.objectContaining({ code: 'reserved-drift' })],
    });
    // reported, not corrected
    expect((await repos.stock.detail('RECON-1')).locations.find((l) => l.locationId === 'MAIN')).toMatchObject({ reserved: 6 });
  });

  it('reports a total that no longer adds up to its locations', async () => {
    await stocked(repos, 'RECON-2', 5);
    await table.doc.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: keys.stock('RECON-2'),
        UpdateExpression: 'ADD onHand :one, available :one, rev :one',
        ExpressionAttributeValues: { ':one': 1 },
      }),
    );
    await reconcile({ id: 'run-3' });
    const events = await outbox('RECON-2', 'StockDriftDetected');
    expect(events[0].data.problems.map((p: { code: string }) => p.code)).toEqual(['location-sum-mismatch', 'location-sum-mismatch']);
    expect(events[0].data.locationId).toBeUndefined();
  });
});

describe('replenishment', () => {
  it('reminds purchasing of each product at or below its reorder point, with the quantity to order', async () => {
    await repos.products.put('REPL-1', { ...product('Low', 100), reorderPoint: 5, leadTimeDays: 3, safetyStock: 2 }, NOW);
    await repos.stock.setReorderSettings('REPL-1', { reorderPoint: 5, leadTimeDays: 3, safetyStock: 2 }, NOW, 'req');
    await repos.stock.adjust({ sku: 'REPL-1', delta: 4, reason: 'RECEIVED', actor: 'test', causationId: 't' }, NOW);

    const run = makeReplenishment({ checks: stockChecks(table), now: () => NOW });
    expect((await run({ id: 'daily' })).reminded).toBeGreaterThanOrEqual(1);
    const [event] = await outbox('REPL-1', 'ReplenishmentNeeded');
    expect(event.data).toMatchObject({ sku: 'REPL-1', available: 4, reorderPoint: 5, suggestedQuantity: 2, daysOfCover: null });
  });

  it('reminds purchasing once per crossing: not again while the product stays low, again after it went above and fell back', async () => {
    await repos.products.put('REPL-2', { ...product('Low again', 100), reorderPoint: 5, leadTimeDays: 3, safetyStock: 2 }, NOW);
    await repos.stock.setReorderSettings('REPL-2', { reorderPoint: 5, leadTimeDays: 3, safetyStock: 2 }, NOW, 'req');
    await repos.stock.adjust({ sku: 'REPL-2', delta: 3, reason: 'RECEIVED', actor: 'test', causationId: 't' }, NOW);
    const run = makeReplenishment({ checks: stockChecks(table), now: () => NOW });
    const reminders = async () => (await outbox('REPL-2', 'ReplenishmentNeeded')).length;

    // two runs at once, then the next day's: one reminder
    await Promise.all([run({ id: 'daily-1' }), run({ id: 'daily-1-again' })]);
    await run({ id: 'daily-2' });
    expect(await reminders()).toBe(1);

    // received above the reorder point, then written down below it: a new crossing
    await repos.stock.adjust({ sku: 'REPL-2', delta: 10, reason: 'RECEIVED', actor: 'test', causationId: 't' }, NOW);
    await run({ id: 'daily-3' });
    expect(await reminders()).toBe(1);
    await repos.stock.adjust({ sku: 'REPL-2', delta: -9, reason: 'DAMAGED', actor: 'test', causationId: 't' }, NOW);
    await run({ id: 'daily-4' });
    await run({ id: 'daily-5' });
    expect(await reminders()).toBe(2);
  });
});
