import { randomUUID } from 'node:crypto';
import { expect, inject } from 'vitest';

// A tiny HTTP client for end-to-end tests: everything goes over the local cloud's
// public API, as a storefront or a member of staff would call it.
export type Role = 'storefront' | 'ops' | 'cs' | 'finance' | 'admin';

export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export const apiUrl = () => inject('apiUrl');
export const token = (role: Role) => inject('tokens')[role];
/** A second storefront principal and well-signed tokens that must be refused (test/setup/local-cloud.ts). */
export const testToken = (name: keyof ReturnType<typeof inject<'testTokens'>>) => inject('testTokens')[name];

export async function call<T = any>(
  method: string,
  path: string,
  opts: { as?: Role; token?: string; body?: unknown; headers?: Record<string, string>; raw?: string } = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  const bearer = opts.token ?? (opts.as ? token(opts.as) : undefined);
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  let body: string | undefined = opts.raw;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(`${apiUrl()}${path}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, headers: res.headers, body: parsed as T };
}

export const uniqueSku = (prefix = 'SKU') => `${prefix}-${randomUUID().slice(0, 8).toUpperCase()}`;

export async function createProduct(sku: string, onHand: number, price = 1999) {
  const put = await call('PUT', `/products/${sku}`, {
    as: 'ops',
    body: { name: `Product ${sku}`, price: { amount: price, currency: 'CNY' }, cost: { amount: Math.round(price / 2), currency: 'CNY' } },
  });
  if (put.status !== 201 && put.status !== 200) throw new Error(`PUT product ${put.status} ${JSON.stringify(put.body)}`);
  if (onHand > 0) {
    const adj = await call('POST', `/inventory/${sku}/adjustments`, { as: 'ops', body: { delta: onHand, reason: 'RECEIVED' } });
    if (adj.status !== 201) throw new Error(`adjust ${adj.status} ${JSON.stringify(adj.body)}`);
  }
}

export function orderBody(lines: { sku: string; quantity: number }[], overrides: Record<string, unknown> = {}) {
  return {
    channel: 'web',
    customer: { email: 'ada@example.com', name: 'Ada Lovelace' },
    lines,
    shippingAddress: { name: 'Ada Lovelace', line1: '1 Analytical St', city: 'Shanghai', postalCode: '200000', country: 'CN' },
    ...overrides,
  };
}

export async function placeOrder(lines: { sku: string; quantity: number }[], key = randomUUID(), overrides = {}) {
  return call('POST', '/orders', { as: 'storefront', body: orderBody(lines, overrides), headers: { 'idempotency-key': key } });
}

/** Polls until `done` accepts the value, or fails with the last value seen. */
export async function eventually<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: T = await read();
  while (!done(last)) {
    if (Date.now() > until) throw new Error(`condition not met in ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100));
    last = await read();
  }
  return last;
}

/**
 * review-order's containers reuse the workflow settings they read for a few seconds
 * (WORKFLOW_SETTINGS_TTL_MS): after a change, the local cloud starts them anew, so the next
 * review reads the settings just written instead of the test waiting the cache out.
 */
export async function reviewsReadSettingsAnew(): Promise<void> {
  const res = await call('POST', '/_local/functions/review-order/recycle');
  if (res.status !== 200) throw new Error(`recycle review-order ${res.status} ${JSON.stringify(res.body)}`);
}

export const getOrder = (orderId: string, as: Role = 'ops') => call('GET', `/orders/${orderId}`, { as });

export const settled = (orderId: string) =>
  eventually(
    () => getOrder(orderId),
    (r) => r.status === 200 && r.body.status !== 'PENDING',
  ).then((r) => r.body);

/** The SKU's totals (GET /inventory/{sku} also breaks them down by location). */
export const stockOf = async (sku: string) => {
  const { locations: _locations, ...totals } = (await call('GET', `/inventory/${sku}`, { as: 'ops' })).body;
  return totals;
};

/**
 * A storefront order paid by bank transfer (finance confirms the transfer); answers its id
 * once the confirmation is accepted (the order reaches PAID through its events).
 */
export async function paidOrder(lines: { sku: string; quantity: number }[]): Promise<string> {
  const placed = await placeOrder(lines);
  expect(placed.status).toBe(202);
  const orderId = placed.body.orderId as string;
  await eventually(() => getOrder(orderId), (r) => r.body?.status === 'AWAITING_PAYMENT');
  const started = await call('POST', `/orders/${orderId}/payments`, { as: 'storefront', body: { method: 'bank_transfer' } });
  const confirmed = await call('POST', `/orders/${orderId}/payments/${started.body.paymentId}/confirm`, { as: 'finance', body: { reference: `CMB-${orderId}` } });
  expect(confirmed.status).toBe(200);
  return orderId;
}

/** A storefront order paid by bank transfer, shipped with the sandbox carrier and delivered now. */
export async function deliveredOrder(lines: { sku: string; quantity: number }[]): Promise<string> {
  const orderId = await paidOrder(lines);
  await eventually(() => getOrder(orderId), (r) => r.body?.status === 'PAID');
  const f = await call('POST', `/orders/${orderId}/fulfillments`, { as: 'ops', body: {} });
  expect(f.status, JSON.stringify(f.body)).toBe(201);
  expect((await call('POST', `/fulfillments/${f.body.fulfillmentId}/packed`, { as: 'ops' })).status).toBe(200);
  const ship = await call('POST', `/orders/${orderId}/shipments`, { as: 'ops', body: { carrier: 'sandbox' } });
  expect(ship.status, JSON.stringify(ship.body)).toBe(201);
  const res = await fetch(`${apiUrl()}/_local/sandbox/carriers/${ship.body.trackingNumber}/events`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 'DELIVERED', at: new Date().toISOString(), location: '杭州市' }),
  });
  expect(res.status, await res.text()).toBe(201);
  await eventually(() => getOrder(orderId), (r) => r.body?.status === 'DELIVERED');
  return orderId;
}
