import { beforeAll, describe, expect, it } from 'vitest';
import { apiUrl, call, createProduct, eventually, getOrder, placeOrder, stockOf, uniqueSku } from './client';

// After-sales over HTTP through the local cloud: an order delivered by the sandbox
// carrier, part of it returned by its storefront with one line damaged on arrival
// (stock restocked and written off exactly, the received units refunded with the
// return as cause), and a claim refunded on approval.

let tea: string;
let cup: string;

beforeAll(async () => {
  tea = uniqueSku('RET-TEA');
  cup = uniqueSku('RET-CUP');
  await Promise.all([createProduct(tea, 20, 1500), createProduct(cup, 20, 800)]);
});

const post = (path: string, body: unknown) => fetch(`${apiUrl()}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

const isProblem = (res: { status: number; headers: Headers; body: { status?: number } }, status: number) =>
  res.status === status && res.headers.get('content-type') === 'application/problem+json' && res.body.status === status;

/** A storefront order paid by bank transfer, shipped with the sandbox carrier and delivered now. */
async function deliveredOrder(lines: { sku: string; quantity: number }[]) {
  const placed = await placeOrder(lines);
  expect(placed.status).toBe(202);
  const orderId = placed.body.orderId as string;
  await eventually(() => getOrder(orderId), (r) => r.body?.status === 'AWAITING_PAYMENT');
  const started = await call('POST', `/orders/${orderId}/payments`, { as: 'storefront', body: { method: 'bank_transfer' } });
  expect((await call('POST', `/orders/${orderId}/payments/${started.body.paymentId}/confirm`, { as: 'finance', body: { reference: `CMB-${orderId}` } })).status).toBe(200);
  const f = await call('POST', `/orders/${orderId}/fulfillments`, { as: 'ops', body: {} });
  expect(f.status, JSON.stringify(f.body)).toBe(201);
  expect((await call('POST', `/fulfillments/${f.body.fulfillmentId}/packed`, { as: 'ops' })).status).toBe(200);
  const ship = await call('POST', `/orders/${orderId}/shipments`, { as: 'ops', body: { carrier: 'sandbox' } });
  expect(ship.status, JSON.stringify(ship.body)).toBe(201);
  const res = await post(`/_local/sandbox/carriers/${ship.body.trackingNumber}/events`, { status: 'DELIVERED', at: new Date().toISOString(), location: '杭州市' });
  expect(res.status, await res.text()).toBe(201);
  await eventually(() => getOrder(orderId), (r) => r.body?.status === 'DELIVERED');
  return orderId;
}

describe('returns over HTTP', () => {
  it('part of a delivered order returned, one line damaged: stock, ledger and refund exact', async () => {
    const orderId = await deliveredOrder([{ sku: tea, quantity: 3 }, { sku: cup, quantity: 2 }]);
    const before = { tea: await stockOf(tea), cup: await stockOf(cup) };

    // more than was delivered, an SKU not on the order, an exchange: refused, nothing written
    expect(isProblem(await call('POST', `/orders/${orderId}/returns`, { as: 'storefront', body: { type: 'return', lines: [{ sku: tea, quantity: 4, reason: 'x' }] } }), 409)).toBe(true);
    expect(isProblem(await call('POST', `/orders/${orderId}/returns`, { as: 'storefront', body: { type: 'return', lines: [{ sku: 'NOPE-1', quantity: 1, reason: 'x' }] } }), 422)).toBe(true);
    expect(isProblem(await call('POST', `/orders/${orderId}/returns`, { as: 'storefront', body: { type: 'bogus', lines: [] } }), 400)).toBe(true);
    expect((await call('GET', `/orders/${orderId}/returns`, { as: 'cs' })).body.items).toEqual([]);

    const asked = await call('POST', `/orders/${orderId}/returns`, {
      as: 'storefront', body: { type: 'return', lines: [{ sku: tea, quantity: 2, reason: 'too strong' }, { sku: cup, quantity: 1, reason: 'chipped' }], note: 'box kept' },
    });
    expect(asked.status, JSON.stringify(asked.body)).toBe(201);
    expect(asked.headers.get('location')).toBe(`/returns/${asked.body.returnId}`);
    expect(asked.body).toMatchObject({ type: 'return', status: 'REQUESTED', orderId });
    const id = asked.body.returnId as string;

    // ops may not approve; cs approves (twice: the same answer)
    expect((await call('POST', `/returns/${id}/approve`, { as: 'ops' })).status).toBe(403);
    expect((await call('POST', `/returns/${id}/approve`, { as: 'cs' })).body.status).toBe('APPROVED');
    expect((await call('POST', `/returns/${id}/approve`, { as: 'cs' })).body.status).toBe('APPROVED');

    const receipt = { lines: [{ sku: tea, quantity: 2, condition: 'resellable' }, { sku: cup, quantity: 1, condition: 'damaged' }] };
    const received = await call('POST', `/returns/${id}/receive`, { as: 'ops', body: receipt });
    expect(received.status, JSON.stringify(received.body)).toBe(200);
    // 2 × 15.00 + 1 × 8.00
    expect(received.body).toMatchObject({ status: 'REFUNDED', locationId: 'MAIN', refund: { amount: { amount: 3800, currency: 'CNY' } } });
    expect((await call('POST', `/returns/${id}/receive`, { as: 'ops', body: receipt })).body.refund).toEqual(received.body.refund);

    expect(await stockOf(tea)).toMatchObject({ onHand: before.tea.onHand + 2, available: before.tea.available + 2 });
    expect(await stockOf(cup)).toMatchObject({ onHand: before.cup.onHand, available: before.cup.available });

    const money = (await call('GET', `/orders/${orderId}/payments`, { as: 'finance' })).body;
    expect(money.refunds).toEqual([expect.objectContaining({ refundId: received.body.refund.refundId, reasonCode: 'RETURNED', returnId: id, amount: { amount: 3800, currency: 'CNY' } })]);

    const order = (await getOrder(orderId)).body;
    expect(order.outbound.lines.map((l: { sku: string; returned: number }) => [l.sku, l.returned])).toEqual([[tea, 2], [cup, 1]]);
    expect((await call('POST', `/returns/${id}/close`, { as: 'cs' })).body.status).toBe('CLOSED');
    expect((await call('GET', `/returns/${id}`, { as: 'storefront' })).body.status).toBe('CLOSED');
  });

  it('a claim (missing unit) needs no parcel and is refunded on approval', async () => {
    const orderId = await deliveredOrder([{ sku: cup, quantity: 2 }]);
    const claim = await call('POST', `/orders/${orderId}/returns`, { as: 'cs', body: { type: 'claim', lines: [{ sku: cup, quantity: 1, reason: 'missing from the parcel' }] } });
    expect(claim.status, JSON.stringify(claim.body)).toBe(201);
    expect(isProblem(await call('POST', `/returns/${claim.body.returnId}/receive`, { as: 'ops', body: { lines: [{ sku: cup, quantity: 1, condition: 'resellable' }] } }), 409)).toBe(true);
    const approved = await call('POST', `/returns/${claim.body.returnId}/approve`, { as: 'cs' });
    expect(approved.body).toMatchObject({ type: 'claim', status: 'REFUNDED', refund: { amount: { amount: 800, currency: 'CNY' } } });
  });
});
