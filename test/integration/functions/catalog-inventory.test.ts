import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { makeHandler as makeCatalog } from '../../../functions/catalog/catalog';
import { makeHandler as makeInventory } from '../../../functions/inventory/inventory';
import { application as repositories, type Application as Repositories } from '../../../shared/app';
import { call, TOKENS } from '../../support/api-event';
import { NOW, pendingOrder } from '../../support/fixtures';
import { createTestTable, type TestTable } from '../../support/table';
import productSample from '../../../events/samples/put-product.json';

let table: TestTable;
let repos: Repositories;
let catalog: ReturnType<typeof makeCatalog>;
let inventory: ReturnType<typeof makeInventory>;

beforeAll(async () => {
  table = await createTestTable(inject('dynamoUrl'));
  repos = repositories(table.doc, table.tableName);
  catalog = makeCatalog({ products: repos.products, now: () => NOW });
  inventory = makeInventory({ products: repos.products, stock: repos.stock, locations: repos.locations, now: () => NOW });
});
afterAll(() => table?.drop());

type Body = Record<string, unknown>;
const putProduct = (sku: string, body: unknown, claims: Body = TOKENS.ops) =>
  call<Body>(catalog, { routeKey: 'PUT /products/{sku}', pathParameters: { sku }, body, claims: claims as never });
const adjust = (sku: string, body: unknown, key?: string) =>
  call<Body>(inventory, {
    routeKey: 'POST /inventory/{sku}/adjustments',
    pathParameters: { sku },
    body,
    claims: TOKENS.ops,
    headers: key ? { 'Idempotency-Key': key } : {},
  });

describe('catalog', () => {
  it('creates (201), replaces (200) and reads a product', async () => {
    const first = await putProduct('TEA-1', productSample);
    expect(first.status).toBe(201);
    expect(first.headers.location).toBe('/products/TEA-1');
    expect(first.body).toMatchObject({ sku: 'TEA-1', name: 'Jasmine tea, 250 g', price: { amount: 4900, currency: 'CNY' } });

    const { reorderPoint: _r, ...withoutReorder } = productSample;
    const second = await putProduct('TEA-1', { ...withoutReorder, name: 'Jasmine tea' });
    expect(second.status).toBe(200);
    expect(second.body.createdAt).toBe(first.body.createdAt);

    const read = await call<Body>(catalog, { routeKey: 'GET /products/{sku}', pathParameters: { sku: 'TEA-1' }, claims: TOKENS.storefront });
    expect(read.status).toBe(200);
    expect(read.body.name).toBe('Jasmine tea');
    expect(read.body).not.toHaveProperty('reorderPoint');
  });

  it('lets only ops and admin write, and answers 404 for an unknown SKU', async () => {
    expect((await putProduct('TEA-2', productSample, TOKENS.storefront)).status).toBe(403);
    expect((await putProduct('TEA-2', productSample, TOKENS.admin)).status).toBe(201);
    const missing = await call<Body>(catalog, { routeKey: 'GET /products/{sku}', pathParameters: { sku: 'NOPE' }, claims: TOKENS.cs });
    expect(missing.status).toBe(404);
  });

  it('rejects price and cost in different currencies with 422', async () => {
    const res = await putProduct('TEA-3', { ...productSample, cost: { amount: 100, currency: 'USD' } });
    expect(res.status).toBe(422);
  });

  it('pages through products with an opaque cursor', async () => {
    for (const sku of ['PG-1', 'PG-2', 'PG-3', 'PG-4', 'PG-5']) await putProduct(sku, productSample);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await call<{ items: { sku: string }[]; nextCursor?: string }>(catalog, {
        routeKey: 'GET /products',
        query: { limit: '2', ...(cursor ? { cursor } : {}) },
        claims: TOKENS.cs,
      });
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((p) => p.sku));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen.filter((s) => s.startsWith('PG-'))).toEqual(['PG-1', 'PG-2', 'PG-3', 'PG-4', 'PG-5']);
    expect(new Set(seen).size).toBe(seen.length);

    const bad = await call<Body>(catalog, { routeKey: 'GET /products', query: { cursor: 'garbage' }, claims: TOKENS.cs });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ path: 'query.cursor', message: 'is not a cursor returned by this API' }]);
  });
});

