import { describe, expect, it } from 'vitest';
import { systemActor } from '../../../shared/domain/actor';
import { ConflictError } from '../../../shared/domain/errors';
import type { OrderRecord } from '../../../shared/domain/order';
import {
  PAYMENT_STATUSES, chargedFor, mismatchOf, paymentMayMove, refundableOf, type MoneyEntry, type PaymentRecord, type RefundRecord,
} from '../../../shared/domain/payment';
import { moneySummary } from '../../../shared/domain/money-ledger';
import { decidePaymentReport, decideRefundReport, requestRefund, startPayment } from '../../../shared/domain/payment-changes';

const NOW = new Date('2026-11-27T03:00:00.000Z');
const CNY = (amount: number) => ({ amount, currency: 'CNY' });
const SYSTEM = systemActor('payment-callbacks');
const FINANCE = { kind: 'user' as const, id: 'u-fin', role: 'finance' as const };

const order = (status: OrderRecord['status'] = 'AWAITING_PAYMENT'): OrderRecord => ({
  orderId: 'ORD1', orderNumber: 'W20261127-0001', status, channel: 'web',
  customer: { customerId: 'cus_1', email: 'a@example.com', name: 'A' },
  lines: [{ sku: 'TEA', name: 'Tea', quantity: 2, unitPrice: CNY(1000), lineTotal: CNY(2000) }],
  totals: { subtotal: CNY(2000), total: CNY(2000) },
  shippingAddress: { name: 'A', line1: '1 Road', city: 'Shanghai', postalCode: '200000', country: 'CN' },
  placedBy: 'shop-1', version: 4, createdAt: NOW.toISOString(), updatedAt: NOW.toISOString(), paymentDueAt: '2026-11-27T04:00:00.000Z',
});

const payment = (over: Partial<PaymentRecord> = {}): PaymentRecord => ({
  paymentId: 'pay_1', orderId: 'ORD1', method: 'alipay', provider: 'alipay', amount: CNY(2000), status: 'PENDING',
  refundReserved: 0, version: 1, createdAt: NOW.toISOString(), updatedAt: NOW.toISOString(), ...over,
});

const entry = (kind: MoneyEntry['kind'], amount: number, over: Partial<MoneyEntry> = {}): MoneyEntry => ({
  kind, sourceId: `${kind}-${amount}`, direction: kind === 'refund' ? 'out' : 'in', amount: CNY(amount), reasonCode: 'X', actor: 'system:t', at: NOW.toISOString(), ...over,
});

const report = (status: 'SUCCEEDED' | 'FAILED' | 'CANCELLED' | 'PENDING', over: Record<string, unknown> = {}) => ({
  status, amount: CNY(2000), eventKey: `evt-${status}`, eventType: `TRADE_${status}`, ...over,
});

const decideReport = (p: PaymentRecord, r: ReturnType<typeof report>, o = order(), ours?: { appId?: string; merchantId?: string }) =>
  decidePaymentReport({ order: o, payment: p, open: { paymentId: p.paymentId, openedAt: 0 }, report: r, ...(ours ? { ours } : {}), actor: SYSTEM, now: NOW, newRefundId: 'rfd_1' });

const tags = (set: { changes: { tag?: string; entity: string }[] }) => set.changes.map((c) => c.tag ?? c.entity);

describe('payment status rank', () => {
  it('moves only up: a failure may still succeed, a success never fails, equal ranks stay', () => {
    const moves = PAYMENT_STATUSES.flatMap((from) => PAYMENT_STATUSES.filter((to) => paymentMayMove(from, to)).map((to) => `${from}->${to}`));
    expect(moves.sort()).toEqual([
      'CANCELLED->SUCCEEDED', 'EXPIRED->SUCCEEDED', 'FAILED->SUCCEEDED',
      'PENDING->CANCELLED', 'PENDING->EXPIRED', 'PENDING->FAILED', 'PENDING->SUCCEEDED',
    ]);
  });
});

