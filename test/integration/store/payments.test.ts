import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { application, type Application } from '../../../shared/app';
import { orderLifecycle, type OrderLifecycle } from '../../../shared/app/order-lifecycle';
import { paymentCallbacks, paymentsOver, type Payments } from '../../../shared/app/payments';
import type { Actor } from '../../../shared/domain/actor';
import type { CancelInput, CancelResult, ProviderNotification, RefundResult } from '../../../shared/payments/port';
import { storeFor, type Store } from '../../../shared/store';
import * as keys from '../../../shared/store/keys';
import { NOW, pendingOrder, stocked } from '../../support/fixtures';
import { fakePaymentProviders } from '../../support/providers';
import { createTestTable, type TestTable } from '../../support/table';

// Payments on the local DynamoDB: the same report many times or in any order settles
// an order once, a mismatch pays nothing, money after a cancellation goes back, and
// refunds never exceed what was charged, also when they race.

let table: TestTable;
let repos: Application;
let store: Store;
let lifecycle: OrderLifecycle;
let payments: Payments;

const CNY = (amount: number) => ({ amount, currency: 'CNY' });
const SHOP: Actor = { kind: 'storefront', id: 'shop-client-1' };
const OPS: Actor = { kind: 'user', id: 'u-ops', role: 'ops' };
const CS: Actor = { kind: 'user', id: 'u-cs', role: 'cs' };
const FINANCE: Actor = { kind: 'user', id: 'u-fin', role: 'finance' };
const opts = (actor: Actor = FINANCE) => ({ actor, causationId: 'test', now: NOW });

/** What the fake provider answers to a refund (per test). */
let refundAnswer: RefundResult = { status: 'PENDING', providerRefundRef: 'ref-pending' };
const refundCalls: string[] = [];
/** What the fake provider answers to closing an attempt (per test), and every close it was asked for. */
let cancelAnswer: () => Promise<CancelResult> = () => Promise.resolve({ status: 'CANCELLED' });
const cancelCalls: (CancelInput & { provider: string })[] = [];
const { providers } = fakePaymentProviders({
  cancel: (input, provider) => {
    cancelCalls.push({ ...input, provider });
    return cancelAnswer();
  },
  create: (input, provider) => Promise.resolve({ ...(provider === 'stripe' ? { providerRef: `pi_${input.paymentId}` } : {}), nextAction: { type: 'redirect', url: `https://pay.test/${input.paymentId}` } }),
  refund: (input) => {
    refundCalls.push(input.idempotencyKey);
    return Promise.resolve(refundAnswer);
  },
});

beforeAll(async () => {
  table = await createTestTable(inject('dynamoUrl'));
  repos = application(table.doc, table.tableName);
  store = storeFor({ doc: table.doc, tableName: table.tableName });
  lifecycle = orderLifecycle(store);
  payments = paymentsOver(store, providers);
});
afterAll(() => table?.drop());

let skuSeq = 0;
/** An order of 2 x 1000 CNY, approved: AWAITING_PAYMENT. */
async function awaitingPayment(): Promise<string> {
  const sku = `PAY-${++skuSeq}-${Math.random().toString(36).slice(2, 6).toUpperCase()}`;
  await stocked(repos, sku, 10);
  const orderId = await pendingOrder(repos, [{ sku, quantity: 2 }]);
  await repos.orders.reserve(orderId, 'evt', NOW);
  await lifecycle.transition(orderId, { type: 'approve', actor: OPS }, { causationId: 'test', now: NOW, paymentDeadlineMinutes: 60 });
  return orderId;
}

const note = (paymentId: string, status: ProviderNotification['status'], over: Partial<ProviderNotification> = {}): ProviderNotification => ({
  provider: 'alipay', eventKey: `alipay:${paymentId}:${status}`, kind: 'payment', paymentId, status, amount: CNY(2000),
  merchant: { appId: 'app-ours', merchantId: 'seller-ours' }, providerRef: `2026112722001${paymentId.slice(-6)}`,
  occurredAt: NOW.toISOString(), providerEventType: status === 'SUCCEEDED' ? 'TRADE_SUCCESS' : 'TRADE_CLOSED', ...over,
});
const apply = (n: ProviderNotification) => paymentCallbacks(store, providers).apply(n, { now: NOW, causationId: n.eventKey });

