import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../infra/local/cloud';
import { startPartner, type Partner } from '../../scripts/partner';
import { call, createProduct, eventually, getOrder, paidOrder, stockOf, testToken, uniqueSku } from './client';

// Outbound webhooks over HTTP through the local cloud: an admin registers a partner's
// endpoint (a receiver this test starts, verifying signatures with its own code), a paid
// and shipped order reaches it as signed OrderPaid and ShipmentCreated deliveries, a
// failing partner's delivery waits for a retry and is sent again on request.

const SECRET = `whsec_${randomUUID().replaceAll('-', '')}`;
let partner: Partner;
const webhookId = `e2e-erp-${randomUUID().slice(0, 6)}`;
const subscription = () => ({ url: `${partner.url}/oms/events`, events: ['OrderPaid', 'ShipmentCreated'], active: true, secret: SECRET, description: 'ERP (test)' });

beforeAll(async () => {
  partner = await startPartner({ secrets: [SECRET], log: () => undefined });
});
afterAll(async () => {
  // later test files' events must not keep a stopped partner's deliveries retrying
  if (partner) await call('PUT', `/integrations/webhooks/${webhookId}`, { as: 'admin', body: { ...subscription(), active: false } });
  await partner?.stop();
});


const receivedFor = (orderId: string) => partner.received.filter((r) => (r.body as { data?: { orderId?: string } }).data?.orderId === orderId);

describe('outbound webhooks over HTTP', () => {
  it('an admin registers a webhook; a paid and shipped order reaches the partner as signed OrderPaid and ShipmentCreated', async () => {
    const put = await call('PUT', `/integrations/webhooks/${webhookId}`, { as: 'admin', body: subscription() });
    expect(put.status).toBe(201);
    expect(put.headers.get('location')).toBe(`/integrations/webhooks/${webhookId}`);
    expect(put.body).toMatchObject({ id: webhookId, active: true, events: ['OrderPaid', 'ShipmentCreated'], secrets: [{ hint: `${SECRET.slice(0, 6)}…${SECRET.slice(-4)}` }] });
    expect(JSON.stringify(put.body)).not.toContain(SECRET);
    const listed = await call('GET', '/integrations/webhooks', { as: 'admin' });
    expect(listed.body.items.find((w: { id: string }) => w.id === webhookId)).toMatchObject({ url: subscription().url });
    expect(JSON.stringify(listed.body)).not.toContain(SECRET);
    // the delivery worker reuses the subscriptions it read for a few seconds (SUBSCRIPTIONS_TTL_MS):
    // its containers start anew and read them again, instead of the test waiting that out
    expect((await call('POST', '/_local/functions/webhook-deliveries/recycle')).status).toBe(200);

    const sku = uniqueSku('HOOK');
    await createProduct(sku, 5);
    const orderId = await paidOrder([{ sku, quantity: 1 }]);
    const f = await call('POST', `/orders/${orderId}/fulfillments`, { as: 'ops', body: {} });
    expect(f.status).toBe(201);
    expect((await call('POST', `/fulfillments/${f.body.fulfillmentId}/packed`, { as: 'ops' })).status).toBe(200);
    const shipped = await call('POST', `/orders/${orderId}/shipments`, { as: 'ops', body: { carrier: 'sandbox' } });
    expect(shipped.status).toBe(201);

    const got = await eventually(() => Promise.resolve(receivedFor(orderId)), (r) => r.length >= 2);
    expect(got.map((r) => [r.eventType, r.verified, r.answered, r.path]).sort()).toEqual([
      ['OrderPaid', true, 204, '/oms/events'],
      ['ShipmentCreated', true, 204, '/oms/events'],
    ]);
    expect(got.find((r) => r.eventType === 'ShipmentCreated')!.body).toMatchObject({ type: 'ShipmentCreated', data: { orderId, shipmentId: shipped.body.shipmentId } });

    // the partner answered before the worker recorded the answer: read until both are recorded
    const mineOf = (r: { body: { items: { eventId: string; status: string; attempts: number; lastResponseStatus: number }[] } }) => r.body.items.filter((d: { eventId: string }) => got.some((g) => g.eventId === d.eventId));
    const deliveries = await eventually(
      () => call('GET', `/integrations/webhooks/${webhookId}/deliveries`, { as: 'admin' }),
      (r) => r.status === 200 && mineOf(r).every((d: { status: string }) => d.status !== 'PENDING'),
    );
    const mine = mineOf(deliveries);
    expect(mine.map((d: { status: string; attempts: number; lastResponseStatus: number }) => [d.status, d.attempts, d.lastResponseStatus])).toEqual([
      ['DELIVERED', 1, 204], ['DELIVERED', 1, 204],
    ]);
  });

  it('a failing partner\'s delivery waits for its retry; the admin sends it again once the partner is back', async () => {
    partner.mode.fail = 503;
    const sku = uniqueSku('HOOK');
    await createProduct(sku, 5);
    const orderId = await paidOrder([{ sku, quantity: 1 }]);
    const refused = await eventually(() => Promise.resolve(receivedFor(orderId)), (r) => r.length >= 1);
    expect(refused[0]).toMatchObject({ eventType: 'OrderPaid', verified: true, answered: 503 });
    const eventId = refused[0]!.eventId;
    const pending = await eventually(
      () => call('GET', `/integrations/webhooks/${webhookId}/deliveries`, { as: 'admin' }),
      (r) => r.body.items.some((d: { eventId: string; status: string; attempts: number }) => d.eventId === eventId && d.status === 'PENDING' && d.attempts === 1),
    );
    const d = pending.body.items.find((x: { eventId: string }) => x.eventId === eventId);
    expect(d.lastResponseStatus).toBe(503);
    expect(new Date(d.nextAttemptAt).getTime()).toBeGreaterThan(Date.now());

    partner.mode.fail = null;
    const again = await call('POST', `/integrations/webhooks/${webhookId}/redeliver`, { as: 'admin', body: { eventId } });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ eventId, status: 'DELIVERED', attempts: 2, lastResponseStatus: 204 });
    expect(receivedFor(orderId).map((r) => [r.eventId, r.answered])).toEqual([[eventId, 503], [eventId, 204]]);
  });

  it('refuses URLs inside the network, unknown events and unknown deliveries, as problems', async () => {
    const bad = await call('PUT', `/integrations/webhooks/${webhookId}-x`, { as: 'admin', body: { ...subscription(), url: 'https://169.254.169.254/latest/meta-data' } });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toBe('application/problem+json');
    expect(bad.body.errors).toEqual([{ path: 'body.url', message: 'resolves to 169.254.169.254, a linkLocal address' }]);
    const typo = await call('PUT', `/integrations/webhooks/${webhookId}-x`, { as: 'admin', body: { ...subscription(), events: ['OrderPayed'] } });
    expect(typo.body.errors).toEqual([{ path: 'body.events.0', message: 'matches no event of the catalog (OrderPayed)' }]);
    expect((await call('GET', `/integrations/webhooks/${webhookId}-x/deliveries`, { as: 'admin' })).status).toBe(404);
    expect((await call('POST', `/integrations/webhooks/${webhookId}/redeliver`, { as: 'admin', body: { eventId: 'nope' } })).status).toBe(404);
  });
});