describe('the money ledger', () => {
  it('paid, refunded and balance are sums of the entries', () => {
    const entries = [entry('charge', 2000), entry('refund', 500), entry('refund', 300), entry('adjustment', 100, { direction: 'in' })];
    expect(moneySummary(entries, 'CNY')).toEqual({ paid: CNY(2100), refunded: CNY(800), balance: CNY(1300) });
    expect(moneySummary([], 'CNY')).toEqual({ paid: CNY(0), refunded: CNY(0), balance: CNY(0) });
  });

  it('refundable is the charge minus refunds pending or done, never below zero', () => {
    const entries = [entry('charge', 2000, { paymentId: 'pay_1' })];
    expect(chargedFor(entries, 'pay_1')).toEqual(CNY(2000));
    expect(chargedFor(entries, 'pay_2')).toBeUndefined();
    expect(refundableOf(payment({ refundReserved: 1500 }), CNY(2000))).toEqual(CNY(500));
    expect(refundableOf(payment({ refundReserved: 2500 }), CNY(2000))).toEqual(CNY(0));
    expect(refundableOf(payment(), undefined)).toEqual(CNY(0));
  });
});

describe('mismatch', () => {
  it('names short, over, currency and merchant problems; merchant ids only where both sides name them', () => {
    expect(mismatchOf(CNY(2000), { status: 'SUCCEEDED', amount: CNY(2000) }, { appId: 'app' })).toEqual([]);
    expect(mismatchOf(CNY(2000), { status: 'SUCCEEDED', amount: CNY(1999) }, undefined)).toEqual(['short']);
    expect(mismatchOf(CNY(2000), { status: 'SUCCEEDED', amount: CNY(2001) }, undefined)).toEqual(['over']);
    expect(mismatchOf(CNY(2000), { status: 'SUCCEEDED', amount: { amount: 2000, currency: 'USD' } }, undefined)).toEqual(['currency']);
    expect(mismatchOf(CNY(2000), { status: 'SUCCEEDED', amount: CNY(2000), merchant: { appId: 'other' } }, { appId: 'app', merchantId: 'm' })).toEqual(['merchant']);
    expect(mismatchOf(CNY(2000), { status: 'SUCCEEDED', amount: CNY(2000), merchant: { merchantId: 'm' } }, { appId: 'app', merchantId: 'm' })).toEqual([]);
    expect(mismatchOf(CNY(2000), { status: 'SUCCEEDED' }, undefined)).toEqual(['amount-missing']);
  });
});

