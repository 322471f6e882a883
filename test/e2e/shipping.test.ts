import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiUrl, call, createProduct, eventually, getOrder, placeOrder, stockOf, token, uniqueSku } from './client';

// Outbound over HTTP through the local cloud: a paid order picked, packed and shipped in
// two parcels with the carriers' tracking numbers, as ops would drive it. Delivery comes
// from carrier callbacks (not part of this run: the integration tests deliver on the table).

let tea: string;
let cup: string;

beforeAll(async () => {
  tea = uniqueSku('SHIP-TEA');
  cup = uniqueSku('SHIP-CUP');
  await Promise.all([createProduct(tea, 20, 1500), createProduct(cup, 20, 800)]);
});

const isProblem = (res: { status: number; headers: Headers; body: { status?: number } }, status: number) =>
  res.status === status && res.headers.get('content-type') === 'application/problem+json' && res.body.status === status;

/** A storefront order paid by bank transfer (confirmed by finance): PAID. */
async function paidOrder(lines: { sku: string; quantity: number }[]) {
  const placed = await placeOrder(lines);
  expect(placed.status).toBe(202);
  const orderId = placed.body.orderId as string;
  await eventually(() => getOrder(orderId), (r) => r.body?.status === 'AWAITING_PAYMENT');
  const started = await call('POST', `/orders/${orderId}/payments`, { as: 'storefront', body: { method: 'bank_transfer' } });
  const confirmed = await call('POST', `/orders/${orderId}/payments/${started.body.paymentId}/confirm`, { as: 'finance', body: { reference: `CMB-${orderId}` } });
  expect(confirmed.status).toBe(200);
  return orderId;
}

