import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiUrl, call, createProduct, eventually, getOrder, placeOrder, uniqueSku } from './client';

// Card, Alipay and WeChat Pay end to end through the local cloud: the payments API asks
// the provider (the local sandbox), the payer decides on the pay page at nextAction.url,
// the sandbox calls back in the provider's own format and signature, the webhook
// receiver verifies and records it, the callback worker settles it. Everything is
// observed as a user would: GET /orders/{id} (status, money, payments, refunds).

const METHODS = [
  { method: 'card', provider: 'stripe', nextAction: 'card' },
  { method: 'alipay', provider: 'alipay', nextAction: 'redirect' },
  { method: 'wechatpay', provider: 'wechatpay', nextAction: 'qr' },
] as const;

const UNIT = 1299;
const TOTAL = { amount: 2 * UNIT, currency: 'CNY' };
const cny = (amount: number) => ({ amount, currency: 'CNY' });
let sku: string;

beforeAll(async () => {
  sku = uniqueSku('PAYM');
  await createProduct(sku, 100, UNIT);
});

interface Order {
  status: string;
  money: { paid: { amount: number }; refunded: { amount: number }; balance: { amount: number } };
  payments: { paymentId: string; status: string; method: string; provider: string; amount: unknown }[];
  refunds: { refundId: string; paymentId: string; status: string; amount: unknown; reasonCode: string; automatic?: boolean }[];
  timeline: { type: string }[];
}

/** A storefront order of two units, auto-approved: AWAITING_PAYMENT. */
async function awaitingPayment(): Promise<string> {
  const placed = await placeOrder([{ sku, quantity: 2 }]);
  expect(placed.status).toBe(202);
  await eventually(() => getOrder(placed.body.orderId), (r) => r.body?.status === 'AWAITING_PAYMENT');
  return placed.body.orderId as string;
}

async function start(orderId: string, method: string) {
  const res = await call('POST', `/orders/${orderId}/payments`, { as: 'storefront', body: { method } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { paymentId: string; status: string; nextAction: { type: string; url: string } };
}

/** The payer's choice on the sandbox's pay page. */
async function payerChooses(url: string, outcome: 'succeed' | 'fail' | 'abandon') {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ outcome }) });
  expect(res.status).toBe(200);
}

/** The payer tries to pay a page the provider closed: refused, and the page says so. */
async function payerRefused(url: string) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ outcome: 'succeed' }) });
  expect(res.status).toBe(409);
  expect(((await res.json()) as { message: string }).message).toMatch(/closed: the merchant cancelled it/);
  expect(await (await fetch(url)).text()).toContain('This payment is closed');
}

const orderOf = async (orderId: string) => (await getOrder(orderId, 'finance')).body as Order;
const orderWhen = (orderId: string, done: (o: Order) => boolean) =>
  eventually(() => orderOf(orderId), done, 15_000);

/** Redelivers the payment's callback number `n` (as the sandbox first sent it), `times` in a row. */
async function replay(paymentId: string, n: number, times = 1) {
  const res = await fetch(`${apiUrl()}/_local/sandbox/payments/${paymentId}/callbacks/${n}/replay?times=${times}`, { method: 'POST' });
  expect(res.status).toBe(200);
}
const callbacksOf = async (paymentId: string) =>
  (await (await fetch(`${apiUrl()}/_local/sandbox/callbacks?paymentId=${paymentId}`)).json()) as { n: number; deliveries: { trigger: string; status?: number }[] }[];

/** Checks that `check` keeps holding for a while (a redelivery must change nothing, also late). */
async function holds(check: () => Promise<void>, forMs = 1_000) {
  const end = Date.now() + forMs;
  do {
    await check();
    await new Promise((r) => setTimeout(r, 100));
  } while (Date.now() < end);
}

const charges = (o: Order) => o.payments.filter((p) => p.status === 'SUCCEEDED').length;

