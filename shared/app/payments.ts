import { ORDER_STATUS_EVENTS } from '../../events/orders';
import { PAYMENT_EVENTS } from '../../events/payments';
import { systemActor, type Actor } from '../domain/actor';
import type { ChangeSet } from '../domain/decision';
import { ConflictError, NotFoundError, UpstreamError } from '../domain/errors';
import type { Money } from '../domain/money';
import type { OrderRecord } from '../domain/order';
import { paymentView, refundView } from '../domain/money-ledger';
import { chargedFor, refundableOf, type Payment, type PaymentRecord, type RefundRecord } from '../domain/payment';
import {
  createdChangeSet, decidePaymentReport, decideRefundReport, refundExceeds, requestRefund as refundChangeSet, startPayment,
  type PaymentReportFacts, type RefundReportFacts,
} from '../domain/payment-changes';
import { logger } from '../middleware/logger';
import type { CallbackProvider, PaymentCallbackSink, PaymentMethod, ProviderNotification } from '../payments/port';
import type { Store } from '../store';
import { claimChange, findReplay, resolveLostClaim, type IdempotencyClaim, type StoredResponse } from '../store/idempotency';
import { newId } from '../store/ids';
import { orderRepository, type OrderRepository } from '../store/order-repository';
import { moneyView, paymentRepository, type MoneyView, type OrderMoney, type PaymentRepository } from '../store/payment-repository';
import type { TableContext } from '../store/table';
import { ConditionFailed, makeWriter, type Writer } from '../store/writer';
import { stamper } from './events';
import { stageProviders, type PaymentProviders } from './payment-providers';

/** The events these use cases publish, stamped for the outbox. */
const stamped = stamper(ORDER_STATUS_EVENTS, PAYMENT_EVENTS);

// Payment use cases: start an attempt, settle it (provider callback or finance's
// confirmation), refund. Each reads the order and its payment items, lets the domain
// decide (payment-changes.ts), and commits the change set as one transaction. A lost
// condition (another report, a racing refund, the order moved) is read and decided
// again; the decision then usually says "already applied", so a redelivered or
// reordered report changes nothing.

export interface PaymentsDeps {
  orders: Pick<OrderRepository, 'getRecord'>;
  payments: Pick<PaymentRepository, 'orderOf' | 'money'>;
  writer: Pick<Writer, 'commit'>;
  /** for idempotency replays of refund requests */
  ctx: TableContext;
  providers: PaymentProviders;
}

export interface CommandOptions {
  actor: Actor;
  /** request id or the consumed event's id */
  causationId: string;
  now: Date;
}

/** The actor of provider callbacks and of the refund step. */
export const CALLBACKS = systemActor('payment-callbacks');
export const REFUNDS = systemActor('payment-refunds');

/** Reads and decides again this often when conditions keep failing (10 identical reports settle in two rounds). */
const MAX_ATTEMPTS = 6;

const paymentIdAt = (now: Date) => `pay_${newId(now)}`;
const refundIdAt = (now: Date) => `rfd_${newId(now)}`;

export interface RefundAnswer {
  refundId: string;
  paymentId: string;
  amount: Money;
  status: RefundRecord['status'];
}

