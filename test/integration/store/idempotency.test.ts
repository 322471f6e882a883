import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ConflictError } from '../../../shared/domain/errors';
import { newOrder, priceOrder } from '../../../shared/domain/order';
import { formatOrderNumber } from '../../../shared/domain/order-number';
import { application as repositories, type Application as Repositories } from '../../../shared/app';
import type { IdempotencyClaim } from '../../../shared/store/order-repository';
import { NOW, orderRequest, stocked } from '../../support/fixtures';
import { createTestTable, type TestTable } from '../../support/table';

let table: TestTable;
let repos: Repositories;

beforeAll(async () => {
  table = await createTestTable(inject('dynamoUrl'));
  repos = repositories(table.doc, table.tableName);
  await stocked(repos, 'IDEM', 100);
});
afterAll(() => table?.drop());

let n = 0;
/** Creates an order straight through the repository, skipping the replay read, so duplicates race into the transaction. */
async function create(claim: IdempotencyClaim, now = NOW) {
  const request = orderRequest([{ sku: 'IDEM', quantity: 1 }]);
  const orderId = `RACE${++n}`;
  const order = newOrder(request, priceOrder(request, await repos.products.getMany(['IDEM'])), {
    orderId,
    orderNumber: formatOrderNumber('web', NOW, 1000 + n),
    placedBy: 'shop',
    now: NOW,
  });
  return repos.orders.create(order, {
    claims: [claim],
    response: { statusCode: 202, body: { orderId } },
    actor: 'test',
    causationId: 'req',
    now,
  });
}

describe('idempotency claims in the order transaction', () => {
  it('concurrent duplicates that reach the transaction: one order, the others answer with its response', async () => {
    const claim = { scope: 'shop', key: 'k-race', requestHash: 'h1' };
    const results = await Promise.all(Array.from({ length: 8 }, () => create(claim)));
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    const winner = results.find((r) => !r.replayed)!.response;
    for (const r of results) expect(r.response).toEqual(winner);
    const orderId = (winner.body as { orderId: string }).orderId;
    const losers = results.filter((r) => r.replayed).length;
    expect(losers).toBe(7);
    expect(await repos.orders.get(orderId)).toBeDefined();
    // the losers' orders were never written
    const others = await Promise.all(Array.from({ length: n }, (_, i) => repos.orders.getRecord(`RACE${i + 1}`)));
    expect(others.filter(Boolean)).toHaveLength(1);
  });

  it('a racing request with a different body gets 409', async () => {
    const results = await Promise.allSettled([
      create({ scope: 'shop', key: 'k-diff', requestHash: 'a' }),
      create({ scope: 'shop', key: 'k-diff', requestHash: 'b' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(ConflictError);
  });

  it('replays from a read once the claim exists, and treats an expired claim as absent', async () => {
    const claim = { scope: 'shop', key: 'k-read', requestHash: 'h' };
    const first = await create(claim);
    expect(await repos.orders.findReplay([claim], NOW)).toEqual(first.response);
    await expect(repos.orders.findReplay([{ ...claim, requestHash: 'other' }], NOW)).rejects.toBeInstanceOf(ConflictError);
    const aDayLater = new Date(NOW.getTime() + 25 * 3600 * 1000);
    expect(await repos.orders.findReplay([claim], aDayLater)).toBeUndefined();
    // not yet swept by TTL, yet claimable again
    const reused = await create({ ...claim, requestHash: 'new' }, aDayLater);
    expect(reused.replayed).toBe(false);
    expect(reused.response).not.toEqual(first.response);
  });

  it('reads the replay, the products and the email\'s customer for a placement in one go', async () => {
    const claim = { scope: 'shop', key: 'k-placement', requestHash: 'h' };
    const read = (c: IdempotencyClaim, now = NOW) =>
      repos.orders.readForPlacement({ claims: [c], skus: ['IDEM', 'NOPE', 'IDEM'], email: ' Li.Wei@Example.com ', now });

    const before = await read(claim);
    expect(before.replay).toBeUndefined();
    expect([...before.products.keys()]).toEqual(['IDEM']);
    expect(before.products.get('IDEM')?.price).toEqual({ amount: 1000, currency: 'CNY' });

    const first = await create(claim);
    const placed = await repos.orders.getRecord((first.response.body as { orderId: string }).orderId);
    const after = await read(claim);
    expect(after.replay).toEqual(first.response);
    await expect(read({ ...claim, requestHash: 'other' })).rejects.toBeInstanceOf(ConflictError);
    const aDayLater = await read(claim, new Date(NOW.getTime() + 25 * 3600 * 1000));
    expect(aDayLater.replay).toBeUndefined();
    expect(aDayLater.existingCustomerId).toBe(placed!.customer.customerId);
  });
});
