import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiUrl, call, createProduct, eventually, getOrder, placeOrder, reviewsReadSettingsAnew, stockOf, uniqueSku } from './client';

// The order's life after reservation, through the local cloud: the review step reads the
// workflow settings, staff approve, reject and cancel over HTTP, and the scheduled expiry
// job releases what stays unpaid. The cloud is shared by the whole e2e run, so the
// settings changed here are put back at the end, whatever happens.

const run = randomUUID().slice(0, 8);
const flagged = `flagged-${run}@example.com`;
const customer = (email: string) => ({ customer: { email, name: 'Grace Hopper' } });

let original: Record<string, unknown>;

async function settings() {
  const res = await call('GET', '/settings/workflow', { as: 'ops' });
  expect(res.status).toBe(200);
  return res.body as Record<string, unknown> & { version: number };
}

async function putSettings(change: Record<string, unknown>) {
  const current = await settings();
  const { version: _v, updatedAt: _u, updatedBy: _b, ...doc } = current;
  const res = await call('PUT', '/settings/workflow', { as: 'admin', body: { ...doc, ...change }, headers: { 'if-match': `"${current.version}"` } });
  if (res.status !== 200) throw new Error(`PUT settings ${res.status} ${JSON.stringify(res.body)}`);
  await reviewsReadSettingsAnew();
  return res.body;
}

const statusIs = (orderId: string, status: string, timeoutMs = 30_000) =>
  eventually(() => getOrder(orderId), (r) => r.status === 200 && r.body.status === status, timeoutMs).then((r) => r.body);

const flaggedOrderInReview = async (sku: string, quantity: number) => {
  const placed = await placeOrder([{ sku, quantity }], randomUUID(), customer(flagged));
  expect(placed.status).toBe(202);
  const order = await eventually(
    () => getOrder(placed.body.orderId),
    (r) => r.body.status === 'IN_REVIEW' && Array.isArray(r.body.reviewReasons),
  );
  return order.body;
};

beforeAll(async () => {
  original = await settings();
  await putSettings({ paymentDeadlineMinutes: 1, review: { ...(original.review as object), flaggedCustomers: { emails: [flagged], customerIds: [] } } });
});

afterAll(async () => {
  if (!original) return;
  const { version: _v, updatedAt: _u, updatedBy: _b, ...doc } = original;
  await putSettings(doc);
});