describe('a report on an attempt', () => {
  it('a matching success pays the order in one change set: attempt, charge, order, deadline item, open marker, two events', () => {
    const d = decideReport(payment(), report('SUCCEEDED', { providerRef: '2026112722001' }));
    expect(d.outcome).toBe('paid');
    expect(tags(d.set!)).toEqual(['order', 'paymentDue', 'payment', 'ledger:charge', 'open']);
    expect(d.set!.events.map((e) => e.detailType)).toEqual(['PaymentSucceeded', 'OrderPaid']);
    expect(d.set!.timeline).toMatchObject({ type: 'ORDER_PAID', actor: 'system:payment-callbacks' });
    const charge = d.set!.changes.find((c) => c.tag === 'ledger:charge')!;
    expect(charge).toMatchObject({ op: 'put', expect: { exists: false }, id: ['ORD1', 'charge', 'pay_1'] });
  });

  it('the same success again, or a success for an already settled attempt, is a duplicate', () => {
    expect(decideReport(payment({ status: 'SUCCEEDED' }), report('SUCCEEDED')).outcome).toBe('duplicate');
  });

  it('a mismatch flags the attempt for finance and leaves the order and ledger alone', () => {
    const d = decideReport(payment(), report('SUCCEEDED', { amount: CNY(200) }));
    expect(d.outcome).toBe('flagged');
    expect(tags(d.set!)).toEqual(['payment']);
    expect(d.set!.events).toEqual([expect.objectContaining({ detailType: 'PaymentFlagged', data: expect.objectContaining({ problems: ['short'], reported: CNY(200) }) })]);
    // the same flagged event again changes nothing
    const flagged = payment({ mismatch: { problems: ['short'], expected: CNY(2000), eventKey: 'evt-SUCCEEDED', at: NOW.toISOString() } });
    expect(decideReport(flagged, report('SUCCEEDED', { amount: CNY(200) })).outcome).toBe('duplicate');
    // a success reported by another provider than the attempt's is not ours to settle
    expect(decideReport(payment(), report('SUCCEEDED', { provider: 'stripe' })).outcome).toBe('flagged');
    // a wrong merchant is flagged too
    expect(decideReport(payment(), report('SUCCEEDED', { merchant: { appId: 'theirs' } }), order(), { appId: 'ours' }).outcome).toBe('flagged');
  });

  it('a success for a cancelled or expired order is charged and refunded in full at once; for a paid order too', () => {
    for (const status of ['CANCELLED', 'EXPIRED', 'PAID'] as const) {
      const d = decideReport(payment(), report('SUCCEEDED'), order(status));
      expect(d.outcome, status).toBe('refund-after-close');
      expect(tags(d.set!)).toEqual(['payment', 'ledger:charge', 'refund', 'open']);
      expect(d.set!.events.map((e) => e.detailType)).toEqual(['PaymentSucceeded', 'RefundStarted', 'LatePaymentReceived']);
      const refund = d.set!.changes.find((c) => c.tag === 'refund') as unknown as { item: RefundRecord };
      expect(refund.item).toMatchObject({ amount: CNY(2000), automatic: true, status: 'PENDING', reasonCode: status === 'PAID' ? 'DUPLICATE_PAYMENT' : 'PAYMENT_AFTER_CLOSE' });
    }
  });

  it('a failure fails a pending attempt (the order still awaits payment); after a success it is only noted', () => {
    const failed = decideReport(payment(), report('FAILED'));
    expect(failed.outcome).toBe('failed');
    expect(tags(failed.set!)).toEqual(['payment', 'open']);
    const late = decideReport(payment({ status: 'SUCCEEDED' }), report('FAILED'));
    expect(late.outcome).toBe('late-failure-ignored');
    expect(late.set!.changes).toEqual([expect.objectContaining({ op: 'check' })]);
    expect(late.set!.events).toEqual([]);
    expect(decideReport(payment({ status: 'FAILED' }), report('CANCELLED')).outcome).toBe('duplicate');
    expect(decideReport(payment(), report('PENDING')).outcome).toBe('ignored');
  });

  it('failure then success: the late success still pays the order', () => {
    expect(decideReport(payment({ status: 'FAILED' }), report('SUCCEEDED')).outcome).toBe('paid');
  });
});

describe('starting an attempt', () => {
  it('only while awaiting payment, and only one open attempt; a stale one is taken over', () => {
    expect(() => startPayment({ order: order('PAID'), method: 'card', paymentId: 'pay_2', actor: SYSTEM, now: NOW })).toThrow(ConflictError);
    const fresh = { paymentId: 'pay_1', openedAt: NOW.getTime() / 1000 - 60 };
    expect(() => startPayment({ order: order(), method: 'card', paymentId: 'pay_2', open: fresh, actor: SYSTEM, now: NOW })).toThrow(/open payment attempt pay_1/);
    const stale = { paymentId: 'pay_1', openedAt: NOW.getTime() / 1000 - 3600 };
    const { set } = startPayment({ order: order(), method: 'card', paymentId: 'pay_2', open: stale, actor: SYSTEM, now: NOW });
    expect(tags(set)).toEqual(['order', 'payment', 'paymentRef', 'open', 'stale']);
    expect(set.changes.find((c) => c.tag === 'stale')).toMatchObject({ set: { status: 'EXPIRED' } });
  });

  it("a provider's open attempt is replaced at once (cancelled); a manual one holds the order", () => {
    const openedAt = NOW.getTime() / 1000 - 60;
    const { set } = startPayment({ order: order(), method: 'wechatpay', paymentId: 'pay_2', open: { paymentId: 'pay_1', openedAt, provider: 'wechatpay' }, actor: SYSTEM, now: NOW });
    expect(set.changes.find((c) => c.tag === 'stale')).toMatchObject({ id: ['ORD1', 'pay_1'], expect: { equals: { status: 'PENDING' } }, set: { status: 'CANCELLED', failureReason: 'replaced by pay_2' } });
    expect(() => startPayment({ order: order(), method: 'card', paymentId: 'pay_2', open: { paymentId: 'pay_1', openedAt, provider: 'manual' }, actor: SYSTEM, now: NOW })).toThrow(/open payment attempt pay_1/);
  });

  it('bank transfer tells the payer the reference to quote: the order number', () => {
    const { payment: p } = startPayment({ order: order(), method: 'bank_transfer', paymentId: 'pay_2', actor: SYSTEM, now: NOW });
    expect(p).toMatchObject({ provider: 'manual', amount: CNY(2000), status: 'PENDING', nextAction: { type: 'instructions' } });
    expect(p.nextAction!.instructions).toContain('W20261127-0001');
  });
});

