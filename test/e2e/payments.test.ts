import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { call, createProduct, eventually, getOrder, placeOrder, testToken, uniqueSku } from './client';

// Payments over HTTP through the local cloud, for the methods that need no provider:
// a bank transfer started by the storefront and confirmed by finance (the order is
// PAID), cash on delivery started, partial refunds settled by hand, and a paid order
// cancelled by customer service refunded in full by the refund step.

let sku: string;

beforeAll(async () => {
  sku = uniqueSku('PAY');
  await createProduct(sku, 50, 1299);
});

/** A storefront order of `quantity` units, auto-approved: AWAITING_PAYMENT. */
async function awaitingPayment(quantity = 2) {
  const placed = await placeOrder([{ sku, quantity }]);
  expect(placed.status).toBe(202);
  const order = await eventually(() => getOrder(placed.body.orderId), (r) => r.body?.status === 'AWAITING_PAYMENT');
  return order.body as { orderId: string; orderNumber: string; totals: { total: { amount: number; currency: string } } };
}

const isProblem = (res: { status: number; headers: Headers; body: { status?: number } }, status: number) =>
  res.status === status && res.headers.get('content-type') === 'application/problem+json' && res.body.status === status;

/** A bank-transfer order, paid: started by the storefront, confirmed by finance. */
async function paidByTransfer() {
  const order = await awaitingPayment();
  const started = await call('POST', `/orders/${order.orderId}/payments`, { as: 'storefront', body: { method: 'bank_transfer' } });
  expect(started.status).toBe(201);
  const confirmed = await call('POST', `/orders/${order.orderId}/payments/${started.body.paymentId}/confirm`, { as: 'finance', body: { reference: 'CMB-20261127-001' } });
  expect(confirmed.status).toBe(200);
  return { order, paymentId: started.body.paymentId as string };
}

