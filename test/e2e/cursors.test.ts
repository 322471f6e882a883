import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { call, eventually, placeOrder, uniqueSku, type Reply, type Role } from './client';

// Cursors over HTTP: every list route answers a cursor that is not its own (garbage,
// altered, issued for another route, partition or filter) with 400 on query.cursor,
// never a 5xx and never rows; and the date look-ups of any range answer at once.

const sep = (path: string) => (path.includes('?') ? '&' : '?');
const withCursor = (path: string, cursor: string) => `${path}${sep(path)}limit=1&cursor=${encodeURIComponent(cursor)}`;
const cursorOf = async (path: string, as: Role) => {
  const res = await call('GET', `${path}${sep(path)}limit=1`, { as });
  expect(res.status, path).toBe(200);
  expect(res.body.nextCursor, `${path} has a second page`).toEqual(expect.any(String));
  return res.body.nextCursor as string;
};

interface ListCase {
  path: string;
  as: Role;
  /** which of the collected cursors this list issued */
  own?: string;
}

const skuA = uniqueSku('CUR');
const skuB = uniqueSku('CUR');
const emailA = `cursor-a-${randomUUID().slice(0, 8)}@example.com`;
const emailB = `cursor-b-${randomUUID().slice(0, 8)}@example.com`;
const cursors: Record<string, string> = {};
const lists: ListCase[] = [];

beforeAll(async () => {
  for (const sku of [skuA, skuB]) {
    const put = await call('PUT', `/products/${sku}`, {
      as: 'ops',
      body: { name: `Cursor ${sku}`, price: { amount: 1000, currency: 'CNY' }, cost: { amount: 400, currency: 'CNY' }, reorderPoint: 500 },
    });
    expect(put.status).toBe(201);
    // two ledger entries each, and both at or below their reorder point (StockLow, to the warehouse)
    for (const delta of [20, 20]) {
      expect((await call('POST', `/inventory/${sku}/adjustments`, { as: 'ops', body: { delta, reason: 'RECEIVED' } })).status).toBe(201);
    }
  }
  const customer = (email: string) => ({ customer: { email, name: 'Cursor Tester' } });
  const a1 = await placeOrder([{ sku: skuA, quantity: 1 }], randomUUID(), customer(emailA));
  await placeOrder([{ sku: skuB, quantity: 1 }], randomUUID(), customer(emailA));
  const b1 = await placeOrder([{ sku: skuA, quantity: 1 }], randomUUID(), customer(emailB));
  const customerOf = async (orderId: string) => (await call('GET', `/orders/${orderId}`, { as: 'ops' })).body.customer.customerId as string;
  const [customerA, customerB] = [await customerOf(a1.body.orderId), await customerOf(b1.body.orderId)];

  cursors.products = await cursorOf('/products', 'storefront');
  cursors.stock = await cursorOf('/inventory', 'ops');
  cursors.low = await cursorOf('/inventory?below=reorderPoint', 'ops');
  cursors.ledgerA = await cursorOf(`/inventory/${skuA}/ledger`, 'ops');
  cursors.customerA = await cursorOf(`/customers/${customerA}/orders`, 'cs');
  cursors.emailA = await cursorOf(`/orders?customerEmail=${emailA}`, 'cs');
  cursors.web = await cursorOf('/orders?channel=web', 'cs');
  cursors.dates = await cursorOf('/orders', 'cs');
  await eventually(
    () => call('GET', '/notifications?department=warehouse&limit=1', { as: 'ops' }),
    (r) => r.status === 200 && r.body.nextCursor !== undefined,
  );
  cursors.warehouse = await cursorOf('/notifications?department=warehouse', 'ops');

  lists.push(
    { path: '/products', as: 'storefront', own: 'products' },
    { path: '/products', as: 'ops', own: 'products' },
    { path: '/inventory', as: 'ops', own: 'stock' },
    { path: '/inventory?below=reorderPoint', as: 'ops', own: 'low' },
    { path: `/inventory/${skuA}/ledger`, as: 'ops', own: 'ledgerA' },
    { path: `/inventory/${skuB}/ledger`, as: 'ops' },
    { path: `/customers/${customerA}/orders`, as: 'cs', own: 'customerA' },
    { path: `/customers/${customerB}/orders`, as: 'cs' },
    { path: `/orders?customerEmail=${emailA}`, as: 'cs', own: 'emailA' },
    { path: `/orders?customerEmail=${emailB}`, as: 'cs' },
    { path: `/orders?customerEmail=${emailA}&channel=web`, as: 'cs' },
    { path: '/orders?channel=web', as: 'cs', own: 'web' },
    { path: '/orders?channel=app', as: 'cs' },
    { path: '/orders', as: 'cs', own: 'dates' },
    { path: `/orders?from=${new Date().getUTCFullYear()}-01-01&to=9999-12-31`, as: 'cs' },
    { path: '/orders?status=IN_REVIEW', as: 'ops' },
    { path: '/notifications?department=warehouse', as: 'ops', own: 'warehouse' },
    { path: '/notifications?department=finance', as: 'finance' },
    { path: '/settings/workflow/history', as: 'admin' },
  );
});

