import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { OrderCancelled, RefundStarted } from '../../../events/catalog';
import { buildEvent } from '../../../events/define-event';
import { makeHandler as makePaymentCallbacks } from '../../../functions/payment-callbacks/payment-callbacks';
import { makeHandler as makePaymentRefunds } from '../../../functions/payment-refunds/payment-refunds';
import { makeHandler as makePayments } from '../../../functions/payments/payments';
import { application, type Application } from '../../../shared/app';
import { orderLifecycle } from '../../../shared/app/order-lifecycle';
import type { PaymentProviders } from '../../../shared/app/payment-providers';
import { paymentCallbacks, paymentsOver, type Payments } from '../../../shared/app/payments';
import { callbackMessage } from '../../../shared/payments/callback-message';
import type { CancelInput, CreatePaymentResult, PaymentProviderAdapter, RefundInput } from '../../../shared/payments/port';
import { storeFor } from '../../../shared/store';
import { call, lambdaContext, TOKENS } from '../../support/api-event';
import { NOW, pendingOrder, stocked } from '../../support/fixtures';
import { createTestTable, type TestTable } from '../../support/table';

// The payments function and the refund step as handlers over the local table, with a
// fake card provider: what the storefront gets back, what a provider failure leaves
// behind, and how a refund is handed over once however often its event arrives.

let table: TestTable;
let repos: Application;
let payments: Payments;
let http: ReturnType<typeof makePayments>;
let refundStep: ReturnType<typeof makePaymentRefunds>;

const CREATED: () => Promise<CreatePaymentResult> = () => Promise.resolve({ providerRef: 'pi_test', nextAction: { type: 'card', clientSecret: 'pi_test_secret', url: 'https://pay.test/pi_test' } });
let createAnswer = CREATED;
const refundCalls: RefundInput[] = [];
const cancelCalls: CancelInput[] = [];
const stripe: PaymentProviderAdapter = {
  provider: 'stripe',
  create: () => createAnswer(),
  verifyCallback: () => Promise.resolve({ ok: true, payload: {} }),
  normalize: () => [],
  reply: () => ({ statusCode: 200, headers: {}, body: '' }),
  refund: (input) => {
    refundCalls.push(input);
    return Promise.resolve({ status: 'PENDING', providerRefundRef: `re_${input.refundId}` });
  },
  retrieve: () => Promise.resolve({ status: 'PENDING' }),
  cancel: (input) => {
    cancelCalls.push(input);
    return Promise.resolve({ status: 'CANCELLED' });
  },
};
const providers: PaymentProviders = {
  adapterFor: () => stripe,
  expectedMerchant: () => Promise.resolve(undefined),
  notifyUrl: (p) => `https://api.test/webhooks/payments/${p}`,
};

beforeAll(async () => {
  table = await createTestTable(inject('dynamoUrl'));
  repos = application(table.doc, table.tableName);
  const store = storeFor({ doc: table.doc, tableName: table.tableName });
  payments = paymentsOver(store, providers);
  http = makePayments({ orders: store.orders, payments, now: () => NOW });
  refundStep = makePaymentRefunds({ payments, now: () => NOW });
});
afterAll(() => table?.drop());

let n = 0;
async function awaitingPayment(): Promise<string> {
  const sku = `PF-${++n}-${Math.random().toString(36).slice(2, 6).toUpperCase()}`;
  await stocked(repos, sku, 10);
  const orderId = await pendingOrder(repos, [{ sku, quantity: 1 }]);
  await repos.orders.reserve(orderId, 'evt', NOW);
  await orderLifecycle({ doc: table.doc, tableName: table.tableName }).transition(orderId, { type: 'approve', actor: { kind: 'user', id: 'u-ops', role: 'ops' } }, { causationId: 't', now: NOW, paymentDeadlineMinutes: 60 });
  return orderId;
}

const start = (orderId: string, method: string, claims: Record<string, unknown> = TOKENS.storefront) =>
  call(http, { routeKey: 'POST /orders/{orderId}/payments', pathParameters: { orderId }, claims: claims as never, body: { method } });