describe('shipping over HTTP', () => {
  it('paid order -> fulfilment -> pick list (JSON and HTML) -> packed -> two shipments -> SHIPPED, found by tracking number', async () => {
    const orderId = await paidOrder([{ sku: tea, quantity: 2 }, { sku: cup, quantity: 1 }]);
    const before = { tea: await stockOf(tea), cup: await stockOf(cup) };

    const f = await call('POST', `/orders/${orderId}/fulfillments`, { as: 'ops', body: {} });
    expect(f.status, JSON.stringify(f.body)).toBe(201);
    expect(f.body).toMatchObject({ status: 'OPEN', lines: [{ sku: tea, quantity: 2, locationId: 'MAIN' }, { sku: cup, quantity: 1, locationId: 'MAIN' }] });
    expect((await getOrder(orderId)).body.status).toBe('FULFILLING');
    const id = f.body.fulfillmentId as string;

    const list = await call('GET', `/fulfillments/${id}/pick-list`, { as: 'ops' });
    expect(list.status).toBe(200);
    expect(list.body.lines).toEqual([
      { sku: tea, name: expect.any(String), quantity: 2, location: 'MAIN' },
      { sku: cup, name: expect.any(String), quantity: 1, location: 'MAIN' },
    ]);
    const page = await fetch(`${apiUrl()}/fulfillments/${id}/pick-list`, { headers: { accept: 'text/html', authorization: `Bearer ${token('ops')}` } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain(tea);
    expect(html).toContain('Pick list');

    // nothing packed yet: no shipment
    const early = await call('POST', `/orders/${orderId}/shipments`, { as: 'ops', body: { carrier: 'kuaidi100', trackingNumber: `SF${Date.now()}` } });
    expect(isProblem(early, 409)).toBe(true);
    expect((await call('POST', `/fulfillments/${id}/packed`, { as: 'ops' })).body.status).toBe('PACKED');
    expect(isProblem(await call('POST', `/fulfillments/${id}/packed`, { as: 'ops' }), 409)).toBe(true);

    const t1 = `SF${randomUUID().slice(0, 10).replace(/-/g, '')}`;
    const t2 = `EZ${randomUUID().slice(0, 10).replace(/-/g, '')}`;
    const first = await call('POST', `/orders/${orderId}/shipments`, { as: 'ops', body: { carrier: 'kuaidi100', trackingNumber: t1, lines: [{ sku: tea, quantity: 2 }] } });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({ carrier: 'kuaidi100', trackingNumber: t1, status: 'LABEL_CREATED', lines: [{ sku: tea, quantity: 2 }] });
    expect((await getOrder(orderId)).body.status).toBe('PARTIALLY_SHIPPED');

    // the same tracking number twice is a 409; a carrier that cannot book needs one
    expect(isProblem(await call('POST', `/orders/${orderId}/shipments`, { as: 'ops', body: { carrier: 'easypost', trackingNumber: t1 } }), 409)).toBe(true);
    expect(isProblem(await call('POST', `/orders/${orderId}/shipments`, { as: 'ops', body: { carrier: 'aftership' } }), 422)).toBe(true);

    const second = await call('POST', `/orders/${orderId}/shipments`, { as: 'ops', body: { carrier: 'easypost', trackingNumber: t2 } });
    expect(second.status, JSON.stringify(second.body)).toBe(201);
    const order = (await getOrder(orderId)).body;
    expect(order.status).toBe('SHIPPED');
    expect(order.outbound.shipments.map((s: { trackingNumber: string }) => s.trackingNumber)).toEqual([t1, t2]);
    expect(order.outbound.lines.map((l: { sku: string; shipped: number }) => [l.sku, l.shipped])).toEqual([[tea, 2], [cup, 1]]);

    // on hand and reserved both fell by what shipped
    expect(await stockOf(tea)).toMatchObject({ onHand: before.tea.onHand - 2, reserved: before.tea.reserved - 2 });
    expect(await stockOf(cup)).toMatchObject({ onHand: before.cup.onHand - 1, reserved: before.cup.reserved - 1 });

    const found = await call('GET', `/orders?trackingNumber=${t2}`, { as: 'cs' });
    expect(found.status).toBe(200);
    expect(found.body.items.map((o: { orderId: string }) => o.orderId)).toEqual([orderId]);
  });

  it('cash on delivery: picked and shipped before payment; the attempt stays PENDING until delivery', async () => {
    const placed = await placeOrder([{ sku: cup, quantity: 1 }]);
    const orderId = placed.body.orderId as string;
    await eventually(() => getOrder(orderId), (r) => r.body?.status === 'AWAITING_PAYMENT');
    const cod = await call('POST', `/orders/${orderId}/payments`, { as: 'storefront', body: { method: 'cod' } });
    expect(cod.status).toBe(201);
    const f = await call('POST', `/orders/${orderId}/fulfillments`, { as: 'ops', body: {} });
    expect(f.status, JSON.stringify(f.body)).toBe(201);
    expect((await getOrder(orderId)).body.status).toBe('FULFILLING');
    await call('POST', `/fulfillments/${f.body.fulfillmentId}/packed`, { as: 'ops' });
    const s = await call('POST', `/orders/${orderId}/shipments`, { as: 'ops', body: { carrier: 'kuaidi100', trackingNumber: `COD${randomUUID().slice(0, 8)}` } });
    expect(s.status, JSON.stringify(s.body)).toBe(201);
    const order = (await getOrder(orderId, 'finance')).body;
    expect(order.status).toBe('SHIPPED');
    expect(order.payments).toMatchObject([{ method: 'cod', status: 'PENDING' }]);
  });

  it('bad input is a 400 problem and changes nothing; other roles get 403', async () => {
    const orderId = await paidOrder([{ sku: tea, quantity: 1 }]);
    for (const body of [{ lines: [] }, { lines: [{ sku: tea, quantity: 0 }] }, { extra: true }]) {
      const res = await call('POST', `/orders/${orderId}/fulfillments`, { as: 'ops', body });
      expect(isProblem(res, 400), JSON.stringify(res.body)).toBe(true);
    }
    for (const body of [{}, { carrier: 'pigeon' }, { carrier: 'kuaidi100', trackingNumber: 'no spaces allowed' }]) {
      const res = await call('POST', `/orders/${orderId}/shipments`, { as: 'ops', body });
      expect(isProblem(res, 400), JSON.stringify(res.body)).toBe(true);
    }
    const lookup = await call('GET', `/orders?trackingNumber=SF1&status=PAID`, { as: 'ops' });
    expect(isProblem(lookup, 400)).toBe(true);
    expect((await getOrder(orderId)).body).toMatchObject({ status: 'PAID' });
    for (const as of ['cs', 'finance', 'storefront'] as const) {
      expect(isProblem(await call('POST', `/orders/${orderId}/fulfillments`, { as, body: {} }), 403)).toBe(true);
    }
    // not paid: a 409 (an order awaiting a card payment is not fulfilled)
    const placed = await placeOrder([{ sku: cup, quantity: 1 }]);
    await eventually(() => getOrder(placed.body.orderId), (r) => r.body?.status === 'AWAITING_PAYMENT');
    expect(isProblem(await call('POST', `/orders/${placed.body.orderId}/fulfillments`, { as: 'ops', body: {} }), 409)).toBe(true);
  });
});
