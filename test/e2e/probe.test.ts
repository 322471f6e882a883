import { randomUUID } from 'node:crypto';
import { SignJWT, decodeJwt, generateKeyPair } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { ROUTES, type RouteDef } from '../../shared/api/routes';
import { apiUrl, call, createProduct, eventually, orderBody, stockOf, testToken, token, uniqueSku, type Reply } from './client';

// The probe: what an attacker or a careless client sends, replayed on every run.
// Each category ends in the same two checks: no answer is a 5xx, and nothing the
// requests should not have changed has changed (stock, the order, the settings).

/** Every answer the probe got, so a 5xx anywhere fails the run. */
const answers: { what: string; status: number }[] = [];
async function probe(what: string, method: string, path: string, opts: Parameters<typeof call>[2] = {}): Promise<Reply> {
  const res = await call(method, path, opts);
  answers.push({ what: `${method} ${path}: ${what}`, status: res.status });
  return res;
}
const isProblem = (res: Reply, status: number) =>
  res.status === status && res.headers.get('content-type') === 'application/problem+json' && res.body?.status === status;
/** The JWT authorizer's refusal, as API Gateway makes it (an HTTP API cannot reshape it: README, "The gateway's own answers"). */
const isAuthorizerRefusal = (res: Reply) =>
  res.status === 401 && res.headers.get('content-type') === 'application/json' && res.body?.message === 'Unauthorized' && res.headers.get('www-authenticate') === 'Bearer';

let sku: string;
let orderId: string;
let locationId: string;
let customerId: string;
let webhookId: string;

/** What the bad requests must leave as it was. */
async function snapshot() {
  const admin = { as: 'admin' as const };
  const [product, stock, order, workflow, notifications, locations] = await Promise.all([
    call('GET', `/products/${sku}`, admin),
    stockOf(sku),
    call('GET', `/orders/${orderId}`, admin),
    call('GET', '/settings/workflow', admin),
    call('GET', '/settings/notifications', admin),
    call('GET', '/locations', admin),
  ]);
  return {
    product: product.body,
    stock,
    order: { status: order.body.status, version: order.body.version, timeline: order.body.timeline.length },
    workflow: workflow.body.version,
    notifications: notifications.body.version,
    locations: locations.body,
  };
}

beforeAll(async () => {
  sku = uniqueSku('PROBE');
  await createProduct(sku, 20);
  locationId = `probe-${randomUUID().slice(0, 8)}`;
  const loc = await call('PUT', `/locations/${locationId}`, { as: 'ops', body: { name: 'Probe shelf', priority: 50 } });
  expect([200, 201], JSON.stringify(loc.body)).toContain(loc.status);
  const placed = await call('POST', '/orders', { as: 'storefront', body: orderBody([{ sku, quantity: 2 }]), headers: { 'idempotency-key': randomUUID() } });
  expect(placed.status).toBe(202);
  orderId = placed.body.orderId;
  // settled: approved (or held for a person); review happens after reservation, so IN_REVIEW alone may be passing
  const order = await eventually(
    () => call('GET', `/orders/${orderId}`, { as: 'admin' }).then((r) => r.body),
    (o) => o.status === 'AWAITING_PAYMENT' || (o.status === 'IN_REVIEW' && o.reviewReasons?.length > 0),
  );
  customerId = order.customer.customerId;
  // a webhook subscription whose deliveries are a list (to a local address nothing listens on)
  webhookId = `probe-${randomUUID().slice(0, 8)}`;
  const hook = await call('PUT', `/integrations/webhooks/${webhookId}`, {
    as: 'admin', body: { url: 'http://localhost:9/probe', events: ['OrderPaid'], active: false, description: 'probe' },
  });
  expect([200, 201], JSON.stringify(hook.body)).toContain(hook.status);
});

// --- bad input on every write route (from the route table) ---

const PATH_VALUES = (): Record<string, string> => ({ sku, orderId, locationId, customerId, paymentId: 'pay_PROBENOSUCHPAYMENT', refundId: 'rfd_PROBENOSUCHREFUND', fulfillmentId: 'ful_PROBENOSUCHFULFILMENT', returnId: 'ret_PROBENOSUCHRETURN', id: webhookId, channel: 'probe-market' });
const pathOf = (route: RouteDef) =>
  route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = PATH_VALUES()[name];
    if (!value) throw new Error(`probe.test.ts: no value for path parameter {${name}} of ${route.method} ${route.path}`);
    return value;
  });