export function makePayments(deps: PaymentsDeps) {
  const commit = (set: ChangeSet, orderId: string, opts: Pick<CommandOptions, 'now' | 'causationId'>) =>
    deps.writer.commit(stamped(set, { now: opts.now, correlationId: orderId, causationId: opts.causationId }));

  async function orderOrThrow(orderId: string): Promise<OrderRecord> {
    const order = await deps.orders.getRecord(orderId);
    if (!order) throw new NotFoundError(`No order ${orderId}`);
    return order;
  }

  /** Read, decide, commit; on a lost condition read and decide again. */
  async function decided<T>(attempt: () => Promise<T>): Promise<T> {
    for (let i = 1; ; i++) {
      try {
        return await attempt();
      } catch (err) {
        if (!(err instanceof ConditionFailed) || i >= MAX_ATTEMPTS) throw err;
      }
    }
  }

  /** A report about an attempt: from a provider callback, a failed create, or finance's confirmation. */
  function settle(orderId: string, paymentId: string, report: PaymentReportFacts['report'], actor: Actor, opts: Pick<CommandOptions, 'now' | 'causationId'>, ours?: PaymentReportFacts['ours']) {
    return decided(async () => {
      const [order, money] = await Promise.all([deps.orders.getRecord(orderId), deps.payments.money(orderId)]);
      const payment = money.payments.find((p) => p.paymentId === paymentId);
      if (!order || !payment) return { outcome: 'unknown-payment' as const };
      const d = decidePaymentReport({ order, payment, ...(money.open ? { open: money.open } : {}), report, ...(ours ? { ours } : {}), actor, now: opts.now, newRefundId: refundIdAt(opts.now) });
      if (d.set) await commit(d.set, orderId, opts);
      return { outcome: d.outcome, payment, placedAt: order.createdAt };
    });
  }

  /** A report about a refund: a provider callback or answer, or finance settling a manual refund. */
  function settleRefund(orderId: string, refundId: string, report: RefundReportFacts['report'], actor: Actor, opts: Pick<CommandOptions, 'now' | 'causationId'>) {
    return decided(async () => {
      const [order, money] = await Promise.all([deps.orders.getRecord(orderId), deps.payments.money(orderId)]);
      const refund = money.refunds.find((r) => r.refundId === refundId);
      if (!order || !refund) return { outcome: 'unknown-refund' as const };
      const d = decideRefundReport({ order, refund, report, actor, now: opts.now });
      if (d.set) await commit(d.set, orderId, opts);
      return { outcome: d.outcome, refund };
    });
  }

  /** Reserve and record one refund against one attempt (conditioned on what stays refundable). */
  async function refundOnce(
    order: OrderRecord, money: OrderMoney, payment: PaymentRecord, amount: Money, what: { reasonCode: RefundRecord['reasonCode']; reason: string; automatic: boolean },
    opts: CommandOptions, claim?: IdempotencyClaim,
  ): Promise<{ response: StoredResponse; replayed: boolean }> {
    const refundId = refundIdAt(opts.now);
    const answer: RefundAnswer = { refundId, paymentId: payment.paymentId, amount, status: 'PENDING' };
    const response: StoredResponse = { statusCode: 201, body: answer, headers: { location: `/orders/${order.orderId}/payments` } };
    const claims = claim ? [claimChange(claim, response, opts.now, 'claim', { orderId: order.orderId, refundId })] : [];
    const { set } = refundChangeSet(
      { order, payment, refundId, amount, ...what, actor: opts.actor, now: opts.now },
      chargedFor(money.entries, payment.paymentId),
      claims,
    );
    try {
      await commit(set, order.orderId, opts);
      return { response, replayed: false };
    } catch (err) {
      const lost = claim && err instanceof ConditionFailed ? err.find('claim') : undefined;
      if (claim && lost) return { response: await resolveLostClaim(deps.ctx, claim, lost.old), replayed: true };
      throw err;
    }
  }

  /** Asks the attempt's provider for its payer's next step, or records why it could not. */
  async function createAtProvider(order: OrderRecord, payment: PaymentRecord, opts: CommandOptions): Promise<Payment> {
    const orderId = order.orderId;
    if (payment.provider === 'manual') return paymentView(payment);
    const provider = payment.provider as CallbackProvider;
    try {
      const result = await deps.providers.adapterFor(provider).create({
        paymentId: payment.paymentId,
        orderId,
        orderNumber: order.orderNumber,
        amount: payment.amount,
        description: `Order ${order.orderNumber}`,
        idempotencyKey: payment.paymentId,
        notifyUrl: deps.providers.notifyUrl(provider),
      });
      await commit(createdChangeSet(payment, result, opts.now), orderId, opts);
      return paymentView({ ...payment, nextAction: result.nextAction, ...(result.providerRef ? { providerRef: result.providerRef } : {}) });
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      await settle(orderId, payment.paymentId, { status: 'FAILED', eventKey: `create:${payment.paymentId}`, eventType: 'create', failureReason: `provider error: ${detail}` }, opts.actor, opts);
      throw new UpstreamError(`${provider} did not accept payment ${payment.paymentId}; try again`, { paymentId: payment.paymentId });
    }
  }

  const cancelInput = (p: PaymentRecord) => ({ paymentId: p.paymentId, ...(p.providerRef ? { providerRef: p.providerRef } : {}), idempotencyKey: `close-${p.paymentId}` });

  /**
   * Best effort: the provider closes a replaced attempt so that its page or QR code can no
   * longer be paid. A failure never fails the new attempt: it is logged, and a late success
   * of the old one is still refunded automatically.
   */
  async function closeReplaced(p: PaymentRecord, by: string): Promise<void> {
    if (p.provider === 'manual') return;
    const facts = { orderId: p.orderId, paymentId: p.paymentId, provider: p.provider, replacedBy: by };
    try {
      const { status } = await deps.providers.adapterFor(p.provider as CallbackProvider).cancel(cancelInput(p));
      if (status === 'UNKNOWN') logger.warn('Replaced payment attempt may still be open at its provider', facts);
      else logger.info('Replaced payment attempt closed at its provider', { ...facts, status });
    } catch (err) {
      logger.warn('Replaced payment attempt not closed at its provider', { ...facts, error: err instanceof Error ? err.message : String(err) });
    }
  }

  const refundable = (money: OrderMoney, p: PaymentRecord) => refundableOf(p, p.status === 'SUCCEEDED' ? chargedFor(money.entries, p.paymentId) : undefined);

  return {
    /**
     * Start an attempt: the PENDING attempt (with the open marker) is written first,
     * then the provider is asked (idempotency key = paymentId, so a retried create makes
     * one provider object), then its reference and next action are recorded. A provider
     * that fails leaves the attempt FAILED (the payer may try again) and answers 502.
     */
    async start(orderId: string, method: PaymentMethod, opts: CommandOptions & { read?: OrderRecord }): Promise<Payment> {
      let order = opts.read?.orderId === orderId ? opts.read : await orderOrThrow(orderId);
      const { payment, replaced } = await decided(async () => {
        const money = await deps.payments.money(orderId);
        const { payment, set } = startPayment({ order, method, paymentId: paymentIdAt(opts.now), ...(money.open ? { open: money.open } : {}), actor: opts.actor, now: opts.now });
        try {
          await commit(set, orderId, opts);
        } catch (err) {
          if (err instanceof ConditionFailed && err.find('order')) order = await orderOrThrow(orderId);
          throw err;
        }
        // committed: the attempt it replaced was PENDING (the change is conditioned on it)
        return { payment, replaced: money.open && money.payments.find((p) => p.paymentId === money.open!.paymentId) };
      });
      // the replaced attempt is closed at its provider while the new one is created there
      const closing = replaced ? closeReplaced(replaced, payment.paymentId) : Promise.resolve();
      try {
        return await createAtProvider(order, payment, opts);
      } finally {
        await closing;
      }
    },

    /** The order's attempts, refunds and money. */
    async list(orderId: string): Promise<MoneyView> {
      const order = await orderOrThrow(orderId);
      return moneyView(await deps.payments.money(orderId), order.totals.total.currency);
    },

    /** Finance confirms a bank transfer that arrived (with the bank's reference): the order is paid. */
    async confirm(orderId: string, paymentId: string, reference: string, opts: CommandOptions): Promise<Payment> {
      const money = await deps.payments.money(orderId);
      const payment = money.payments.find((p) => p.paymentId === paymentId);
      if (!payment) throw new NotFoundError(`Order ${orderId} has no payment ${paymentId}`);
      if (payment.method !== 'bank_transfer') {
        throw new ConflictError(`Payment ${paymentId} is a ${payment.method} payment; only bank transfers are confirmed by hand`, { method: payment.method }, 'not-manual', 'Not confirmed by hand');
      }
      const result = await settle(orderId, paymentId, {
        status: 'SUCCEEDED', amount: payment.amount, reference, eventKey: `confirm:${opts.causationId}`, eventType: 'bank transfer confirmed',
      }, opts.actor, opts);
      if (result.outcome === 'duplicate' || result.outcome === 'unknown-payment') {
        throw new ConflictError(`Payment ${paymentId} is ${payment.status}; nothing to confirm`, { status: payment.status }, 'illegal-transition', 'Illegal state transition');
      }
      const after = (await deps.payments.money(orderId)).payments.find((p) => p.paymentId === paymentId)!;
      return paymentView(after);
    },

    /** Cash on delivery collected (the delivery hook of fulfilment) with the amount the courier took: the same settlement as a confirmed transfer. */
    async collectCash(orderId: string, paymentId: string, reference: string, opts: CommandOptions & { amount: Money }) {
      return settle(orderId, paymentId, { status: 'SUCCEEDED', amount: opts.amount, reference, eventKey: `cod:${paymentId}`, eventType: 'cash collected' }, opts.actor, opts);
    },

    /** A provider's verified, de-duplicated notification (what the callback worker hands over). */
    async apply(n: ProviderNotification, opts: { now: Date; causationId: string }): Promise<{ outcome: string; placedAt?: string }> {
      const orderId = await deps.payments.orderOf(n.paymentId);
      if (!orderId) return { outcome: 'unknown-payment' };
      if (n.kind === 'refund') {
        if (!n.refundId) return { outcome: 'unknown-refund' };
        const { outcome } = await settleRefund(orderId, n.refundId, {
          status: n.status, eventType: n.providerEventType, ...(n.providerRef ? { providerRefundRef: n.providerRef } : {}),
        }, CALLBACKS, opts);
        return { outcome };
      }
      const ours = await deps.providers.expectedMerchant(n.provider);
      const settled = await settle(orderId, n.paymentId, {
        status: n.status, provider: n.provider, eventKey: n.eventKey, eventType: n.providerEventType,
        ...(n.amount ? { amount: n.amount } : {}), ...(n.merchant ? { merchant: n.merchant } : {}), ...(n.providerRef ? { providerRef: n.providerRef } : {}),
      }, CALLBACKS, opts, ours);
      // when the order was placed, for a payment that paid it (placed-to-paid latency)
      return { outcome: settled.outcome, ...(settled.outcome === 'paid' && 'placedAt' in settled ? { placedAt: settled.placedAt } : {}) };
    },

    /**
     * Finance refunds part or all of what an attempt captured (the first one with enough
     * left, unless named). With an Idempotency-Key claim, a retry answers what the first
     * request answered. More than is refundable is a 409 naming what is.
     */
    async requestRefund(
      orderId: string,
      input: { amount: Money; reason: string; paymentId?: string | undefined },
      opts: CommandOptions & { claim?: IdempotencyClaim | undefined },
    ): Promise<{ response: StoredResponse; replayed: boolean }> {
      if (opts.claim) {
        const replay = await findReplay(deps.ctx, [opts.claim], opts.now);
        if (replay) return { response: replay, replayed: true };
      }
      const order = await orderOrThrow(orderId);
      return decided(async () => {
        const money = await deps.payments.money(orderId);
        const named = input.paymentId ? money.payments.find((p) => p.paymentId === input.paymentId) : undefined;
        if (input.paymentId && !named) throw new NotFoundError(`Order ${orderId} has no payment ${input.paymentId}`);
        const candidates = named ? [named] : money.payments.filter((p) => p.status === 'SUCCEEDED');
        const payment = candidates.find((p) => refundable(money, p).amount >= input.amount.amount)
          ?? candidates.sort((a, b) => refundable(money, b).amount - refundable(money, a).amount)[0];
        if (!payment) throw refundExceeds(orderId, { amount: 0, currency: input.amount.currency }, input.amount);
        return refundOnce(order, money, payment, input.amount, { reasonCode: 'REQUESTED', reason: input.reason, automatic: false }, opts, opts.claim);
      });
    },

    /**
     * An order was cancelled or expired while attempts were open at providers: each is
     * closed there and, once the provider says it is closed, recorded CANCELLED (only while
     * still PENDING, so a repeat or a success that won the race changes nothing). An attempt
     * already paid or closed there is left to the provider's own report; a late success is
     * refunded automatically. A provider that cannot be reached throws: the step retries.
     */
    async closeAbandoned(orderId: string, opts: { now: Date; causationId: string }): Promise<{ paymentId: string; outcome: string }[]> {
      // most closed orders have no attempt open at a provider: one read, and nothing else
      const open = (await deps.payments.money(orderId)).payments.filter((x) => x.status === 'PENDING' && x.provider !== 'manual');
      if (open.length === 0) return [];
      const order = await deps.orders.getRecord(orderId);
      if (!order || (order.status !== 'CANCELLED' && order.status !== 'EXPIRED')) return [];
      const closed: { paymentId: string; outcome: string }[] = [];
      for (const p of open) {
        const { status } = await deps.providers.adapterFor(p.provider as CallbackProvider).cancel(cancelInput(p));
        if (status !== 'CANCELLED') {
          closed.push({ paymentId: p.paymentId, outcome: status === 'ALREADY_FINAL' ? 'already-final' : 'unknown' });
          continue;
        }
        const { outcome } = await settle(orderId, p.paymentId, {
          status: 'CANCELLED', eventKey: `close:${p.paymentId}`, eventType: `closed at ${p.provider}`, failureReason: `order ${order.status.toLowerCase()}: closed at ${p.provider}`,
        }, REFUNDS, opts);
        closed.push({ paymentId: p.paymentId, outcome });
      }
      return closed;
    },

    /**
     * A paid order was cancelled: everything still refundable of every settled attempt is
     * refunded. Repeating it finds nothing left (the reservation counter), so a
     * redelivered RefundRequested refunds nothing twice.
     */
    async refundInFull(orderId: string, opts: CommandOptions): Promise<string[]> {
      const order = await orderOrThrow(orderId);
      const started: string[] = [];
      for (let lost = 0; ; ) {
        const money = await deps.payments.money(orderId);
        const next = money.payments.find((p) => p.status === 'SUCCEEDED' && refundable(money, p).amount > 0);
        if (!next) return started;
        try {
          const { response } = await refundOnce(order, money, next, refundable(money, next), {
            reasonCode: 'ORDER_CANCELLED', reason: order.cancellationReason ? `Order cancelled: ${order.cancellationReason}` : 'Order cancelled after payment', automatic: true,
          }, opts);
          started.push((response.body as RefundAnswer).refundId);
        } catch (err) {
          // someone else reserved meanwhile: read again and refund what is left, if anything
          if (!(err instanceof ConditionFailed) && !(err instanceof ConflictError && err.slug === 'refund-exceeds-balance')) throw err;
          if (++lost >= MAX_ATTEMPTS) throw err;
        }
      }
    },

    /**
     * Hand a PENDING refund to its provider (idempotency key = refundId, so a repeat is one
     * refund there) and record the answer. Manual providers' refunds wait for finance.
     */
    async submitRefund(orderId: string, refundId: string, opts: { now: Date; causationId: string }): Promise<{ outcome: string }> {
      const money = await deps.payments.money(orderId);
      const refund = money.refunds.find((r) => r.refundId === refundId);
      if (!refund) return { outcome: 'unknown-refund' };
      if (refund.status !== 'PENDING' || refund.submittedAt !== undefined) return { outcome: 'already-submitted' };
      if (refund.provider === 'manual') return { outcome: 'manual' };
      const payment = money.payments.find((p) => p.paymentId === refund.paymentId)!;
      const provider = refund.provider as CallbackProvider;
      const result = await deps.providers.adapterFor(provider).refund({
        refundId, paymentId: refund.paymentId, ...(payment.providerRef ? { providerRef: payment.providerRef } : {}),
        amount: refund.amount, captured: chargedFor(money.entries, payment.paymentId) ?? payment.amount, reason: refund.reason,
        idempotencyKey: refundId, notifyUrl: deps.providers.notifyUrl(provider),
      });
      const { outcome } = await settleRefund(orderId, refundId, {
        status: result.status, eventType: 'refund answer', ...(result.providerRefundRef ? { providerRefundRef: result.providerRefundRef } : {}),
      }, REFUNDS, opts);
      // an answer that was already final still marks the refund as handed over
      return { outcome };
    },

    /** Finance settles a manual refund (bank transfer, cash) by hand, with the bank's reference. */
    async confirmRefund(orderId: string, refundId: string, reference: string, opts: CommandOptions) {
      const money = await deps.payments.money(orderId);
      const refund = money.refunds.find((r) => r.refundId === refundId);
      if (!refund) throw new NotFoundError(`Order ${orderId} has no refund ${refundId}`);
      if (refund.provider !== 'manual') {
        throw new ConflictError(`Refund ${refundId} goes through ${refund.provider}; it settles by the provider's answer`, { provider: refund.provider }, 'not-manual', 'Not confirmed by hand');
      }
      const { outcome } = await settleRefund(orderId, refundId, { status: 'SUCCEEDED', reference, eventType: 'refund confirmed' }, opts.actor, opts);
      if (outcome !== 'refunded') {
        throw new ConflictError(`Refund ${refundId} is ${refund.status}; nothing to confirm`, { status: refund.status }, 'illegal-transition', 'Illegal state transition');
      }
      const after = (await deps.payments.money(orderId)).refunds.find((r) => r.refundId === refundId)!;
      return refundView(after);
    },
  };
}
export type Payments = ReturnType<typeof makePayments>;

/** The store modules the payment use cases read and write through. */
export type PaymentStore = Pick<Store, 'orders' | 'payments' | 'ctx'> & { writer: Writer };

/** Only those modules over one table (the payment functions carry no other repository). */
const paymentStore = (ctx: TableContext): PaymentStore => ({ orders: orderRepository(ctx), payments: paymentRepository(ctx), writer: makeWriter(ctx), ctx });

/** The payment use cases over one store. */
export const paymentsOver = (store: PaymentStore, providers: PaymentProviders = stageProviders()): Payments =>
  makePayments({ orders: store.orders, payments: store.payments, writer: store.writer, ctx: store.ctx, providers });

/** What the payments function and the refund step use, wired over one table. */
export function paymentSteps(ctx: TableContext, providers: PaymentProviders = stageProviders()) {
  const store = paymentStore(ctx);
  return { orders: store.orders, payments: paymentsOver(store, providers) };
}

/** What the callback worker calls for each verified notification. */
export function paymentCallbacks(store: PaymentStore | TableContext, providers?: PaymentProviders): PaymentCallbackSink {
  const payments = paymentsOver('writer' in store ? store : paymentStore(store), providers);
  return { apply: (n, opts) => payments.apply(n, opts) };
}