describe('webhook deliveries across a restart of the local cloud', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'oms-webhooks-'));
  let cloud: LocalCloud | undefined;
  let slow: Partner | undefined;
  afterAll(async () => {
    await cloud?.stop();
    await slow?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const send = async (c: LocalCloud, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${c.apiUrl}${path}`, {
      method, headers: { authorization: `Bearer ${(method === 'GET' || path.startsWith('/integrations') ? c.tokens.admin : c.tokens.ops)}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  };

  it('loses no delivery when the cloud stops while one is in flight', { timeout: 300_000 }, async () => {
    slow = await startPartner({ secrets: [SECRET], slowMs: 60_000, log: () => undefined });
    cloud = await startLocalCloud({ port: 0, dataDir, writeHandshake: false, log: () => {} });
    const id = 'restart-erp';
    // the first call may meet a cold start slower than the function's timeout on a busy machine: PUT is safe to repeat
    const put = await eventually(
      () => send(cloud!, 'PUT', `/integrations/webhooks/${id}`, { url: `${slow!.url}/in`, events: ['StockAdjusted'], active: true, secret: SECRET }),
      (r) => r.status === 201 || r.status === 200,
      120_000,
    );
    expect(put.body).toMatchObject({ id, active: true });
    expect((await fetch(`${cloud.apiUrl}/_local/functions/webhook-deliveries/recycle`, { method: 'POST' })).status).toBe(200);
    const sku = uniqueSku('KEEP');
    await send(cloud, 'PUT', `/products/${sku}`, { name: 'Kept', price: { amount: 500, currency: 'CNY' }, cost: { amount: 200, currency: 'CNY' } });
    expect((await send(cloud, 'POST', `/inventory/${sku}/adjustments`, { delta: 4, reason: 'RECEIVED' })).status).toBe(201);

    // the partner holds the request: the cloud stops mid-delivery
    await eventually(() => Promise.resolve(slow!.arrivals()), (n) => n >= 1, 60_000);
    await cloud.stop();
    slow.mode.slowMs = 0;
    cloud = await startLocalCloud({ port: 0, dataDir, writeHandshake: false, log: () => {} });

    // after the restart the delivery is attempted again (its 15 s claim runs out; the retry job takes it) and
    // acknowledged; the job ticks every minute on its own, and is fired every 2 s here as of 16 s later, past the
    // claim, rather than waiting for the tick and the claim
    let fired = 0;
    const acked = await eventually(async () => {
      if (Date.now() - fired > 2_000) {
        fired = Date.now();
        const time = new Date(fired + 16_000).toISOString();
        await fetch(`${cloud!.apiUrl}/_local/schedules/webhook-retries/run?time=${time}`, { method: 'POST' });
      }
      return slow!.received.filter((r) => r.eventType === 'StockAdjusted' && r.answered === 204);
    }, (r) => r.length >= 1, 180_000);
    expect(acked[0]).toMatchObject({ verified: true, body: { type: 'StockAdjusted', data: { sku } } });
    // the worker records the answer after the partner gave it (and a cold start may time out a first read)
    const deliveries = await eventually(
      () => send(cloud!, 'GET', `/integrations/webhooks/${id}/deliveries`),
      (r) => r.status === 200 && r.body.items?.[0]?.status === 'DELIVERED',
      120_000,
    );
    expect(deliveries.body.items).toEqual([expect.objectContaining({ eventId: acked[0]!.eventId, status: 'DELIVERED' })]);
  });
});

