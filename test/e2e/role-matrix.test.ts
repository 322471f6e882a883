import { describe, expect, it } from 'vitest';
import { ROUTES, type RouteDef } from '../../shared/api/routes';
import { ROLES } from '../../shared/domain/roles';
import { call, createProduct, orderBody, uniqueSku, type Reply, type Role } from './client';

// Every role x route cell of the route table, called over HTTP against the local
// cloud: a role the table allows gets past authorization (whatever the input makes
// of it), any other role gets 403 as problem+json (from the function) and no token gets
// the JWT authorizer's 401 as API Gateway makes it (`{"message":"Unauthorized"}`). The
// cells come from ROUTES, so a new route is covered the day it is added.
//
// Requests carry an empty JSON object and ids that exist nowhere, so an allowed cell
// ends in 400/404 (or a read) and nothing changes.

const PARAM_VALUES: Record<string, string> = {
  sku: 'MATRIX-NO-SUCH-SKU',
  orderId: 'MATRIXNOSUCHORDER',
  orderNumber: 'X-00000000-0000',
  customerId: 'MATRIXNOSUCHCUSTOMER',
  locationId: 'matrix-no-such-location',
  provider: 'matrix-no-such-provider',
  paymentId: 'pay_MATRIXNOSUCHPAYMENT',
  refundId: 'rfd_MATRIXNOSUCHREFUND',
  verificationCode: 'pay_MATRIXNOSUCHPAYMENT.AAAAAAAAAAAAAAAAAAAA',
  fulfillmentId: 'ful_MATRIXNOSUCHFULFILMENT',
  trackingNumber: 'MATRIXNOSUCHTRACKING',
  returnId: 'ret_MATRIXNOSUCHRETURN',
  id: 'matrix-no-such-webhook',
  channel: 'matrix-no-such-channel',
};

const pathOf = (route: RouteDef) =>
  route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = PARAM_VALUES[name];
    if (!value) throw new Error(`role-matrix.test.ts: no sample value for path parameter {${name}} of ${route.method} ${route.path}`);
    return value;
  });

type Caller = Role | 'no token';
const CALLERS: readonly Caller[] = [...ROLES, 'no token'];

interface Cell {
  name: string;
  route: RouteDef;
  caller: Caller;
  expected: 'allowed' | 403 | 401;
}

const cells: Cell[] = Object.entries(ROUTES).flatMap(([name, route]: [string, RouteDef]) =>
  CALLERS.map((caller): Cell => ({
    name,
    route,
    caller,
    expected: route.auth === 'public' ? 'allowed' : caller === 'no token' ? 401 : route.auth.includes(caller) ? 'allowed' : 403,
  })),
);

const send = (cell: Cell) =>
  call(cell.route.method, pathOf(cell.route), {
    ...(cell.caller === 'no token' ? {} : { as: cell.caller }),
    ...(cell.route.method === 'GET' ? {} : { body: {} }),
  });

/** Runs `work` over `items`, `width` at a time (the machine is small; the cloud's functions are few). */
async function pool<T, R>(items: readonly T[], width: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  return out;
}

const verdict = (cell: Cell, res: Reply) => {
  const problem = res.headers.get('content-type') === 'application/problem+json';
  if (cell.expected === 'allowed') return res.status !== 401 && res.status !== 403 && res.status < 500 ? 'ok' : `got ${res.status}`;
  if (cell.expected === 401) return res.status === 401 && res.body?.message === 'Unauthorized' ? 'ok' : `got ${res.status} ${JSON.stringify(res.body)}`;
  return res.status === cell.expected && problem && res.body?.status === cell.expected ? 'ok' : `got ${res.status} ${res.headers.get('content-type')}`;
};

describe('role x route matrix (from the route table)', () => {
  it(`every cell answers as the table says (${cells.length} cells)`, async () => {
    const answers = await pool(cells, 6, async (cell) => ({ cell, res: await send(cell) }));
    const wrong = answers
      .map(({ cell, res }) => ({ cell: `${cell.route.method} ${cell.route.path} as ${cell.caller}: expected ${cell.expected}`, verdict: verdict(cell, res) }))
      .filter((a) => a.verdict !== 'ok');
    expect(wrong).toEqual([]);
    // the table is not trivially open or closed: every kind of cell occurs
    expect(new Set(cells.map((c) => c.expected))).toEqual(new Set(['allowed', 401, 403]));
  });

  it('a storefront reads the catalog without cost; staff read it with cost', async () => {
    const sku = uniqueSku('COST');
    await createProduct(sku, 0, 2000);
    const asStorefront = await call('GET', `/products/${sku}`, { as: 'storefront' });
    expect(asStorefront.status).toBe(200);
    expect(asStorefront.body).toMatchObject({ sku, price: { amount: 2000, currency: 'CNY' } });
    expect(asStorefront.body).not.toHaveProperty('cost');
    const list = await call('GET', '/products?limit=100', { as: 'storefront' });
    expect(list.status).toBe(200);
    expect(list.body.items.length).toBeGreaterThan(0);
    expect(list.body.items.filter((p: Record<string, unknown>) => 'cost' in p)).toEqual([]);
    for (const staff of ['ops', 'cs', 'finance', 'admin'] as const) {
      expect((await call('GET', `/products/${sku}`, { as: staff })).body.cost).toEqual({ amount: 1000, currency: 'CNY' });
    }
    const staffList = await call('GET', '/products?limit=100', { as: 'finance' });
    expect(staffList.body.items.every((p: Record<string, unknown>) => 'cost' in p)).toBe(true);
  });

  it('customer service places phone, email and store orders, not web, app or marketplace ones', async () => {
    const sku = uniqueSku('CSCH');
    await createProduct(sku, 10);
    for (const channel of ['web', 'app', 'marketplace']) {
      const res = await call('POST', '/orders', { as: 'cs', body: orderBody([{ sku, quantity: 1 }], { channel }) });
      expect(res.status, channel).toBe(403);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
    }
    for (const channel of ['phone', 'email', 'store']) {
      const res = await call('POST', '/orders', { as: 'cs', body: orderBody([{ sku, quantity: 1 }], { channel }) });
      expect(res.status, channel).toBe(202);
    }
  });
});