const deep = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
const BAD_BODIES: { what: string; raw: string; contentType?: string; status: number[] }[] = [
  { what: 'not JSON', raw: 'approve it', status: [400] },
  { what: 'truncated JSON', raw: '{"reason":', status: [400] },
  { what: 'JSON sent as text/plain', raw: '{}', contentType: 'text/plain', status: [415] },
  { what: 'form data', raw: 'reason=x', contentType: 'application/x-www-form-urlencoded', status: [415] },
  { what: 'an array', raw: '[]', status: [400] },
  { what: 'null', raw: 'null', status: [400] },
  { what: 'a string', raw: '"yes"', status: [400] },
  { what: 'a __proto__ key', raw: '{"__proto__":{"admin":true}}', status: [400] },
  { what: 'a constructor key', raw: '{"constructor":{"prototype":{}}}', status: [400] },
  { what: 'an unknown field', raw: '{"probe":true}', status: [400] },
  { what: 'NUL and U+202E in strings', raw: '{"name":"a\\u0000b","reason":"\\u202eevil","text":"\\ud800"}', status: [400] },
  { what: 'nesting 2000 deep', raw: deep(2000), status: [400] },
  { what: 'a body over 64 KB', raw: JSON.stringify({ reason: 'x'.repeat(70_000) }), status: [413] },
];

const writeRoutes = Object.values<RouteDef>(ROUTES).filter((r) => r.method !== 'GET' && r.auth !== 'public');
const roleFor = (route: RouteDef) => (route.auth === 'public' || route.auth.includes('admin') ? 'admin' : route.auth[0]!);