const expectCursorRefused = (res: Reply, what: string) => {
  expect(res.status, what).toBe(400);
  expect(res.headers.get('content-type'), what).toContain('application/problem+json');
  expect(res.body.errors, what).toEqual([{ path: 'query.cursor', message: expect.any(String) }]);
  expect(res.body.items, what).toBeUndefined();
};

describe('list cursors over HTTP', () => {
  it('each list follows its own cursor', async () => {
    for (const list of lists.filter((l) => l.own)) {
      const res = await call('GET', withCursor(list.path, cursors[list.own!]!), { as: list.as });
      expect(res.status, list.path).toBe(200);
      expect(res.body.items.length, list.path).toBeGreaterThan(0);
    }
  });

  it("refuses every other list's cursor: another route, another SKU or customer, other filters", async () => {
    let checked = 0;
    for (const list of lists) {
      for (const [name, cursor] of Object.entries(cursors)) {
        if (name === list.own) continue;
        const res = await call('GET', withCursor(list.path, cursor), { as: list.as });
        expectCursorRefused(res, `${list.path} with the cursor of ${name}`);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(150);
  });

  it('refuses altered, made-up and garbage cursors on every list', async () => {
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    for (const list of lists) {
      const own = list.own ? cursors[list.own]! : cursors.ledgerA!;
      const [payload, mac] = own.split('.') as [string, string];
      const state = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
      const bad = [
        'not-a-cursor',
        '',
        b64({ m: '9999-12' }), // the month walk of the issue
        b64({ k: { pk: `PRODUCT#${skuB}`, sk: 'LEDGER#2026' } }),
        `${b64({ ...state, i: 0, to: '9999-12-31T23:59:59.999Z', pk: `PRODUCT#${skuB}` })}.${mac}`, // altered, old signature
        `${payload}.${mac.slice(0, -4)}AAAA`, // signature altered
        `${payload}.${mac}.${mac}`,
        'x'.repeat(2048),
      ];
      for (const cursor of bad) expectCursorRefused(await call('GET', withCursor(list.path, cursor), { as: list.as }), `${list.path} with ${cursor.slice(0, 40)}`);
    }
  });
});

describe('date look-ups of any range', () => {
  it('answer at once: more than 366 days is 400, an end in the future reads as now', async () => {
    const timed = async (path: string) => {
      const started = Date.now();
      const res = await call('GET', path, { as: 'ops' });
      return { res, ms: Date.now() - started };
    };
    const ancient = await timed('/orders?from=0001-01-01&to=1999-12-31');
    expect(ancient.res.status).toBe(400);
    expect(ancient.res.body.errors).toEqual([{ path: 'query.from', message: 'must be at most 366 days before to (or now)' }]);
    expect(ancient.ms).toBeLessThan(2_000);

    const year = new Date().getUTCFullYear(); // the issue's from=2026-01-01, whatever year the test runs in
    const future = await timed(`/orders?from=${year}-01-01&to=9999-12-31&limit=100`);
    expect(future.res.status).toBe(200);
    expect(future.res.body.items.length).toBeGreaterThanOrEqual(3);
    expect(future.ms).toBeLessThan(2_000);

    expect((await timed('/orders?from=0001-01-01')).res.status).toBe(400);
    expect((await timed('/orders?status=IN_REVIEW&from=0001-01-01&to=9999-12-31')).res.status).toBe(200);
  });
});