describe.each(METHODS)('$method through the sandbox', ({ method, provider, nextAction }) => {
  it('pays the order; replayed and out-of-order callbacks charge once; a partial refund completes by the provider\'s callback', async () => {
    const orderId = await awaitingPayment();
    const attempt = await start(orderId, method);
    expect(attempt).toMatchObject({ status: 'PENDING', nextAction: { type: nextAction } });
    expect(attempt.nextAction.url).toMatch(/^http:\/\/.+\/_sandbox\//);

    await payerChooses(attempt.nextAction.url, 'succeed');
    const paid = await orderWhen(orderId, (o) => o.status === 'PAID');
    expect(paid.money).toEqual({ paid: TOTAL, refunded: cny(0), balance: TOTAL });
    expect(paid.payments).toEqual([expect.objectContaining({ paymentId: attempt.paymentId, method, provider, amount: TOTAL, status: 'SUCCEEDED' })]);
    expect(paid.timeline.filter((t) => t.type === 'ORDER_PAID')).toHaveLength(1);

    // the success delivered twice more: accepted, one charge
    await replay(attempt.paymentId, 1, 2);
    const deliveries = (await callbacksOf(attempt.paymentId))[0]!.deliveries;
    expect(deliveries.map((d) => d.trigger)).toEqual(['first', 'replay', 'replay']);
    expect(deliveries.every((d) => d.status !== undefined && d.status < 300)).toBe(true);
    await holds(async () => {
      const o = await orderOf(orderId);
      expect(o.money.paid).toEqual(TOTAL);
      expect(charges(o)).toBe(1);
    });

    // a partial refund through the provider, completed by its refund callback
    const refundKey = randomUUID();
    const requested = await call('POST', `/orders/${orderId}/refunds`, {
      as: 'finance', body: { amount: cny(500), reason: 'One item arrived broken' }, headers: { 'idempotency-key': refundKey },
    });
    expect(requested.status, JSON.stringify(requested.body)).toBe(201);
    expect(requested.body).toMatchObject({ paymentId: attempt.paymentId, amount: cny(500), status: 'PENDING' });
    const refunded = await orderWhen(orderId, (o) => o.refunds.some((r) => r.status !== 'PENDING'));
    expect(refunded.refunds).toEqual([expect.objectContaining({ refundId: requested.body.refundId, amount: cny(500), status: 'SUCCEEDED' })]);
    expect(refunded.money).toEqual({ paid: TOTAL, refunded: cny(500), balance: cny(TOTAL.amount - 500) });
    expect(refunded.status).toBe('PAID');

    // the older success after the newer refund callback: nothing moves
    expect((await callbacksOf(attempt.paymentId)).map((c) => c.n)).toEqual([1, 2]);
    await replay(attempt.paymentId, 1);
    await replay(attempt.paymentId, 2);
    await holds(async () => {
      const o = await orderOf(orderId);
      expect(o.status).toBe('PAID');
      expect(charges(o)).toBe(1);
      expect(o.money).toEqual({ paid: TOTAL, refunded: cny(500), balance: cny(TOTAL.amount - 500) });
      expect(o.refunds).toHaveLength(1);
    });
  });

  it('a failed attempt does not hold the order: a new attempt pays it', async () => {
    const orderId = await awaitingPayment();
    const first = await start(orderId, method);
    await payerChooses(first.nextAction.url, 'fail');
    if (provider !== 'wechatpay') {
      // Stripe and Alipay report the failure; WeChat Pay sends nothing (its query says PAYERROR)
      const failed = await orderWhen(orderId, (o) => o.payments[0]?.status !== 'PENDING');
      expect(failed.payments[0]!.status).toBe(provider === 'stripe' ? 'FAILED' : 'CANCELLED');
      expect(failed.status).toBe('AWAITING_PAYMENT');
    }

    const second = await start(orderId, method);
    expect(second.paymentId).not.toBe(first.paymentId);
    await payerChooses(second.nextAction.url, 'succeed');
    const paid = await orderWhen(orderId, (o) => o.status === 'PAID');
    expect(paid.money).toEqual({ paid: TOTAL, refunded: cny(0), balance: TOTAL });
    expect(paid.payments).toEqual([
      expect.objectContaining({ paymentId: first.paymentId, status: provider === 'stripe' ? 'FAILED' : 'CANCELLED' }),
      expect.objectContaining({ paymentId: second.paymentId, status: 'SUCCEEDED' }),
    ]);
  });

  it('money taken as the order is cancelled is refunded automatically, once', async () => {
    const orderId = await awaitingPayment();
    const attempt = await start(orderId, method);
    // the payer pays just before customer service cancels: the provider has the money before it is asked to close
    await payerChooses(attempt.nextAction.url, 'succeed');
    const cancelled = await call('POST', `/orders/${orderId}/cancel`, { as: 'cs', body: { reason: 'Customer changed their mind' } });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);

    const settled = await orderWhen(orderId, (o) => o.refunds.some((r) => r.status === 'SUCCEEDED'));
    expect(settled.status).toBe('CANCELLED');
    expect(settled.payments).toEqual([expect.objectContaining({ paymentId: attempt.paymentId, status: 'SUCCEEDED' })]);
    // the payment reached the order first (a paid order cancelled) or the cancellation did (money after the close)
    expect(settled.refunds).toEqual([
      expect.objectContaining({ paymentId: attempt.paymentId, amount: TOTAL, reasonCode: expect.stringMatching(/^(ORDER_CANCELLED|PAYMENT_AFTER_CLOSE)$/), automatic: true, status: 'SUCCEEDED' }),
    ]);
    expect(settled.money).toEqual({ paid: TOTAL, refunded: TOTAL, balance: cny(0) });
  });

  it('an order cancelled while an attempt is open: the attempt is closed at the provider and its page refuses to be paid', async () => {
    const orderId = await awaitingPayment();
    const attempt = await start(orderId, method);
    // the payer opened the page (for Alipay that makes the trade)
    expect((await fetch(attempt.nextAction.url)).status).toBe(200);
    const cancelled = await call('POST', `/orders/${orderId}/cancel`, { as: 'cs', body: { reason: 'Customer changed their mind' } });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);

    const closed = await orderWhen(orderId, (o) => o.payments[0]?.status !== 'PENDING');
    expect(closed.payments).toEqual([expect.objectContaining({ paymentId: attempt.paymentId, status: 'CANCELLED' })]);
    await payerRefused(attempt.nextAction.url);
    await holds(async () => {
      const o = await orderOf(orderId);
      expect(o.refunds).toEqual([]);
      expect(o.money.paid.amount).toBe(0);
    });
  });

  it('a replaced attempt is closed at the provider: its page refuses to be paid, the new one pays the order', async () => {
    const orderId = await awaitingPayment();
    const old = await start(orderId, method);
    expect((await fetch(old.nextAction.url)).status).toBe(200);
    const replacement = await start(orderId, method);
    // the replaced attempt was closed before the new one was answered
    await payerRefused(old.nextAction.url);
    await payerChooses(replacement.nextAction.url, 'succeed');
    const paid = await orderWhen(orderId, (o) => o.status === 'PAID');
    expect(paid.payments).toEqual([
      expect.objectContaining({ paymentId: old.paymentId, status: 'CANCELLED' }),
      expect.objectContaining({ paymentId: replacement.paymentId, status: 'SUCCEEDED' }),
    ]);
    expect(paid.money).toEqual({ paid: TOTAL, refunded: cny(0), balance: TOTAL });
  });
});

