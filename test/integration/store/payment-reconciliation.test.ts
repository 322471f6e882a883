import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { application, type Application } from '../../../shared/app';
import { orderLifecycle, type OrderLifecycle } from '../../../shared/app/order-lifecycle';
import { makePaymentReconciliation, reconciliationCandidates, type PaymentReconciliation } from '../../../shared/app/payment-reconciliation';
import { paymentCallbacks, paymentsOver, type Payments } from '../../../shared/app/payments';
import type { Actor } from '../../../shared/domain/actor';
import type { PaymentStatusReport } from '../../../shared/payments/port';
import { storeFor, type Store } from '../../../shared/store';
import * as keys from '../../../shared/store/keys';
import { NOW, pendingOrder, stocked } from '../../support/fixtures';
import { fakePaymentProviders } from '../../support/providers';
import { createTestTable, type TestTable } from '../../support/table';

// Reconciliation on the local DynamoDB: candidates come from the pending and
// settled-by-day indexes; a provider that disagrees raises one PaymentDriftDetected
// (also over reruns) and nothing about money changes; an agreeing one raises none.

let table: TestTable;
let repos: Application;
let store: Store;
let lifecycle: OrderLifecycle;
let payments: Payments;
let recon: PaymentReconciliation;

const CNY = (amount: number) => ({ amount, currency: 'CNY' });
const SHOP: Actor = { kind: 'storefront', id: 'shop-client-1' };
const OPS: Actor = { kind: 'user', id: 'u-ops', role: 'ops' };
const FINANCE: Actor = { kind: 'user', id: 'u-fin', role: 'finance' };
const LATER = new Date(NOW.getTime() + 20 * 60_000);

/** What the fake provider reports, per paymentId (absent: still PENDING). */
const reports = new Map<string, PaymentStatusReport>();
const asked: string[] = [];
const { providers, adapterFor } = fakePaymentProviders({
  retrieve: ({ paymentId }) => {
    asked.push(paymentId);
    return Promise.resolve(reports.get(paymentId) ?? { status: 'PENDING' });
  },
});

beforeAll(async () => {
  table = await createTestTable(inject('dynamoUrl'));
  repos = application(table.doc, table.tableName);
  store = storeFor({ doc: table.doc, tableName: table.tableName });
  lifecycle = orderLifecycle(store);
  payments = paymentsOver(store, providers);
  recon = makePaymentReconciliation({ store, adapterFor });
});
afterAll(() => table?.drop());

let skuSeq = 0;
async function awaitingPayment(): Promise<string> {
  const sku = `RECON-${++skuSeq}-${Math.random().toString(36).slice(2, 6).toUpperCase()}`;
  await stocked(repos, sku, 10);
  const orderId = await pendingOrder(repos, [{ sku, quantity: 2 }]);
  await repos.orders.reserve(orderId, 'evt', NOW);
  await lifecycle.transition(orderId, { type: 'approve', actor: OPS }, { causationId: 'test', now: NOW, paymentDeadlineMinutes: 60 });
  return orderId;
}

async function outbox(orderId: string): Promise<Record<string, unknown>[]> {
  const res = await table.doc.send(new QueryCommand({
    TableName: table.tableName, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
    ExpressionAttributeValues: { ':pk': keys.orderPartition(orderId), ':p': keys.outboxPrefix }, ConsistentRead: true,
  }));
  return res.Items ?? [];
}
/** The data of the order's PaymentDriftDetected events. */
const drifts = async (orderId: string): Promise<Record<string, unknown>[]> =>
  (await outbox(orderId)).filter((i) => i.detailType === 'PaymentDriftDetected').map((i) => (JSON.parse(String(i.detail)) as { data: Record<string, unknown> }).data);