describe('inventory', () => {
  it('adjusts stock (201 with the new level) and reads it', async () => {
    await putProduct('INV-1', productSample);
    const res = await adjust('INV-1', { delta: 12, reason: 'RECEIVED', note: 'PO 1' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ sku: 'INV-1', onHand: 12, reserved: 0, available: 12 });
    const read = await call<Body>(inventory, { routeKey: 'GET /inventory/{sku}', pathParameters: { sku: 'INV-1' }, claims: TOKENS.cs });
    expect(read.body).toEqual({
      sku: 'INV-1', onHand: 12, reserved: 0, available: 12,
      locations: [{ locationId: 'MAIN', onHand: 12, reserved: 0, available: 12 }],
    });
  });

  it('answers 404 for an unknown product, on read and on adjustment', async () => {
    const read = await call<Body>(inventory, { routeKey: 'GET /inventory/{sku}', pathParameters: { sku: 'GHOST' }, claims: TOKENS.ops });
    expect(read.status).toBe(404);
    expect((await adjust('GHOST', { delta: 1, reason: 'RECEIVED' })).status).toBe(404);
  });

  it('refuses an adjustment below what is reserved with 409 and no ledger entry', async () => {
    await putProduct('INV-2', { ...productSample, price: { amount: 100, currency: 'CNY' }, cost: { amount: 50, currency: 'CNY' } });
    await adjust('INV-2', { delta: 5, reason: 'RECEIVED' });
    const orderId = await pendingOrder(repos, [{ sku: 'INV-2', quantity: 4 }]);
    await repos.orders.reserve(orderId, 'evt', NOW);

    const res = await adjust('INV-2', { delta: -2, reason: 'DAMAGED' });
    expect(res.status).toBe(409);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.body).toMatchObject({ status: 409, sku: 'INV-2', onHand: 5, reserved: 4 });
    // the receipt and the order's reservation; no entry for the refused adjustment
    expect((await repos.stock.ledger('INV-2')).map((e) => e.movement)).toEqual(['ADJUSTMENT', 'RESERVE']);
  });

  it('applies a retried adjustment once per Idempotency-Key, also when retries race', async () => {
    await putProduct('INV-IDEM', productSample);
    const body = { delta: 10, reason: 'RECEIVED' };
    expect((await adjust('INV-IDEM', body, 'adj-1')).body).toMatchObject({ onHand: 10 });
    const again = await adjust('INV-IDEM', body, 'adj-1');
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ onHand: 10 });

    const racing = await Promise.all(Array.from({ length: 5 }, () => adjust('INV-IDEM', { delta: 3, reason: 'RETURNED' }, 'adj-2')));
    expect(racing.map((r) => r.status)).toEqual(Array(5).fill(201));
    expect((await repos.stock.get('INV-IDEM')).onHand).toBe(13);
    expect(await repos.stock.ledger('INV-IDEM')).toHaveLength(2);

    const different = await adjust('INV-IDEM', { delta: 4, reason: 'RETURNED' }, 'adj-2');
    expect(different.status).toBe(409);
    expect((await repos.stock.get('INV-IDEM')).onHand).toBe(13);
  });

  it('lists levels of all products, zero for never-stocked ones', async () => {
    await putProduct('LST-0', productSample);
    const all: { sku: string; onHand: number }[] = [];
    let cursor: string | undefined;
    do {
      const page = await call<{ items: { sku: string; onHand: number }[]; nextCursor?: string }>(inventory, {
        routeKey: 'GET /inventory',
        query: { limit: '3', ...(cursor ? { cursor } : {}) },
        claims: TOKENS.ops,
      });
      all.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(all.find((l) => l.sku === 'LST-0')).toEqual({ sku: 'LST-0', onHand: 0, reserved: 0, available: 0 });
    expect(all.find((l) => l.sku === 'INV-1')).toMatchObject({ onHand: 12 });
  });
});