function stepEvent(data: Record<string, unknown>, eventId: string, event: typeof RefundStarted | typeof OrderCancelled = RefundStarted): SQSEvent {
  const out = buildEvent(event, data as never, { eventId, occurredAt: NOW, correlationId: String(data.orderId), causationId: 'c' });
  const body = JSON.stringify({ version: '0', id: out.eventId, 'detail-type': out.detailType, source: out.source, detail: JSON.parse(out.detail) });
  return { Records: [{ messageId: `m-${eventId}`, body } as SQSEvent['Records'][number]] };
}

describe('payments function', () => {
  it('a card payment: the attempt is recorded before the provider is asked, then its reference and next step', async () => {
    const orderId = await awaitingPayment();
    let atCreate: unknown;
    createAnswer = async () => {
      atCreate = (await repos.orders.get(orderId))!.payments;
      return CREATED();
    };
    const res = await start(orderId, 'card');
    createAnswer = CREATED;
    expect(res.status).toBe(201);
    // a callback arriving while the provider is still answering finds its attempt
    expect(atCreate).toEqual([expect.objectContaining({ paymentId: (res.body as { paymentId: string }).paymentId, status: 'PENDING' })]);
    expect(res.body).toMatchObject({ method: 'card', provider: 'stripe', status: 'PENDING', providerRef: 'pi_test', nextAction: { type: 'card', clientSecret: 'pi_test_secret' } });
    expect((await repos.orders.get(orderId))!.payments[0]).toMatchObject({ providerRef: 'pi_test', nextAction: { type: 'card' } });
  });

  it('a provider that fails: 502, the attempt FAILED, and the payer may start again', async () => {
    const orderId = await awaitingPayment();
    createAnswer = () => Promise.reject(new Error('connect ECONNREFUSED'));
    const res = await start(orderId, 'card');
    createAnswer = CREATED;
    expect(res.status).toBe(502);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect((await repos.orders.get(orderId))!.payments).toEqual([expect.objectContaining({ status: 'FAILED', failureReason: expect.stringContaining('ECONNREFUSED') })]);
    expect((await start(orderId, 'card')).status).toBe(201);
  });

  it('another storefront gets 404; unknown fields are 400 and nothing is written', async () => {
    const orderId = await awaitingPayment();
    expect((await start(orderId, 'card', TOKENS.otherStorefront)).status).toBe(404);
    const bad = await call(http, { routeKey: 'POST /orders/{orderId}/payments', pathParameters: { orderId }, claims: TOKENS.storefront, body: { method: 'card', amount: 1 } });
    expect(bad.status).toBe(400);
    expect((await repos.orders.get(orderId))!.payments).toEqual([]);
  });
});