describe('refunds', () => {
  const settled = payment({ status: 'SUCCEEDED', refundReserved: 500 });
  const ask = (amount: number) => ({ order: order('PAID'), payment: settled, refundId: 'rfd_2', amount: CNY(amount), reasonCode: 'REQUESTED' as const, reason: 'broken', automatic: false, actor: FINANCE, now: NOW });

  it('reserves the amount under a condition that keeps reserved within the charge', () => {
    const { set } = requestRefund(ask(1500), CNY(2000));
    const reservation = set.changes.find((c) => c.tag === 'refundable')!;
    expect(reservation).toMatchObject({ op: 'update', add: { refundReserved: 1500 }, expect: { equals: { status: 'SUCCEEDED' }, below: { refundReserved: 501 } } });
    expect(set.events.map((e) => e.detailType)).toEqual(['RefundStarted']);
  });

  it('more than refundable is a 409 naming what is', () => {
    expect(() => requestRefund(ask(1501), CNY(2000))).toThrow(expect.objectContaining({ status: 409, slug: 'refund-exceeds-balance', extensions: { refundable: CNY(1500) } }));
    expect(() => requestRefund({ ...ask(1), payment: payment() }, undefined)).toThrow(ConflictError);
  });

  const refund = (over: Partial<RefundRecord> = {}): RefundRecord => ({
    refundId: 'rfd_2', orderId: 'ORD1', paymentId: 'pay_1', provider: 'alipay', amount: CNY(500), reasonCode: 'REQUESTED', reason: 'broken',
    automatic: false, status: 'PENDING', requestedBy: 'finance:u-fin', version: 1, createdAt: NOW.toISOString(), updatedAt: NOW.toISOString(), ...over,
  });
  const refundReport = (r: RefundRecord, status: 'SUCCEEDED' | 'FAILED' | 'PENDING') =>
    decideRefundReport({ order: order('PAID'), refund: r, report: { status, eventType: 'REFUND' }, actor: SYSTEM, now: NOW });

  it('a success writes the ledger refund entry; a failure gives the reservation back; the rank holds', () => {
    const ok = refundReport(refund(), 'SUCCEEDED');
    expect(ok.outcome).toBe('refunded');
    expect(tags(ok.set!)).toEqual(['refund', 'ledger:refund']);
    const failed = refundReport(refund(), 'FAILED');
    expect(failed.outcome).toBe('refund-failed');
    expect(failed.set!.changes.find((c) => c.tag === 'reservation')).toMatchObject({ add: { refundReserved: -500 } });
    expect(refundReport(refund({ status: 'SUCCEEDED' }), 'FAILED').outcome).toBe('late-failure-ignored');
    expect(refundReport(refund({ status: 'SUCCEEDED' }), 'SUCCEEDED').outcome).toBe('duplicate');
    expect(refundReport(refund(), 'PENDING').outcome).toBe('submitted');
  });
});