describe('payments over HTTP', () => {
  it('bank transfer: the storefront starts it, finance confirms it, the order is PAID with its money', async () => {
    const order = await awaitingPayment();
    const total = order.totals.total;
    expect(total).toEqual({ amount: 2598, currency: 'CNY' });

    const started = await call('POST', `/orders/${order.orderId}/payments`, { as: 'storefront', body: { method: 'bank_transfer' } });
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ method: 'bank_transfer', provider: 'manual', amount: total, status: 'PENDING', nextAction: { type: 'instructions' } });
    expect(started.body.nextAction.instructions).toContain(order.orderNumber);

    // one open attempt at a time
    const second = await call('POST', `/orders/${order.orderId}/payments`, { as: 'storefront', body: { method: 'cod' } });
    expect(isProblem(second, 409)).toBe(true);
    expect(second.body.paymentId).toBe(started.body.paymentId);

    // customer service cannot confirm money; finance can
    const byCs = await call('POST', `/orders/${order.orderId}/payments/${started.body.paymentId}/confirm`, { as: 'cs', body: { reference: 'X' } });
    expect(isProblem(byCs, 403)).toBe(true);
    const confirmed = await call('POST', `/orders/${order.orderId}/payments/${started.body.paymentId}/confirm`, { as: 'finance', body: { reference: 'CMB-20261127-001' } });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ status: 'SUCCEEDED', reference: 'CMB-20261127-001' });

    const paid = await getOrder(order.orderId, 'storefront');
    expect(paid.body).toMatchObject({ status: 'PAID', money: { paid: total, refunded: { amount: 0, currency: 'CNY' }, balance: total } });
    expect(paid.body.payments).toEqual([expect.objectContaining({ paymentId: started.body.paymentId, status: 'SUCCEEDED' })]);
    expect(paid.body.timeline.map((t: { type: string }) => t.type)).toEqual(expect.arrayContaining(['PAYMENT_STARTED', 'ORDER_PAID']));

    const again = await call('POST', `/orders/${order.orderId}/payments/${started.body.paymentId}/confirm`, { as: 'finance', body: { reference: 'CMB-20261127-001' } });
    expect(isProblem(again, 409)).toBe(true);
    const listed = await call('GET', `/orders/${order.orderId}/payments`, { as: 'finance' });
    expect(listed.status).toBe(200);
    expect(listed.body).toMatchObject({ items: [{ status: 'SUCCEEDED' }], refunds: [], money: { paid: total } });
  });

  it('cash on delivery starts with instructions; bad input is 400 and a paid order takes no new attempt', async () => {
    const order = await awaitingPayment(1);
    const bad = await call('POST', `/orders/${order.orderId}/payments`, { as: 'storefront', body: { method: 'bitcoin' } });
    expect(isProblem(bad, 400)).toBe(true);
    expect(bad.body.errors).toEqual([expect.objectContaining({ path: 'body.method' })]);
    const cod = await call('POST', `/orders/${order.orderId}/payments`, { as: 'storefront', body: { method: 'cod' } });
    expect(cod.status).toBe(201);
    expect(cod.body).toMatchObject({ method: 'cod', provider: 'manual', status: 'PENDING', nextAction: { type: 'instructions' } });
    expect((await getOrder(order.orderId)).body).toMatchObject({ status: 'AWAITING_PAYMENT', payments: [{ paymentId: cod.body.paymentId }] });

    // another storefront does not learn the order exists
    const other = await call('POST', `/orders/${order.orderId}/payments`, { token: testToken('storefrontB'), body: { method: 'bank_transfer' } });
    expect(isProblem(other, 404)).toBe(true);

    const { order: paidOrder } = await paidByTransfer();
    const late = await call('POST', `/orders/${paidOrder.orderId}/payments`, { as: 'storefront', body: { method: 'bank_transfer' } });
    expect(isProblem(late, 409)).toBe(true);
  });

  it('partial refunds: PENDING until finance settles them by hand; a retried request is one refund; beyond the captured amount is 409', async () => {
    const { order, paymentId } = await paidByTransfer();
    const key = randomUUID();
    const refund = (amount: number, k = key) =>
      call('POST', `/orders/${order.orderId}/refunds`, { as: 'finance', body: { amount: { amount, currency: 'CNY' }, reason: 'One item arrived broken' }, headers: { 'idempotency-key': k } });
    const first = await refund(1299);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ paymentId, amount: { amount: 1299, currency: 'CNY' }, status: 'PENDING' });
    const retried = await refund(1299);
    expect(retried.status).toBe(201);
    expect(retried.body).toEqual(first.body);
    expect(isProblem(await refund(1, key), 409)).toBe(true);

    const tooMuch = await refund(1300, randomUUID());
    expect(isProblem(tooMuch, 409)).toBe(true);
    expect(tooMuch.body.refundable).toEqual({ amount: 1299, currency: 'CNY' });
    expect(isProblem(await call('POST', `/orders/${order.orderId}/refunds`, { as: 'finance', body: { amount: { amount: 0, currency: 'CNY' } } }), 400)).toBe(true);
    expect(isProblem(await call('POST', `/orders/${order.orderId}/refunds`, { as: 'cs', body: { amount: { amount: 1, currency: 'CNY' }, reason: 'x' } }), 403)).toBe(true);

    const confirmed = await call('POST', `/orders/${order.orderId}/refunds/${first.body.refundId}/confirm`, { as: 'finance', body: { reference: 'CMB-REFUND-7' } });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ refundId: first.body.refundId, status: 'SUCCEEDED', reference: 'CMB-REFUND-7' });
    const after = await getOrder(order.orderId, 'finance');
    expect(after.body.money).toEqual({ paid: { amount: 2598, currency: 'CNY' }, refunded: { amount: 1299, currency: 'CNY' }, balance: { amount: 1299, currency: 'CNY' } });
    expect(after.body.status).toBe('PAID');
  });

  it('customer service cancels a paid order: the refund step refunds what is left in full', async () => {
    const { order, paymentId } = await paidByTransfer();
    const partial = await call('POST', `/orders/${order.orderId}/refunds`, { as: 'finance', body: { amount: { amount: 598, currency: 'CNY' }, reason: 'Goodwill' } });
    expect(partial.status).toBe(201);
    const cancelled = await call('POST', `/orders/${order.orderId}/cancel`, { as: 'cs', body: { reason: 'Customer moved abroad' } });
    expect(cancelled.status).toBe(200);
    const refunded = await eventually(() => getOrder(order.orderId, 'finance'), (r) => r.body.refunds?.length === 2);
    expect(refunded.body.refunds).toEqual(expect.arrayContaining([
      expect.objectContaining({ paymentId, amount: { amount: 2000, currency: 'CNY' }, reasonCode: 'ORDER_CANCELLED', automatic: true, status: 'PENDING' }),
    ]));
  });
});