describe('order lifecycle through the local cloud', () => {
  it('auto-approves an ordinary order to AWAITING_PAYMENT with the deadline from the settings', async () => {
    const sku = uniqueSku('AUTO');
    await createProduct(sku, 5);
    const placed = await placeOrder([{ sku, quantity: 1 }], randomUUID(), customer(`auto-${run}@example.com`));
    const order = await statusIs(placed.body.orderId, 'AWAITING_PAYMENT');
    const approvedAt = Date.parse(order.updatedAt);
    expect(Date.parse(order.paymentDueAt) - approvedAt).toBe(60_000);
    expect(order.timeline.map((t: { type: string }) => t.type)).toEqual(['ORDER_PLACED', 'STOCK_RESERVED', 'ORDER_AUTO_APPROVED']);
    expect(await stockOf(sku)).toMatchObject({ onHand: 5, reserved: 1, available: 4 });
  });

  it('an order the settings flag waits IN_REVIEW with its reasons, is in the review queue, and ops approve it', async () => {
    const sku = uniqueSku('REVIEW');
    await createProduct(sku, 5);
    const order = await flaggedOrderInReview(sku, 2);
    expect(order.reviewReasons).toEqual([`Customer ${flagged} is flagged for review`]);
    expect(order.timeline.at(-1)).toMatchObject({ type: 'REVIEW_REQUIRED', actor: 'system:review-order' });

    const queue = await call('GET', '/orders?status=IN_REVIEW&limit=100', { as: 'ops' });
    if (queue.status === 200) {
      // oldest first: walk the pages until this order shows up
      let page = queue;
      const ids: string[] = [];
      for (;;) {
        ids.push(...page.body.items.map((o: { orderId: string }) => o.orderId));
        if (ids.includes(order.orderId) || !page.body.nextCursor) break;
        page = await call('GET', `/orders?status=IN_REVIEW&limit=100&cursor=${encodeURIComponent(page.body.nextCursor)}`, { as: 'ops' });
      }
      expect(ids).toContain(order.orderId);
    }

    expect((await call('POST', `/orders/${order.orderId}/approve`, { as: 'cs' })).status).toBe(403);
    const stale = await call('POST', `/orders/${order.orderId}/approve`, { as: 'ops', headers: { 'if-match': `"${order.version - 1}"` } });
    expect(stale.status).toBe(409);
    const approved = await call('POST', `/orders/${order.orderId}/approve`, { as: 'ops', headers: { 'if-match': `"${order.version}"` } });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ orderId: order.orderId, status: 'AWAITING_PAYMENT' });
    expect(approved.body.timeline.at(-1)).toMatchObject({ type: 'ORDER_APPROVED' });

    const again = await call('POST', `/orders/${order.orderId}/approve`, { as: 'ops' });
    expect(again.status).toBe(409);
    expect(again.body.status).toBe(409);
    expect(again.body.detail).toContain('AWAITING_PAYMENT');
    expect(await stockOf(sku)).toMatchObject({ onHand: 5, reserved: 2, available: 3 });
  });

  it('a rejected order releases its stock', async () => {
    const sku = uniqueSku('REJECT');
    await createProduct(sku, 4);
    const order = await flaggedOrderInReview(sku, 3);
    expect(await stockOf(sku)).toMatchObject({ reserved: 3, available: 1 });
    const rejected = await call('POST', `/orders/${order.orderId}/reject`, { as: 'ops', body: { reason: 'Payment details do not match' } });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ status: 'REJECTED', rejectionReason: 'Payment details do not match' });
    expect(await stockOf(sku)).toMatchObject({ onHand: 4, reserved: 0, available: 4 });
  });

  it('a cancelled order releases its stock; the storefront cancels its own, customer service any', async () => {
    const sku = uniqueSku('CANCEL');
    await createProduct(sku, 6);
    const placed = await placeOrder([{ sku, quantity: 2 }], randomUUID(), customer(`cancel-${run}@example.com`));
    await statusIs(placed.body.orderId, 'AWAITING_PAYMENT');
    const cancelled = await call('POST', `/orders/${placed.body.orderId}/cancel`, { as: 'storefront', body: { reason: 'Ordered the wrong size' } });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'CANCELLED', cancellationReason: 'Ordered the wrong size' });

    const byStaff = await flaggedOrderInReview(sku, 1);
    expect((await call('POST', `/orders/${byStaff.orderId}/cancel`, { as: 'cs', body: { reason: 'Customer called' } })).status).toBe(200);
    expect(await stockOf(sku)).toMatchObject({ onHand: 6, reserved: 0, available: 6 });

    const twice = await call('POST', `/orders/${placed.body.orderId}/cancel`, { as: 'cs', body: { reason: 'again' } });
    expect(twice.status).toBe(409);
    expect(twice.body.detail).toContain('CANCELLED');
  });

  it('the settings API validates, versions and audits changes', async () => {
    const bad = await call('PUT', '/settings/workflow', { as: 'admin', body: { version: 1, paymentDeadlineMinutes: 'soon' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'body.paymentDeadlineMinutes' })]));
    const current = await settings();
    const stale = await call('PUT', '/settings/workflow', { as: 'admin', body: { paymentDeadlineMinutes: 1, version: current.version - 1 } });
    expect(stale.status).toBe(409);
    const history = await call('GET', '/settings/workflow/history?limit=5', { as: 'ops' });
    expect(history.status).toBe(200);
    expect(history.body.items[0]).toMatchObject({ version: current.version, changedBy: expect.any(String) });
  });

  it('an order left unpaid past its deadline is expired by the scheduled job and its stock released', async () => {
    const sku = uniqueSku('EXPIRE');
    await createProduct(sku, 5);
    const placed = await placeOrder([{ sku, quantity: 2 }], randomUUID(), customer(`expiring-${run}@example.com`));
    const { paymentDueAt } = await statusIs(placed.body.orderId, 'AWAITING_PAYMENT');
    // the job works as of its tick: fire the ticks of a second before and a second after the
    // deadline (the schedule also ticks every minute on its own) rather than wait for it
    const tick = (at: number) => fetch(`${apiUrl()}/_local/schedules/expire-unpaid/run?time=${new Date(at).toISOString()}`, { method: 'POST' });
    expect((await tick(Date.parse(paymentDueAt) - 1000)).status).toBe(200);
    expect((await getOrder(placed.body.orderId)).body).toMatchObject({ status: 'AWAITING_PAYMENT' });
    expect(await stockOf(sku)).toMatchObject({ onHand: 5, reserved: 2, available: 3 });
    expect((await tick(Date.parse(paymentDueAt) + 1000)).status).toBe(200);
    const order = await statusIs(placed.body.orderId, 'EXPIRED', 10_000);
    expect(order.timeline.at(-1)).toMatchObject({ type: 'ORDER_EXPIRED', actor: 'system:expire-unpaid' });
    expect(await stockOf(sku)).toMatchObject({ onHand: 5, reserved: 0, available: 5 });
  });
});