describe('marketplace imports over HTTP', () => {
  const channel = `tmall-${randomUUID().slice(0, 6)}`;
  const storefrontClient = () => JSON.parse(Buffer.from(inject('tokens').storefront.split('.')[1]!, 'base64url').toString()).sub as string;
  const importBody = (externalRef: string, skus: string[]) => ({
    externalRef,
    customer: { email: 'buyer@example.com', name: 'Tmall Buyer' },
    lines: skus.map((sku) => ({ sku, quantity: 1 })),
    shippingAddress: { name: 'Tmall Buyer', line1: '969 Wenyi Road', city: 'Hangzhou', postalCode: '311121', country: 'CN' },
  });

  it('maps the marketplace\'s SKUs, creates nothing for an unknown one, and imports each order once', async () => {
    const sku = uniqueSku('TM');
    await createProduct(sku, 5);
    const map = await call('PUT', `/integrations/channels/${channel}/sku-map`, { as: 'admin', body: { skus: { 'TM-1001': sku }, clients: [storefrontClient()] } });
    expect(map.status).toBe(201);

    const ref = `TB${Date.now()}`;
    const unknown = await call('POST', `/integrations/orders/${channel}`, { as: 'storefront', body: importBody(ref, ['TM-1001', 'TM-9999', 'TM-9998']) });
    expect(unknown.status).toBe(422);
    expect(unknown.headers.get('content-type')).toBe('application/problem+json');
    expect(unknown.body).toMatchObject({ type: '/problems/unknown-skus', skus: ['TM-9999', 'TM-9998'] });
    expect(await stockOf(sku)).toMatchObject({ onHand: 5, reserved: 0, available: 5 });

    const first = await call('POST', `/integrations/orders/${channel}`, { as: 'storefront', body: importBody(ref, ['TM-1001']) });
    expect(first.status).toBe(202);
    const again = await call('POST', `/integrations/orders/${channel}`, { as: 'storefront', body: importBody(ref, ['TM-1001']) });
    expect(again.body.orderId).toBe(first.body.orderId);
    const order = await eventually(() => getOrder(first.body.orderId), (r) => r.body?.status !== 'PENDING');
    expect(order.body).toMatchObject({ channel: 'marketplace', externalRef: `${channel}:${ref}`, lines: [{ sku, quantity: 1 }] });
    expect(order.body.orderNumber).toMatch(/^M\d{8}-\d{4,}$/);
  });

  it('takes orders only from the clients the channel lists', async () => {
    const res = await call('POST', `/integrations/orders/${channel}`, { token: testToken('storefrontB'), body: importBody('TB-other', ['TM-1001']) });
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });
});