describe('probe: bad input on every write route', () => {
  it(`${writeRoutes.length} routes x ${BAD_BODIES.length} bodies: a 4xx problem each, nothing changed`, async () => {
    const before = await snapshot();
    const wrong: string[] = [];
    for (const route of writeRoutes) {
      for (const bad of BAD_BODIES) {
        const res = await probe(bad.what, route.method, pathOf(route), {
          as: roleFor(route),
          raw: bad.raw,
          headers: { 'content-type': bad.contentType ?? 'application/json', 'idempotency-key': randomUUID(), 'if-match': '"1"' },
        });
        if (!bad.status.some((s) => isProblem(res, s))) wrong.push(`${route.method} ${route.path} with ${bad.what}: ${res.status} ${JSON.stringify(res.body)}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(await snapshot()).toEqual(before);
  });

  it('human text: control characters, bidi controls, lone surrogates and blank names are refused; no order is made', async () => {
    const email = `probe-${randomUUID().slice(0, 8)}@example.com`;
    const base = orderBody([{ sku, quantity: 1 }], { customer: { email, name: 'Ada' } });
    const address = base.shippingAddress as Record<string, string>;
    const cases: [string, Record<string, unknown>, string][] = [
      ['NUL in the name', { customer: { email, name: 'Ada\u0000' } }, 'body.customer.name'],
      ['U+202E in the address name', { shippingAddress: { ...address, name: 'Ada \u202etxt.exe' } }, 'body.shippingAddress.name'],
      ['a lone surrogate in the street', { shippingAddress: { ...address, line1: '1 Main St \ud800' } }, 'body.shippingAddress.line1'],
      ['a zero-width-space name', { customer: { email, name: '\u200b\u200b' } }, 'body.customer.name'],
      ['an escape sequence in the notes', { notes: 'call \u001b[2J first' }, 'body.notes'],
    ];
    const before = await stockOf(sku);
    for (const [what, change, path] of cases) {
      const res = await probe(what, 'POST', '/orders', { as: 'storefront', body: { ...base, ...change }, headers: { 'idempotency-key': randomUUID() } });
      expect(isProblem(res, 400), `${what}: ${res.status} ${JSON.stringify(res.body)}`).toBe(true);
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    }
    const found = await call('GET', `/orders?customerEmail=${encodeURIComponent(email)}`, { as: 'cs' });
    expect(found.body.items).toEqual([]);
    expect(await stockOf(sku)).toEqual(before);

    // and text that is fine is stored in one normal form, without its blanks
    const fine = await call('POST', '/orders', {
      as: 'storefront',
      body: { ...base, customer: { email, name: '  Jose\u0301 Martí\u200b ' } },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(fine.status).toBe(202);
    expect((await call('GET', `/orders/${fine.body.orderId}`, { as: 'cs' })).body.customer.name).toBe('Jos\u00e9 Mart\u00ed');
  });

  it('notification settings refuse reserved and unknown keys and stale versions; ETag names the version', async () => {
    const current = await call('GET', '/settings/notifications', { as: 'admin' });
    expect(current.headers.get('etag')).toBe(`"${current.body.version}"`);
    const departments = current.body.departments as Record<string, unknown>;
    const version = current.body.version as number;
    const put = (raw: string, headers: Record<string, string> = {}) =>
      probe('notification settings', 'PUT', '/settings/notifications', { as: 'admin', raw, headers: { 'content-type': 'application/json', ...headers } });
    const withDept = (key: string) => JSON.stringify({ departments, version }).replace('"departments":{', `"departments":{"${key}":{"name":"x","events":[]},`);
    for (const key of ['__proto__', 'constructor', 'prototype']) expect(isProblem(await put(withDept(key)), 400), key).toBe(true);
    expect(isProblem(await put(JSON.stringify({ departments, version, extra: 1 })), 400)).toBe(true);
    expect(isProblem(await put(JSON.stringify({ departments })), 400)).toBe(true);
    expect(isProblem(await put(JSON.stringify({ departments }), { 'if-match': `"${version + 5}"` }), 409)).toBe(true);
    expect((await call('GET', '/settings/notifications', { as: 'admin' })).body.version).toBe(version);

    const saved = await put(JSON.stringify({ departments }), { 'if-match': `"${version}"` });
    expect(saved.status).toBe(200);
    expect(saved.headers.get('etag')).toBe(`"${version + 1}"`);
    expect(saved.body.departments).toEqual(departments);
    // the same change again is now a change to a stale version
    expect(isProblem(await put(JSON.stringify({ departments, version })), 409)).toBe(true);
  });
});

// --- forged, expired and foreign tokens ---

describe('probe: tokens the authorizer must refuse', () => {
  it("expired, other issuer, other audience, other key, alg none, garbage: the authorizer's 401, nothing changed", async () => {
    const real = token('storefront');
    const claims = decodeJwt(token('ops'));
    const { privateKey } = await generateKeyPair('RS256');
    const [h, p] = real.split('.');
    const forged: Record<string, string> = {
      expired: testToken('expired'),
      'another issuer': testToken('wrongIssuer'),
      'another audience': testToken('wrongAudience'),
      'signed with another key': await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: JSON.parse(Buffer.from(h!, 'base64url').toString()).kid }).sign(privateKey),
      'alg none': `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify({ ...claims, 'cognito:groups': ['admin'] })).toString('base64url')}.`,
      'payload swapped under a real signature': `${h}.${Buffer.from(JSON.stringify({ ...claims, 'cognito:groups': ['admin'] })).toString('base64url')}.${real.split('.')[2]}`,
      'truncated signature': `${h}.${p}.${real.split('.')[2]!.slice(0, 20)}`,
      garbage: 'abc.def.ghi',
    };
    const before = await snapshot();
    const wrong: string[] = [];
    for (const [what, bad] of Object.entries(forged)) {
      const calls = [
        probe(what, 'POST', `/inventory/${sku}/adjustments`, { token: bad, body: { delta: 5, reason: 'RECEIVED' } }),
        probe(what, 'POST', `/orders/${orderId}/cancel`, { token: bad, body: { reason: 'probe' } }),
        probe(what, 'GET', `/orders/${orderId}`, { token: bad }),
        probe(what, 'PUT', '/settings/workflow', { token: bad, body: { paymentDeadlineMinutes: 1, version: 1 } }),
      ];
      for (const res of await Promise.all(calls)) {
        if (!isAuthorizerRefusal(res)) wrong.push(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(await snapshot()).toEqual(before);
  });
});

// --- one principal against another ---

describe('probe: cross-principal access', () => {
  it("storefront B cannot read or cancel storefront A's order; it learns nothing of it", async () => {
    const b = testToken('storefrontB');
    const before = await snapshot();
    const read = await probe('B reads A', 'GET', `/orders/${orderId}`, { token: b });
    expect(isProblem(read, 404)).toBe(true);
    const cancel = await probe('B cancels A', 'POST', `/orders/${orderId}/cancel`, { token: b, body: { reason: 'not mine' } });
    expect(isProblem(cancel, 404)).toBe(true);
    const a = (await call('GET', `/orders/${orderId}`, { as: 'admin' })).body;
    for (const res of [read, cancel]) expect(JSON.stringify(res.body)).not.toContain(a.orderNumber);
    expect(await snapshot()).toEqual(before);
  });

  it("an externalRef is the caller's own: A's replay returns A's order, B's use of it is B's own order", async () => {
    const refSku = uniqueSku('EXTREF');
    await createProduct(refSku, 10);
    const externalRef = `MKT-${randomUUID().slice(0, 8)}`;
    const body = orderBody([{ sku: refSku, quantity: 1 }], { channel: 'marketplace', externalRef });
    const post = (opts: { token?: string }, b: unknown = body) =>
      probe('externalRef', 'POST', '/orders', { ...(opts.token ? { token: opts.token } : { as: 'storefront' }), body: b, headers: { 'idempotency-key': randomUUID() } });

    const first = await post({});
    expect(first.status).toBe(202);
    const again = await post({});
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    const changed = await post({}, { ...body, lines: [{ sku: refSku, quantity: 2 }] });
    expect(isProblem(changed, 409)).toBe(true);

    const b = testToken('storefrontB');
    const fromB = await post({ token: b });
    expect(fromB.status).toBe(202);
    expect(fromB.body.orderId).not.toBe(first.body.orderId);
    expect(fromB.body.orderNumber).not.toBe(first.body.orderNumber);
    const fromBChanged = await post({ token: b }, { ...body, lines: [{ sku: refSku, quantity: 3 }] });
    expect(isProblem(fromBChanged, 409)).toBe(true);
    expect(JSON.stringify(fromBChanged.body)).not.toContain(first.body.orderId);

    expect((await probe('B reads its own', 'GET', `/orders/${fromB.body.orderId}`, { token: b })).status).toBe(200);
    expect(isProblem(await probe("B reads A's", 'GET', `/orders/${first.body.orderId}`, { token: b }), 404)).toBe(true);
    expect(isProblem(await probe("A reads B's", 'GET', `/orders/${fromB.body.orderId}`, { as: 'storefront' }), 404)).toBe(true);
  });
});

// --- cursors handed back altered ---
// Cursors are opaque; any change to one is a 400, never a 5xx. The list routes come
// from the route table; more cursor cases (another query's cursor, forged keys) join
// CURSOR_CASES.

const QUERY_FOR: Partial<Record<string, string>> = { '/notifications': 'department=warehouse&', '/orders': 'status=PENDING&', '/returns': 'status=REQUESTED&' };
const listRoutes = Object.values<RouteDef>(ROUTES).filter(
  (r) => r.method === 'GET' && r.query !== undefined && 'cursor' in ((r.query as z.ZodObject).shape ?? {}),
);
const CURSOR_CASES: { what: string; cursor: () => string }[] = [
  { what: 'not a cursor', cursor: () => 'not-a-cursor' },
  { what: 'base64 of garbage', cursor: () => Buffer.from('\u0000\u00ff garbage').toString('base64url') },
];

describe('probe: altered cursors on every list', () => {
  it(`${listRoutes.length} list routes x ${CURSOR_CASES.length} cursors: 400, never 5xx`, async () => {
    const wrong: string[] = [];
    for (const route of listRoutes) {
      for (const c of CURSOR_CASES) {
        const path = `${pathOf(route)}?${QUERY_FOR[route.path] ?? ''}cursor=${encodeURIComponent(c.cursor())}`;
        const res = await probe(c.what, 'GET', path, { as: roleFor(route) });
        if (!isProblem(res, 400)) wrong.push(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});

// --- the gateway's own answers ---

describe('probe: the gateway', () => {
  it("answers unknown routes and oversized headers with problem+json, a missing token with the authorizer's 401", async () => {
    expect(isProblem(await probe('unknown route', 'GET', '/no/such/route'), 404)).toBe(true);
    expect(isAuthorizerRefusal(await probe('no token', 'GET', `/orders/${orderId}`))).toBe(true);
    const res = await fetch(`${apiUrl()}/health`, { headers: { 'x-probe': 'x'.repeat(20_000) } });
    answers.push({ what: 'oversized header', status: res.status });
    expect(res.status).toBe(431);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(((await res.json()) as { status: number }).status).toBe(431);
  });

  it('every answer is nosniff and no-store', async () => {
    for (const res of [await call('GET', `/orders/${orderId}`, { as: 'admin' }), await call('GET', '/nope'), await call('GET', '/health')]) {
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
  });
});

describe('probe: overall', () => {
  it('no answer of the whole probe was a 5xx', () => {
    expect(answers.length).toBeGreaterThan(100);
    expect(answers.filter((a) => a.status >= 500)).toEqual([]);
  });
});
