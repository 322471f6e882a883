import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { apiUrl, call, orderBody, uniqueSku } from './client';

const isProblem = (r: { headers: Headers; body: any }, status: number) => {
  expect(r.headers.get('content-type')).toContain('application/problem+json');
  expect(r.body).toMatchObject({ status, title: expect.any(String) });
};

describe('the HTTP contract', () => {
  it('serves health and the OpenAPI document without a token', async () => {
    const health = await call('GET', '/health');
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('ok');
    const doc = await call('GET', '/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toMatch(/^3\.1/);
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/orders', '/orders/{orderId}', '/products/{sku}']));
  });

  it('refuses a missing token with 401 and a wrong role with 403', async () => {
    const noToken = await call('POST', '/orders', { body: orderBody([{ sku: 'X', quantity: 1 }]) });
    expect(noToken.status).toBe(401);
    const badToken = await fetch(`${apiUrl()}/orders/abc`, { headers: { authorization: 'Bearer not-a-jwt' } });
    expect(badToken.status).toBe(401);
    const wrongRole = await call('PUT', `/products/${uniqueSku()}`, {
      as: 'storefront',
      body: { name: 'x', price: { amount: 1, currency: 'CNY' }, cost: { amount: 1, currency: 'CNY' } },
    });
    expect(wrongRole.status).toBe(403);
    isProblem(wrongRole, 403);
  });

  it('rejects unknown fields and bad types with field errors, and changes nothing', async () => {
    const sku = uniqueSku('BAD');
    const bad = await call('PUT', `/products/${sku}`, {
      as: 'ops',
      body: { name: 'x', price: { amount: 1.5, currency: 'CNY' }, cost: { amount: 1, currency: 'CNY' }, colour: 'red' },
    });
    expect(bad.status).toBe(400);
    isProblem(bad, 400);
    const paths = bad.body.errors.map((e: { path: string }) => e.path).join(' ');
    expect(paths).toContain('price');
    expect(JSON.stringify(bad.body.errors)).toContain('colour');
    expect((await call('GET', `/products/${sku}`, { as: 'ops' })).status).toBe(404);
  });

  it('refuses bodies that are not JSON or too large', async () => {
    const notJson = await call('POST', '/orders', {
      as: 'storefront',
      raw: 'hello',
      headers: { 'content-type': 'text/plain', 'idempotency-key': randomUUID() },
    });
    expect(notJson.status).toBe(415);
    const huge = await call('POST', '/orders', {
      as: 'storefront',
      headers: { 'idempotency-key': randomUUID() },
      body: orderBody([{ sku: 'X', quantity: 1 }], { notes: 'x'.repeat(300_000) }),
    });
    expect(huge.status).toBe(413);
  });

  it('refuses a stock adjustment that would take on-hand below what is reserved', async () => {
    const sku = uniqueSku('ADJ');
    await call('PUT', `/products/${sku}`, {
      as: 'ops',
      body: { name: 'x', price: { amount: 100, currency: 'CNY' }, cost: { amount: 50, currency: 'CNY' } },
    });
    await call('POST', `/inventory/${sku}/adjustments`, { as: 'ops', body: { delta: 2, reason: 'RECEIVED' } });
    const below = await call('POST', `/inventory/${sku}/adjustments`, { as: 'ops', body: { delta: -3, reason: 'DAMAGED' } });
    expect(below.status).toBe(409);
    isProblem(below, 409);
    expect((await call('GET', `/inventory/${sku}`, { as: 'ops' })).body).toMatchObject({ sku, onHand: 2, reserved: 0, available: 2 });
  });
});