describe('alipay page never opened before the order closed', () => {
  it('has no trade to close; if paid later after all, the money is refunded automatically', async () => {
    const orderId = await awaitingPayment();
    const attempt = await start(orderId, 'alipay');
    const cancelled = await call('POST', `/orders/${orderId}/cancel`, { as: 'cs', body: { reason: 'Customer changed their mind' } });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    // Alipay knows no trade yet (ACQ.TRADE_NOT_EXIST): nothing can be paid there now, the attempt is CANCELLED
    await orderWhen(orderId, (o) => o.payments[0]?.status === 'CANCELLED');

    // the payer still had the signed page link: Alipay makes the trade and takes the money
    await payerChooses(attempt.nextAction.url, 'succeed');
    const settled = await orderWhen(orderId, (o) => o.refunds.some((r) => r.status === 'SUCCEEDED'));
    expect(settled.status).toBe('CANCELLED');
    expect(settled.payments).toEqual([expect.objectContaining({ paymentId: attempt.paymentId, status: 'SUCCEEDED' })]);
    expect(settled.refunds).toEqual([
      expect.objectContaining({ paymentId: attempt.paymentId, amount: TOTAL, reasonCode: 'PAYMENT_AFTER_CLOSE', automatic: true, status: 'SUCCEEDED' }),
    ]);
    expect(settled.money).toEqual({ paid: TOTAL, refunded: TOTAL, balance: cny(0) });
  });
});
