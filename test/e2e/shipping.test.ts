import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiUrl, call, createProduct, eventually, getOrder, paidOrder, placeOrder, stockOf, token, uniqueSku } from './client';

// Outbound over HTTP through the local cloud: a paid order picked, packed and shipped in
// two parcels, as ops would drive it; parcels booked with the local stage's sandbox carrier
// and tracked to delivery from its signed callbacks (repeated and out of order), the order
// completed once its return window is over; cash on delivery settled at delivery.

let tea: string;
let cup: string;
let returnWindowDays: number;

/** Replaces some workflow settings (as an admin would), answering what they were. */
async function workflowSettings(change: Record<string, unknown>) {
  const current = (await call('GET', '/settings/workflow', { as: 'admin' })).body;
  const { version, updatedAt: _u, updatedBy: _b, ...doc } = current;
  const res = await call('PUT', '/settings/workflow', { as: 'admin', body: { ...doc, ...change }, headers: { 'if-match': `"${version}"` } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return doc;
}

beforeAll(async () => {
  tea = uniqueSku('SHIP-TEA');
  cup = uniqueSku('SHIP-CUP');
  await Promise.all([createProduct(tea, 20, 1500), createProduct(cup, 20, 800)]);
  // orders delivered here are complete at once (the default window is 7 days)
  returnWindowDays = (await workflowSettings({ returnWindowDays: 0 })).returnWindowDays;
});
afterAll(async () => {
  if (returnWindowDays !== undefined) await workflowSettings({ returnWindowDays });
});

const post = (path: string, body: unknown) => fetch(`${apiUrl()}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** The sandbox carrier reports these checkpoints for a parcel, each as a signed callback. */
async function drive(trackingNumber: string, events: [status: string, at: string][]) {
  for (const [status, at] of events) {
    const res = await post(`/_local/sandbox/carriers/${trackingNumber}/events`, { status, at, location: '杭州市' });
    expect(res.status, await res.text()).toBe(201);
  }
}

const isProblem = (res: { status: number; headers: Headers; body: { status?: number } }, status: number) =>
  res.status === status && res.headers.get('content-type') === 'application/problem+json' && res.body.status === status;


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
    const first = await call('POST', `/orders/${orderId}/shipments`, { as: 'ops', body: { carrier: 'kuaidi100', courier: 'shunfeng', trackingNumber: t1, lines: [{ sku: tea, quantity: 2 }] } });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({ carrier: 'kuaidi100', courier: 'shunfeng', trackingNumber: t1, status: 'LABEL_CREATED', lines: [{ sku: tea, quantity: 2 }] });
    // Kuaidi100 books no waybill: the parcel is subscribed, so its tracking is pushed to us
    const subscribed = await eventually(
      () => fetch(`${apiUrl()}/_local/sandbox/carriers/${t1}`).then(async (r) => (r.status === 200 ? ((await r.json()) as Record<string, unknown>) : undefined)),
      (p) => p?.callbackUrl !== undefined,
    );
    expect(subscribed).toMatchObject({ bookedWith: 'kuaidi100', company: 'shunfeng', callbackUrl: `${apiUrl()}/webhooks/carriers/kuaidi100` });
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

  it('sandbox waybills: two parcels tracked to delivery through repeated and out-of-order callbacks, then completed', async () => {
    const orderId = await paidOrder([{ sku: tea, quantity: 1 }, { sku: cup, quantity: 2 }]);
    const f = await call('POST', `/orders/${orderId}/fulfillments`, { as: 'ops', body: {} });
    expect(f.status, JSON.stringify(f.body)).toBe(201);
    expect((await call('POST', `/fulfillments/${f.body.fulfillmentId}/packed`, { as: 'ops' })).status).toBe(200);

    // no tracking number given: the sandbox carrier books the waybill; a retry is the same parcel
    const key = randomUUID();
    const ship = () => call('POST', `/orders/${orderId}/shipments`, { as: 'ops', body: { carrier: 'sandbox', lines: [{ sku: tea, quantity: 1 }] }, headers: { 'idempotency-key': key } });
    const one = await ship();
    expect(one.status, JSON.stringify(one.body)).toBe(201);
    expect(one.body.trackingNumber).toMatch(/^SB\d{12}$/);
    expect((await ship()).body).toMatchObject({ shipmentId: one.body.shipmentId, trackingNumber: one.body.trackingNumber });
    const two = await call('POST', `/orders/${orderId}/shipments`, { as: 'ops', body: { carrier: 'sandbox' } });
    expect(two.status, JSON.stringify(two.body)).toBe(201);
    expect(two.body.lines).toMatchObject([{ sku: cup, quantity: 2 }]);
    expect((await getOrder(orderId)).body.status).toBe('SHIPPED');
    const [tn1, tn2] = [one.body.trackingNumber as string, two.body.trackingNumber as string];

    // parcel one: picked up, in transit, delivered; the delivery repeated twice and an older report resent after it
    await drive(tn1, [['PICKED_UP', '2026-12-01T01:00:00Z'], ['IN_TRANSIT', '2026-12-01T06:00:00Z'], ['DELIVERED', '2026-12-02T02:00:00Z']]);
    expect((await post(`/_local/sandbox/carriers/${tn1}/replay`, { index: 3, times: 2 })).status).toBe(200);
    expect((await post(`/_local/sandbox/carriers/${tn1}/stale`, {})).status).toBe(200);
    const partly = (await eventually(() => getOrder(orderId), (r) => r.body?.status === 'PARTIALLY_DELIVERED')).body;
    expect(partly.outbound.lines.map((l: { sku: string; delivered: number }) => [l.sku, l.delivered])).toEqual([[tea, 1], [cup, 0]]);

    // anyone with the number sees the parcel's progress, nothing about the order or the people
    const pub = await fetch(`${apiUrl()}/tracking/${tn1}`);
    expect(pub.status).toBe(200);
    const tracking = (await pub.json()) as { status: string; checkpoints: { status: string }[] };
    expect(tracking).toMatchObject({ trackingNumber: tn1, carrier: 'sandbox', status: 'DELIVERED' });
    expect(tracking.checkpoints.map((c) => c.status)).toEqual(expect.arrayContaining(['PICKED_UP', 'IN_TRANSIT', 'DELIVERED']));
    expect(JSON.stringify(tracking)).not.toMatch(new RegExp(`${orderId}|Li Lei|Main St|@`));

    // parcel two reports its delivery before its transit: delivered all the same, and stays so
    await drive(tn2, [['DELIVERED', '2026-12-02T09:00:00Z'], ['IN_TRANSIT', '2026-12-01T08:00:00Z']]);
    const delivered = (await eventually(() => getOrder(orderId), (r) => r.body?.status === 'DELIVERED')).body;
    expect(delivered.outbound.lines.map((l: { sku: string; delivered: number }) => [l.sku, l.delivered])).toEqual([[tea, 1], [cup, 2]]);
    const t2 = await eventually(() => fetch(`${apiUrl()}/tracking/${tn2}`).then((r) => r.json() as Promise<{ status: string; checkpoints: unknown[] }>), (t) => t.checkpoints.length === 2);
    expect(t2.status).toBe('DELIVERED');

    // the return window (0 days here) is over: the hourly job completes the order
    expect((await post('/_local/schedules/complete-orders/run', {})).status).toBe(200);
    expect((await getOrder(orderId)).body.status).toBe('COMPLETED');
  });

  it('cash on delivery: picked and shipped before payment; the attempt stays PENDING until delivery, settled when delivered', async () => {
    const placed = await placeOrder([{ sku: cup, quantity: 1 }]);
    const orderId = placed.body.orderId as string;
    await eventually(() => getOrder(orderId), (r) => r.body?.status === 'AWAITING_PAYMENT');
    const cod = await call('POST', `/orders/${orderId}/payments`, { as: 'storefront', body: { method: 'cod' } });
    expect(cod.status).toBe(201);
    const f = await call('POST', `/orders/${orderId}/fulfillments`, { as: 'ops', body: {} });
    expect(f.status, JSON.stringify(f.body)).toBe(201);
    expect((await getOrder(orderId)).body.status).toBe('FULFILLING');
    await call('POST', `/fulfillments/${f.body.fulfillmentId}/packed`, { as: 'ops' });
    const tn = `COD${randomUUID().slice(0, 8)}`;
    const s = await call('POST', `/orders/${orderId}/shipments`, { as: 'ops', body: { carrier: 'kuaidi100', trackingNumber: tn } });
    expect(s.status, JSON.stringify(s.body)).toBe(201);
    const order = (await getOrder(orderId, 'finance')).body;
    expect(order.status).toBe('SHIPPED');
    expect(order.payments).toMatchObject([{ method: 'cod', status: 'PENDING' }]);

    // the courier hands it over and collects the cash: Kuaidi100 reports it signed for
    await drive(tn, [['DELIVERED', '2026-12-02T03:00:00Z']]);
    const paid = (await eventually(() => getOrder(orderId, 'finance'), (r) => r.body?.payments?.[0]?.status === 'SUCCEEDED')).body;
    expect(paid.status).toBe('DELIVERED');
    expect(paid.money).toMatchObject({ paid: { amount: 800, currency: 'CNY' }, refunded: { amount: 0 } });
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