describe('refund step', () => {
  it('hands a refund to its provider once (idempotency key = refundId), however often RefundStarted arrives', async () => {
    const orderId = await awaitingPayment();
    const { paymentId } = (await start(orderId, 'card')).body as { paymentId: string };
    await payments.apply({
      provider: 'stripe', eventKey: `evt_${paymentId}`, kind: 'payment', paymentId, status: 'SUCCEEDED', amount: { amount: 1000, currency: 'CNY' },
      occurredAt: NOW.toISOString(), providerEventType: 'payment_intent.succeeded',
    }, { now: NOW, causationId: 'cb' });
    const { response } = await payments.requestRefund(orderId, { amount: { amount: 400, currency: 'CNY' }, reason: 'late delivery' }, { actor: { kind: 'user', id: 'u-fin', role: 'finance' }, causationId: 'r', now: NOW });
    const { refundId } = response.body as { refundId: string };
    const order = (await repos.orders.getRecord(orderId))!;
    const event = stepEvent({
      orderId, orderNumber: order.orderNumber, refundId, paymentId, provider: 'stripe', amount: { amount: 400, currency: 'CNY' },
      reasonCode: 'REQUESTED', reason: 'late delivery', automatic: false, actor: 'finance:u-fin',
    }, `e-${refundId}`);
    expect(await refundStep(event, lambdaContext)).toEqual({ batchItemFailures: [] });
    expect(await refundStep(event, lambdaContext)).toEqual({ batchItemFailures: [] });
    const calls = refundCalls.filter((c) => c.refundId === refundId);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ idempotencyKey: refundId, providerRef: 'pi_test', amount: { amount: 400, currency: 'CNY' }, captured: { amount: 1000, currency: 'CNY' } });
    const view = (await repos.orders.get(orderId))!;
    expect(view.refunds[0]).toMatchObject({ status: 'PENDING', providerRefundRef: `re_${refundId}`, submittedAt: NOW.toISOString() });
    expect(view.money.refunded.amount).toBe(0);
  });

  it('closes the open attempt of a cancelled order at its provider once, however often OrderCancelled arrives', async () => {
    const orderId = await awaitingPayment();
    const { paymentId } = (await start(orderId, 'card')).body as { paymentId: string };
    await orderLifecycle({ doc: table.doc, tableName: table.tableName }).transition(orderId, { type: 'cancel', actor: { kind: 'user', id: 'u-cs', role: 'cs' }, reason: 'Customer changed their mind' }, { causationId: 't', now: NOW });
    const order = (await repos.orders.getRecord(orderId))!;
    const event = stepEvent({
      orderId, orderNumber: order.orderNumber, previousStatus: 'AWAITING_PAYMENT', status: 'CANCELLED', actor: 'cs:u-cs', reason: 'Customer changed their mind', refundDue: false,
    }, `e-cancel-${orderId}`, OrderCancelled);
    expect(await refundStep(event, lambdaContext)).toEqual({ batchItemFailures: [] });
    expect(await refundStep(event, lambdaContext)).toEqual({ batchItemFailures: [] });
    expect(cancelCalls.filter((c) => c.paymentId === paymentId)).toEqual([{ paymentId, providerRef: 'pi_test', idempotencyKey: `close-${paymentId}` }]);
    expect((await repos.orders.get(orderId))!.payments).toEqual([expect.objectContaining({ paymentId, status: 'CANCELLED', failureReason: 'order cancelled: closed at stripe' })]);
  });

  it('a message that is not a refund event fails and is retried', async () => {
    const bad = { Records: [{ messageId: 'm-bad', body: JSON.stringify({ id: 'x', 'detail-type': 'RefundStarted', source: 'oms.payments', detail: { data: {} } }) } as SQSEvent['Records'][number]] };
    expect(await refundStep(bad, lambdaContext)).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-bad' }] });
  });
});

describe('callback worker with the payment use cases', () => {
  it('the same verified notification in one batch ten times: the order is paid once, every message acknowledged', async () => {
    const orderId = await awaitingPayment();
    const { paymentId } = (await start(orderId, 'card')).body as { paymentId: string };
    const worker = makePaymentCallbacks({ sink: paymentCallbacks({ doc: table.doc, tableName: table.tableName }, providers), now: () => NOW });
    const body = JSON.stringify(callbackMessage({
      provider: 'stripe', eventKey: 'evt_same', kind: 'payment', paymentId, status: 'SUCCEEDED', amount: { amount: 1000, currency: 'CNY' },
      providerRef: 'pi_test', occurredAt: NOW.toISOString(), providerEventType: 'payment_intent.succeeded',
    }));
    const batch = { Records: Array.from({ length: 10 }, (_, i) => ({ messageId: `m-${i}`, body } as SQSEvent['Records'][number])) };
    expect(await worker(batch, lambdaContext)).toEqual({ batchItemFailures: [] });
    const view = (await repos.orders.get(orderId))!;
    expect(view.status).toBe('PAID');
    expect(view.money.paid).toEqual({ amount: 1000, currency: 'CNY' });
    expect(view.timeline.filter((t) => t.type === 'ORDER_PAID')).toHaveLength(1);
  });
});