describe('payment reconciliation on the table', () => {
  it('a PENDING attempt the provider calls SUCCEEDED: one PaymentDriftDetected, also after a rerun; the order is not paid by it', async () => {
    const orderId = await awaitingPayment();
    const p = await payments.start(orderId, 'card', { actor: SHOP, causationId: 'test', now: NOW });
    reports.set(p.paymentId, { status: 'SUCCEEDED', amount: CNY(2000), providerRef: 'pi_123' });

    const first = await recon.reconcileAll(LATER, 'run-1');
    expect(first.drifts).toBeGreaterThanOrEqual(1);
    const events = await drifts(orderId);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      paymentId: p.paymentId, provider: 'stripe', status: 'PENDING',
      drifts: [{ field: 'status', ours: 'PENDING', provider: 'SUCCEEDED' }],
    });

    const second = await recon.reconcileAll(new Date(LATER.getTime() + 15 * 60_000), 'run-2');
    expect(second.alreadyReported).toBeGreaterThanOrEqual(1);
    expect(await drifts(orderId)).toHaveLength(1);

    const order = (await repos.orders.get(orderId))!;
    expect(order.status).toBe('AWAITING_PAYMENT');
    expect(order.money.paid).toEqual(CNY(0));
    expect(order.payments[0]!.status).toBe('PENDING');
  });

  it('an attempt the provider agrees with raises nothing (pending and settled alike)', async () => {
    const pendingId = await awaitingPayment();
    const pending = await payments.start(pendingId, 'wechatpay', { actor: SHOP, causationId: 'test', now: NOW });

    const paidId = await awaitingPayment();
    const paid = await payments.start(paidId, 'alipay', { actor: SHOP, causationId: 'test', now: NOW });
    const applied = await paymentCallbacks(store, providers).apply({
      provider: 'alipay', eventKey: `k-${paid.paymentId}`, kind: 'payment', paymentId: paid.paymentId, status: 'SUCCEEDED', amount: CNY(2000),
      merchant: { appId: 'app-ours', merchantId: 'seller-ours' }, providerRef: 'trade-1', occurredAt: NOW.toISOString(), providerEventType: 'TRADE_SUCCESS',
    }, { now: NOW, causationId: 'test' });
    expect(applied.outcome).toBe('paid');
    reports.set(paid.paymentId, { status: 'SUCCEEDED', amount: CNY(2000), providerRef: 'trade-1', refunded: CNY(0) });

    asked.length = 0;
    await recon.reconcileAll(LATER, 'run-3');
    expect(asked).toEqual(expect.arrayContaining([pending.paymentId, paid.paymentId]));
    expect(await drifts(pendingId)).toHaveLength(0);
    expect(await drifts(paidId)).toHaveLength(0);
  });

  it('a settled payment with a different amount or refunds is reported with each difference', async () => {
    const orderId = await awaitingPayment();
    const p = await payments.start(orderId, 'alipay', { actor: SHOP, causationId: 'test', now: NOW });
    await paymentCallbacks(store, providers).apply({
      provider: 'alipay', eventKey: `k-${p.paymentId}`, kind: 'payment', paymentId: p.paymentId, status: 'SUCCEEDED', amount: CNY(2000),
      merchant: { appId: 'app-ours', merchantId: 'seller-ours' }, providerRef: 'trade-2', occurredAt: NOW.toISOString(), providerEventType: 'TRADE_SUCCESS',
    }, { now: NOW, causationId: 'test' });
    reports.set(p.paymentId, { status: 'SUCCEEDED', amount: CNY(2000), refunded: CNY(500) });
    await recon.reconcileAll(LATER, 'run-4');
    const events = await drifts(orderId);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ status: 'SUCCEEDED', drifts: [{ field: 'refunded', ours: '0', provider: '500' }] });
  });

  it('candidates come from the indexes: pending past the threshold and settled in the last day; recent or manual attempts are not asked', async () => {
    const freshId = await awaitingPayment();
    const fresh = await payments.start(freshId, 'card', { actor: SHOP, causationId: 'test', now: new Date(LATER.getTime() - 60_000) });
    const bankId = await awaitingPayment();
    const bank = await payments.start(bankId, 'bank_transfer', { actor: SHOP, causationId: 'test', now: NOW });
    await payments.confirm(bankId, bank.paymentId, 'BANK-REF-1', { actor: FINANCE, causationId: 'test', now: NOW });

    const candidates = await reconciliationCandidates({ doc: table.doc, tableName: table.tableName }, new Date(LATER.getTime() - 15 * 60_000), new Date(LATER.getTime() - 86_400_000), LATER);
    const ids = candidates.map((c) => c.paymentId);
    expect(ids).not.toContain(fresh.paymentId);
    expect(ids).toContain(bank.paymentId);

    asked.length = 0;
    const run = await recon.reconcileAll(LATER, 'run-5');
    expect(asked).not.toContain(fresh.paymentId);
    expect(asked).not.toContain(bank.paymentId);
    expect(run.skipped).toBeGreaterThanOrEqual(1);

    // a day later, the settled payments of the day before are no longer asked about
    const nextDay = await reconciliationCandidates({ doc: table.doc, tableName: table.tableName }, new Date(0), new Date(LATER.getTime() + 86_400_000), new Date(LATER.getTime() + 2 * 86_400_000));
    expect(nextDay.map((c) => c.paymentId)).not.toContain(bank.paymentId);
  });
});