async function outbox(orderId: string): Promise<string[]> {
  const res = await table.doc.send(new QueryCommand({
    TableName: table.tableName, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
    ExpressionAttributeValues: { ':pk': keys.orderPartition(orderId), ':p': keys.outboxPrefix }, ConsistentRead: true,
  }));
  return (res.Items ?? []).map((i) => String(i.detailType));
}
const count = (list: string[], item: string) => list.filter((x) => x === item).length;
const view = async (orderId: string) => (await repos.orders.get(orderId))!;

describe('payments on the table', () => {
  it('the same success applied 10 times concurrently: one charge, the order PAID once, its deadline item gone', async () => {
    const orderId = await awaitingPayment();
    const p = await payments.start(orderId, 'alipay', opts(SHOP));
    expect(p).toMatchObject({ status: 'PENDING', provider: 'alipay', amount: CNY(2000), nextAction: { type: 'redirect' } });
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => apply(note(p.paymentId, 'SUCCEEDED'))));
    expect(outcomes.filter((o) => o.outcome === 'paid')).toHaveLength(1);
    expect(outcomes.filter((o) => o.outcome !== 'paid').map((o) => o.outcome)).toEqual(Array(9).fill('duplicate'));

    const order = await view(orderId);
    expect(order.status).toBe('PAID');
    expect(order.money).toEqual({ paid: CNY(2000), refunded: CNY(0), balance: CNY(2000) });
    expect(order.payments).toEqual([expect.objectContaining({ paymentId: p.paymentId, status: 'SUCCEEDED', providerRef: expect.any(String) })]);
    const events = await outbox(orderId);
    expect(count(events, 'OrderPaid')).toBe(1);
    expect(count(events, 'PaymentSucceeded')).toBe(1);
    expect((await table.doc.send(new GetCommand({ TableName: table.tableName, Key: keys.paymentDueKey(orderId), ConsistentRead: true }))).Item).toBeUndefined();
    expect(await lifecycle.dueForExpiry(new Date(NOW.getTime() + 86_400_000))).not.toContain(orderId);
  });

  it('any order and count of reports ends the same: one charge, PAID', async () => {
    const reports: ProviderNotification['status'][] = ['FAILED', 'SUCCEEDED', 'CANCELLED', 'SUCCEEDED', 'FAILED', 'PENDING'];
    for (let round = 0; round < 5; round++) {
      const orderId = await awaitingPayment();
      const p = await payments.start(orderId, 'alipay', opts(SHOP));
      const shuffled = [...reports].sort(() => Math.random() - 0.5);
      // half of them one after another, the rest all at once
      for (const status of shuffled.slice(0, 3)) await apply(note(p.paymentId, status, { eventKey: `${status}-${Math.random()}` }));
      await Promise.all(shuffled.slice(3).map((status) => apply(note(p.paymentId, status, { eventKey: `${status}-${Math.random()}` }))));
      const order = await view(orderId);
      expect(order.status, shuffled.join(' ')).toBe('PAID');
      expect(order.money).toEqual({ paid: CNY(2000), refunded: CNY(0), balance: CNY(2000) });
      expect(order.payments[0]!.status).toBe('SUCCEEDED');
      expect(count(await outbox(orderId), 'OrderPaid')).toBe(1);
    }
  });

  it('one open attempt at a time: a manual one holds the order (409); a provider\'s is replaced by a new one; after a failure the customer may try again', async () => {
    const held = await awaitingPayment();
    const transfer = await payments.start(held, 'bank_transfer', opts(SHOP));
    await expect(payments.start(held, 'card', opts(SHOP))).rejects.toMatchObject({ status: 409, slug: 'payment-open', extensions: { paymentId: transfer.paymentId } });

    const orderId = await awaitingPayment();
    const first = await payments.start(orderId, 'card', opts(SHOP));
    expect(first.providerRef).toBe(`pi_${first.paymentId}`);
    const second = await payments.start(orderId, 'wechatpay', opts(SHOP));
    expect(second.paymentId).not.toBe(first.paymentId);
    expect((await view(orderId)).payments).toEqual([
      expect.objectContaining({ paymentId: first.paymentId, status: 'CANCELLED' }),
      expect.objectContaining({ paymentId: second.paymentId, status: 'PENDING' }),
    ]);
    expect(await apply(note(second.paymentId, 'FAILED', { provider: 'wechatpay' }))).toEqual({ outcome: 'failed' });
    const third = await payments.start(orderId, 'wechatpay', opts(SHOP));
    expect(third.paymentId).not.toBe(second.paymentId);
    expect((await view(orderId)).status).toBe('AWAITING_PAYMENT');
  });

  it('failure then success: the late success pays; success then failure: the failure is noted and ignored', async () => {
    const a = await awaitingPayment();
    const pa = await payments.start(a, 'alipay', opts(SHOP));
    expect((await apply(note(pa.paymentId, 'FAILED'))).outcome).toBe('failed');
    expect((await apply(note(pa.paymentId, 'SUCCEEDED'))).outcome).toBe('paid');
    expect(await view(a)).toMatchObject({ status: 'PAID', money: { paid: CNY(2000) } });

    const b = await awaitingPayment();
    const pb = await payments.start(b, 'alipay', opts(SHOP));
    expect((await apply(note(pb.paymentId, 'SUCCEEDED'))).outcome).toBe('paid');
    expect((await apply(note(pb.paymentId, 'FAILED'))).outcome).toBe('late-failure-ignored');
    const order = await view(b);
    expect(order).toMatchObject({ status: 'PAID', money: { paid: CNY(2000), balance: CNY(2000) } });
    expect(order.payments[0]!.status).toBe('SUCCEEDED');
    expect(order.timeline.map((t) => t.type)).toContain('PAYMENT_LATE_REPORT_IGNORED');
  });

  it('a short payment or a wrong merchant is flagged for finance with nothing paid', async () => {
    const orderId = await awaitingPayment();
    const p = await payments.start(orderId, 'alipay', opts(SHOP));
    expect((await apply(note(p.paymentId, 'SUCCEEDED', { amount: CNY(20), eventKey: 'short' }))).outcome).toBe('flagged');
    expect((await apply(note(p.paymentId, 'SUCCEEDED', { amount: CNY(20), eventKey: 'short' }))).outcome).toBe('duplicate');
    expect((await apply(note(p.paymentId, 'SUCCEEDED', { merchant: { appId: 'someone-else' }, eventKey: 'merchant' }))).outcome).toBe('flagged');
    const order = await view(orderId);
    expect(order).toMatchObject({ status: 'AWAITING_PAYMENT', money: { paid: CNY(0), balance: CNY(0) } });
    expect(order.payments[0]).toMatchObject({ status: 'PENDING', mismatch: { problems: ['merchant'] } });
    expect(count(await outbox(orderId), 'PaymentFlagged')).toBe(2);
    expect(await outbox(orderId)).not.toContain('OrderPaid');
  });

  it('a success after the order was cancelled is charged, refunded in full automatically, and customer service hears of it', async () => {
    const orderId = await awaitingPayment();
    const p = await payments.start(orderId, 'alipay', opts(SHOP));
    await lifecycle.transition(orderId, { type: 'cancel', actor: CS, reason: 'Customer changed their mind' }, { causationId: 'test', now: NOW });
    expect((await apply(note(p.paymentId, 'SUCCEEDED'))).outcome).toBe('refund-after-close');
    expect((await apply(note(p.paymentId, 'SUCCEEDED'))).outcome).toBe('duplicate');
    let order = await view(orderId);
    expect(order.status).toBe('CANCELLED');
    expect(order.refunds).toEqual([expect.objectContaining({ amount: CNY(2000), status: 'PENDING', automatic: true, reasonCode: 'PAYMENT_AFTER_CLOSE' })]);
    const events = await outbox(orderId);
    expect(events).toEqual(expect.arrayContaining(['PaymentSucceeded', 'RefundStarted', 'LatePaymentReceived']));
    expect(events).not.toContain('OrderPaid');

    // the refund step hands it to the provider (Alipay answers synchronously)
    refundAnswer = { status: 'SUCCEEDED', providerRefundRef: 'alipay-refund-1' };
    const refundId = order.refunds[0]!.refundId;
    expect(await payments.submitRefund(orderId, refundId, { now: NOW, causationId: 'evt' })).toEqual({ outcome: 'refunded' });
    expect(await payments.submitRefund(orderId, refundId, { now: NOW, causationId: 'evt' })).toEqual({ outcome: 'already-submitted' });
    expect(count(refundCalls, refundId)).toBe(1);
    order = await view(orderId);
    expect(order.money).toEqual({ paid: CNY(2000), refunded: CNY(2000), balance: CNY(0) });
    expect(order.refunds[0]).toMatchObject({ status: 'SUCCEEDED', providerRefundRef: 'alipay-refund-1' });
  });

  it('two refunds racing for the last amount: one wins, the other is 409 and nothing is over-refunded', async () => {
    const orderId = await awaitingPayment();
    const p = await payments.start(orderId, 'alipay', opts(SHOP));
    await apply(note(p.paymentId, 'SUCCEEDED'));
    await payments.requestRefund(orderId, { amount: CNY(1500), reason: 'one cup broken' }, opts());
    const race = await Promise.allSettled(Array.from({ length: 4 }, () => payments.requestRefund(orderId, { amount: CNY(500), reason: 'the rest' }, opts())));
    expect(race.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of race.filter((x) => x.status === 'rejected')) {
      expect((r as PromiseRejectedResult).reason).toMatchObject({ status: 409, slug: 'refund-exceeds-balance' });
    }
    const order = await view(orderId);
    expect(order.refunds.map((r) => r.amount.amount).sort()).toEqual([1500, 500]);
    await expect(payments.requestRefund(orderId, { amount: CNY(1), reason: 'more' }, opts())).rejects.toMatchObject({ status: 409, extensions: { refundable: CNY(0) } });
  });

  it('a failed refund makes its amount refundable again; an Idempotency-Key makes a retried request one refund', async () => {
    const orderId = await awaitingPayment();
    const p = await payments.start(orderId, 'card', opts(SHOP));
    await apply(note(p.paymentId, 'SUCCEEDED', { provider: 'stripe', merchant: undefined }));
    const claim = { scope: 'u-fin', key: `k-${orderId}`, requestHash: 'h1' };
    const first = await payments.requestRefund(orderId, { amount: CNY(2000), reason: 'all' }, { ...opts(), claim });
    const again = await payments.requestRefund(orderId, { amount: CNY(2000), reason: 'all' }, { ...opts(), claim });
    expect(again).toEqual({ response: first.response, replayed: true });
    await expect(payments.requestRefund(orderId, { amount: CNY(1), reason: 'x' }, { ...opts(), claim: { ...claim, requestHash: 'h2' } })).rejects.toMatchObject({ status: 409, slug: 'idempotency-conflict' });
    const refundId = (first.response.body as { refundId: string }).refundId;
    expect((await apply({ ...note(p.paymentId, 'FAILED', { provider: 'stripe' }), kind: 'refund', refundId, eventKey: 'refund-failed' })).outcome).toBe('refund-failed');
    const order = await view(orderId);
    expect(order.money.refunded).toEqual(CNY(0));
    expect(order.refunds[0]!.status).toBe('FAILED');
    await payments.requestRefund(orderId, { amount: CNY(2000), reason: 'again' }, opts());
  });

  it('cancelling a paid order refunds everything left, once however often it is asked', async () => {
    const orderId = await awaitingPayment();
    const p = await payments.start(orderId, 'wechatpay', opts(SHOP));
    await apply(note(p.paymentId, 'SUCCEEDED', { provider: 'wechatpay' }));
    await payments.requestRefund(orderId, { amount: CNY(300), reason: 'discount' }, opts());
    await lifecycle.transition(orderId, { type: 'cancel', actor: CS, reason: 'Out of stock at the warehouse' }, { causationId: 'test', now: NOW });
    const runs = await Promise.all([1, 2, 3].map(() => payments.refundInFull(orderId, { ...opts(), causationId: 'refund-requested' })));
    expect(runs.flat()).toHaveLength(1);
    const order = await view(orderId);
    expect(order.refunds.map((r) => [r.amount.amount, r.reasonCode]).sort()).toEqual([[1700, 'ORDER_CANCELLED'], [300, 'REQUESTED']]);
  });

  it('a bank transfer is confirmed by finance: the order is paid; a second confirmation is 409', async () => {
    const orderId = await awaitingPayment();
    const p = await payments.start(orderId, 'bank_transfer', opts(SHOP));
    expect(p.nextAction).toMatchObject({ type: 'instructions' });
    const confirmed = await payments.confirm(orderId, p.paymentId, 'BANK-REF-123', opts());
    expect(confirmed).toMatchObject({ status: 'SUCCEEDED', reference: 'BANK-REF-123' });
    expect((await view(orderId)).status).toBe('PAID');
    await expect(payments.confirm(orderId, p.paymentId, 'BANK-REF-123', opts())).rejects.toMatchObject({ status: 409 });
  });

  it('cash on delivery takes the order off the payment deadline; paying now instead puts the deadline back', async () => {
    const orderId = await awaitingPayment();
    const farFuture = new Date(NOW.getTime() + 30 * 86_400_000);
    expect(await lifecycle.dueForExpiry(farFuture)).toContain(orderId);

    const cod = await payments.start(orderId, 'cod', opts(SHOP));
    expect(cod.nextAction).toMatchObject({ type: 'instructions' });
    expect(await lifecycle.dueForExpiry(farFuture), 'a COD order waits for its delivery, not for a deadline').not.toContain(orderId);

    // more than 15 minutes later the customer pays by card instead: the deadline applies again, with time to pay
    const later = new Date(NOW.getTime() + 16 * 60_000);
    const card = await payments.start(orderId, 'card', { ...opts(SHOP), now: later });
    expect((await view(orderId)).payments).toEqual([
      expect.objectContaining({ paymentId: cod.paymentId, status: 'EXPIRED' }),
      expect.objectContaining({ paymentId: card.paymentId, status: 'PENDING' }),
    ]);
    expect(await lifecycle.dueForExpiry(farFuture)).toContain(orderId);
    expect(await lifecycle.dueForExpiry(new Date(later.getTime() + 14 * 60_000)), 'not due before the grace an attempt has').not.toContain(orderId);
  });

  it('a replaced attempt is closed at its provider once; a provider that cannot close it never fails the new attempt', async () => {
    cancelAnswer = () => Promise.resolve({ status: 'CANCELLED' });
    const orderId = await awaitingPayment();
    const card = await payments.start(orderId, 'card', opts(SHOP));
    expect(cancelCalls.filter((c) => c.paymentId === card.paymentId)).toEqual([]);
    const qr = await payments.start(orderId, 'wechatpay', opts(SHOP));
    expect(cancelCalls.filter((c) => c.paymentId === card.paymentId)).toEqual([
      { paymentId: card.paymentId, providerRef: `pi_${card.paymentId}`, idempotencyKey: `close-${card.paymentId}`, provider: 'stripe' },
    ]);

    cancelAnswer = () => Promise.reject(new Error('wechatpay: request failed: connect ECONNREFUSED'));
    const page = await payments.start(orderId, 'alipay', opts(SHOP));
    expect(page).toMatchObject({ status: 'PENDING', method: 'alipay', nextAction: { type: 'redirect' } });
    expect(cancelCalls.filter((c) => c.paymentId === qr.paymentId)).toEqual([{ paymentId: qr.paymentId, idempotencyKey: `close-${qr.paymentId}`, provider: 'wechatpay' }]);
    expect((await view(orderId)).payments).toEqual([
      expect.objectContaining({ paymentId: card.paymentId, status: 'CANCELLED', failureReason: `replaced by ${qr.paymentId}` }),
      expect.objectContaining({ paymentId: qr.paymentId, status: 'CANCELLED', failureReason: `replaced by ${page.paymentId}` }),
      expect.objectContaining({ paymentId: page.paymentId, status: 'PENDING' }),
    ]);
    cancelAnswer = () => Promise.resolve({ status: 'CANCELLED' });
    // each replaced attempt was asked about once, the card one never again
    expect(cancelCalls.filter((c) => c.paymentId === card.paymentId)).toHaveLength(1);
  });

  it('an expired order\'s open attempt is closed at its provider and CANCELLED, once; a late success is still refunded', async () => {
    cancelAnswer = () => Promise.resolve({ status: 'CANCELLED' });
    const orderId = await awaitingPayment();
    const p = await payments.start(orderId, 'alipay', opts(SHOP));
    const after = new Date(NOW.getTime() + 61 * 60_000);
    await lifecycle.transition(orderId, { type: 'expire', actor: { kind: 'system', id: 'expire-unpaid' } }, { causationId: 'test', now: after });
    const step = { now: after, causationId: 'evt-expired' };

    expect(await payments.closeAbandoned(orderId, step)).toEqual([{ paymentId: p.paymentId, outcome: 'failed' }]);
    expect(cancelCalls.filter((c) => c.paymentId === p.paymentId)).toEqual([{ paymentId: p.paymentId, idempotencyKey: `close-${p.paymentId}`, provider: 'alipay' }]);
    let order = await view(orderId);
    expect(order.status).toBe('EXPIRED');
    expect(order.payments).toEqual([expect.objectContaining({ paymentId: p.paymentId, status: 'CANCELLED', failureReason: 'order expired: closed at alipay' })]);
    expect(await outbox(orderId)).toContain('PaymentFailed');
    // the open marker left with it
    const marker = await table.doc.send(new GetCommand({ TableName: table.tableName, Key: keys.paymentOpen(orderId), ConsistentRead: true }));
    expect(marker.Item).toBeUndefined();

    // a redelivered OrderExpired finds nothing open and asks the provider nothing
    expect(await payments.closeAbandoned(orderId, step)).toEqual([]);
    expect(cancelCalls.filter((c) => c.paymentId === p.paymentId)).toHaveLength(1);

    // the payer paid the old page after all (the provider let it through): charged and refunded in full
    expect((await apply(note(p.paymentId, 'SUCCEEDED'))).outcome).toBe('refund-after-close');
    order = await view(orderId);
    expect(order.payments[0]).toMatchObject({ status: 'SUCCEEDED' });
    expect(order.refunds).toEqual([expect.objectContaining({ amount: CNY(2000), status: 'PENDING', automatic: true, reasonCode: 'PAYMENT_AFTER_CLOSE' })]);
  });

  it('a cancelled order\'s attempt already paid at the provider is left to its report; a provider that is down is asked again on retry', async () => {
    const orderId = await awaitingPayment();
    const p = await payments.start(orderId, 'card', opts(SHOP));
    await lifecycle.transition(orderId, { type: 'cancel', actor: CS, reason: 'Customer changed their mind' }, { causationId: 'test', now: NOW });
    const step = { now: NOW, causationId: 'evt-cancelled' };

    cancelAnswer = () => Promise.reject(new Error('stripe: POST /v1/payment_intents/x/cancel answered 500'));
    await expect(payments.closeAbandoned(orderId, step)).rejects.toThrow(/answered 500/);
    expect((await view(orderId)).payments[0]).toMatchObject({ status: 'PENDING' });

    cancelAnswer = () => Promise.resolve({ status: 'ALREADY_FINAL' });
    expect(await payments.closeAbandoned(orderId, step)).toEqual([{ paymentId: p.paymentId, outcome: 'already-final' }]);
    expect((await view(orderId)).payments[0]).toMatchObject({ status: 'PENDING' });
    expect(cancelCalls.filter((c) => c.paymentId === p.paymentId)).toHaveLength(2);
    cancelAnswer = () => Promise.resolve({ status: 'CANCELLED' });

    // an order still awaiting payment is not the step's business
    const open = await awaitingPayment();
    await payments.start(open, 'card', opts(SHOP));
    expect(await payments.closeAbandoned(open, step)).toEqual([]);
  });

  it('an unknown payment is reported as such and changes nothing', async () => {
    expect(await apply(note('pay_NOSUCHPAYMENT', 'SUCCEEDED'))).toEqual({ outcome: 'unknown-payment' });
  });
});
