import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ConflictError, NotFoundError } from '../../../shared/domain/errors';
import { application as repositories, type Application as Repositories } from '../../../shared/app';
import { NOW, pendingOrder, stocked } from '../../support/fixtures';
import { createTestTable, type TestTable } from '../../support/table';

let table: TestTable;
let repos: Repositories;

beforeAll(async () => {
  table = await createTestTable(inject('dynamoUrl'));
  repos = repositories(table.doc, table.tableName);
});
afterAll(() => table?.drop());

const adjust = (sku: string, delta: number) =>
  repos.stock.adjust({ sku, delta, reason: delta > 0 ? 'RECEIVED' : 'DAMAGED', actor: 'user-ops', causationId: 'req' }, NOW);

describe('stock adjustments', () => {
  it('creates the stock level on the first adjustment and records every adjustment in the ledger', async () => {
    await stocked(repos, 'ADJ-1', 0);
    expect(await repos.stock.get('ADJ-1')).toEqual({ sku: 'ADJ-1', onHand: 0, reserved: 0, available: 0 });

    expect(await adjust('ADJ-1', 10)).toEqual({ sku: 'ADJ-1', onHand: 10, reserved: 0, available: 10 });
    expect(await adjust('ADJ-1', -3)).toEqual({ sku: 'ADJ-1', onHand: 7, reserved: 0, available: 7 });

    const ledger = await repos.stock.ledger('ADJ-1');
    expect(ledger.map((e) => [e.delta, e.reason])).toEqual([
      [10, 'RECEIVED'],
      [-3, 'DAMAGED'],
    ]);
  });

  it('refuses to take on-hand below zero (409) and writes nothing', async () => {
    await stocked(repos, 'ADJ-2', 2);
    await expect(adjust('ADJ-2', -3)).rejects.toBeInstanceOf(ConflictError);
    expect(await repos.stock.get('ADJ-2')).toEqual({ sku: 'ADJ-2', onHand: 2, reserved: 0, available: 2 });
    expect(await repos.stock.ledger('ADJ-2')).toHaveLength(1);
  });

  it('refuses a decrease on a product that never had stock', async () => {
    await stocked(repos, 'ADJ-3', 0);
    await expect(adjust('ADJ-3', -1)).rejects.toBeInstanceOf(ConflictError);
    expect(await repos.stock.ledger('ADJ-3')).toHaveLength(0);
  });

  it('refuses to take on-hand below what is reserved (409) and leaves no ledger entry', async () => {
    await stocked(repos, 'ADJ-4', 5);
    // reserve 4 of 5 through a real order
    const orderId = await pendingOrder(repos, [{ sku: 'ADJ-4', quantity: 4 }]);
    expect((await repos.orders.reserve(orderId, 'evt', NOW)).outcome).toBe('reserved');
    expect(await repos.stock.get('ADJ-4')).toEqual({ sku: 'ADJ-4', onHand: 5, reserved: 4, available: 1 });

    const err = await adjust('ADJ-4', -2).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as ConflictError).extensions).toMatchObject({ onHand: 5, reserved: 4, available: 1 });
    expect(await repos.stock.get('ADJ-4')).toEqual({ sku: 'ADJ-4', onHand: 5, reserved: 4, available: 1 });
    // the receipt and the order's reservation; no entry for the refused adjustment
    expect((await repos.stock.ledger('ADJ-4')).map((e) => e.movement)).toEqual(['ADJUSTMENT', 'RESERVE']);

    // down to exactly what is reserved is fine
    expect(await adjust('ADJ-4', -1)).toEqual({ sku: 'ADJ-4', onHand: 4, reserved: 4, available: 0 });
  });

  it('answers 404 for an unknown product', async () => {
    await expect(adjust('NO-SUCH-SKU', 5)).rejects.toBeInstanceOf(NotFoundError);
    expect(await repos.stock.ledger('NO-SUCH-SKU')).toHaveLength(0);
  });
});
