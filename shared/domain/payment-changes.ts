import { actorLabel, type Actor } from './actor';
import type { Change, ChangeSet, DomainEvent } from './decision';
import { BusinessRuleError, ConflictError } from './errors';
import { decide } from './lifecycle';
import type { Money } from './money';
import type { OrderRecord } from './order';
import { orderChangeSet } from './order-changes';
import {
  formatMoney, isReplaceable, OPEN_ATTEMPT_SECONDS, isStale, mismatchOf, paymentMayMove, paymentOpenConflict, refundableOf, refundMayMove,
  type Merchant, type MoneyEntry, type OpenAttempt, type PaymentRecord, type PaymentStatus, type RefundReasonCode, type RefundRecord,
} from './payment';
import { timelineEntry } from './timeline';
import type { CreatePaymentResult, PaymentMethod } from '../payments/port';
import { PROVIDER_OF_METHOD } from '../payments/port';

// Payment decisions as change sets: what starting an attempt, a provider's report, a
// refund request and a refund's outcome change, all in the order's partition (its
// timeline and outbox), each written by the one writer as one transaction. A decision
// is made on the items as read; every change is conditioned on them (versions, the
// open-attempt marker, the refund reservation), so a racing or repeated report loses
// its transaction, is read again and decided again (usually: "already applied").

const epoch = (d: Date) => Math.floor(d.getTime() / 1000);

const orderAggregate = (orderId: string) => ({ entity: 'order', id: orderId });

const base = (order: Pick<OrderRecord, 'orderId' | 'orderNumber'>) => ({ orderId: order.orderId, orderNumber: order.orderNumber });

const paymentFacts = (p: PaymentRecord) => ({ paymentId: p.paymentId, method: p.method, provider: p.provider });

function paymentUpdate(p: PaymentRecord, at: string, set: Record<string, unknown>): Change {
  return {
    op: 'update', entity: 'payment', id: [p.orderId, p.paymentId], tag: 'payment',
    expect: { equals: { version: p.version } },
    set: { ...set, version: p.version + 1, updatedAt: at },
  };
}

function refundUpdate(r: RefundRecord, at: string, set: Record<string, unknown>): Change {
  return {
    op: 'update', entity: 'refund', id: [r.orderId, r.refundId], tag: 'refund',
    expect: { equals: { version: r.version } },
    set: { ...set, version: r.version + 1, updatedAt: at },
  };
}

/** The open-attempt marker leaves with its attempt (only if it is still that attempt's). */
const releaseOpen = (p: PaymentRecord, open: OpenAttempt | undefined): Change[] =>
  open?.paymentId === p.paymentId ? [{ op: 'delete', entity: 'paymentOpen', id: [p.orderId], tag: 'open', expect: { equals: { paymentId: p.paymentId } } }] : [];

function entryChange(orderId: string, entry: MoneyEntry): Change {
  return { op: 'put', entity: 'moneyEntry', id: [orderId, entry.kind, entry.sourceId], tag: `ledger:${entry.kind}`, expect: { exists: false }, item: { orderId, ...entry } };
}

// --- starting an attempt -----------------------------------------------------------

export interface StartFacts {
  order: OrderRecord;
  method: PaymentMethod;
  paymentId: string;
  /** the open-attempt marker as read, if any */
  open?: OpenAttempt;
  actor: Actor;
  now: Date;
}

/**
 * A new PENDING attempt for the order total, only while the order awaits payment and
 * no other attempt is open (a marker item claimed with the attempt). An open attempt
 * older than OPEN_ATTEMPT_SECONDS is taken over: it becomes EXPIRED in the same
 * transaction; a provider's open attempt is replaced at once and becomes CANCELLED
 * (isReplaceable). The attempt is written before any provider is called, so a callback
 * always finds it.
 */
export function startPayment(f: StartFacts): { payment: PaymentRecord; set: ChangeSet } {
  const { order, now } = f;
  if (order.status !== 'AWAITING_PAYMENT') {
    throw new ConflictError(
      `Order ${order.orderNumber} is ${order.status}; payments start only while it is AWAITING_PAYMENT`,
      { status: order.status }, 'illegal-transition', 'Illegal state transition',
    );
  }
  if (f.open && !isReplaceable(f.open, now)) throw paymentOpenConflict(order.orderId, f.open);
  const at = now.toISOString();
  const payment: PaymentRecord = {
    paymentId: f.paymentId,
    orderId: order.orderId,
    method: f.method,
    provider: PROVIDER_OF_METHOD[f.method],
    amount: order.totals.total,
    status: 'PENDING',
    refundReserved: 0,
    version: 1,
    createdAt: at,
    updatedAt: at,
    ...(f.method === 'bank_transfer' || f.method === 'cod' ? { nextAction: manualInstructions(f.method, order) } : {}),
  };
  const changes: Change[] = [
    { op: 'check', entity: 'order', id: [order.orderId], tag: 'order', expect: { equals: { status: 'AWAITING_PAYMENT' } } },
    { op: 'put', entity: 'payment', id: [order.orderId, payment.paymentId], tag: 'payment', expect: { exists: false }, item: { ...payment } },
    { op: 'put', entity: 'paymentRef', id: [payment.paymentId], tag: 'paymentRef', expect: { exists: false }, item: { paymentId: payment.paymentId, orderId: order.orderId } },
    {
      op: 'put', entity: 'paymentOpen', id: [order.orderId], tag: 'open', returnOld: true,
      expect: f.open ? { equals: { paymentId: f.open.paymentId } } : { exists: false },
      item: { orderId: order.orderId, paymentId: payment.paymentId, openedAt: epoch(now) },
    },
  ];
  if (f.method === 'cod') {
    // cash is collected at the door: the order waits for its delivery, not for a payment deadline
    changes.push({ op: 'delete', entity: 'paymentDue', id: [order.orderId] });
  } else if (f.open?.method === 'cod') {
    // the payer chose to pay now after all: the deadline applies again (with time to pay)
    changes.push({ op: 'put', entity: 'paymentDue', id: [order.orderId], item: { orderId: order.orderId, dueAt: dueAgain(order, now) } });
  }
  if (f.open) {
    // the abandoned attempt: expired (or cancelled, if not yet stale) unless it moved meanwhile (then the marker had gone too)
    changes.push({
      op: 'update', entity: 'payment', id: [order.orderId, f.open.paymentId], tag: 'stale',
      expect: { equals: { status: 'PENDING' } },
      set: { status: isStale(f.open, now) ? 'EXPIRED' : 'CANCELLED', failureReason: `replaced by ${payment.paymentId}`, updatedAt: at },
      add: { version: 1 },
    });
  }
  return {
    payment,
    set: {
      aggregate: orderAggregate(order.orderId), at, changes, events: [], movements: [],
      timeline: timelineEntry(now, 'PAYMENT_STARTED', f.actor, `${f.method} payment ${payment.paymentId} of ${formatMoney(payment.amount)}`),
    },
  };
}

/** The payment deadline of an order whose cash-on-delivery attempt is replaced: as it was, but never sooner than the time an attempt has. */
function dueAgain(order: Pick<OrderRecord, 'paymentDueAt'>, now: Date): string {
  const grace = new Date(now.getTime() + OPEN_ATTEMPT_SECONDS * 1000).toISOString();
  return order.paymentDueAt !== undefined && order.paymentDueAt > grace ? order.paymentDueAt : grace;
}

/** Bank transfer and cash on delivery: what the payer is told to do. */
export function manualInstructions(method: 'bank_transfer' | 'cod', order: Pick<OrderRecord, 'orderNumber' | 'totals'>): { type: 'instructions'; instructions: string } {
  const amount = formatMoney(order.totals.total);
  return {
    type: 'instructions',
    instructions: method === 'bank_transfer'
      ? `Transfer ${amount} to the account shown on the invoice, quoting reference ${order.orderNumber}.`
      : `Pay ${amount} in cash to the courier on delivery of order ${order.orderNumber}.`,
  };
}

/** What the provider answered to create: its reference and the payer's next step (the status is left to callbacks). */
export function createdChangeSet(p: PaymentRecord, result: CreatePaymentResult, now: Date): ChangeSet {
  return {
    aggregate: orderAggregate(p.orderId), at: now.toISOString(), events: [], movements: [],
    changes: [{
      op: 'update', entity: 'payment', id: [p.orderId, p.paymentId], tag: 'payment', expect: { exists: true },
      set: { nextAction: result.nextAction, updatedAt: now.toISOString() },
      ...(result.providerRef ? { setIfAbsent: { providerRef: result.providerRef } } : {}),
    }],
  };
}

// --- a provider's (or finance's) report on an attempt ----------------------------

export interface PaymentReportFacts {
  order: OrderRecord;
  payment: PaymentRecord;
  open?: OpenAttempt;
  report: {
    status: 'PENDING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
    amount?: Money;
    merchant?: Merchant;
    providerRef?: string;
    /** the provider that reported it (absent for a confirmation by hand) */
    provider?: string;
    /** the provider's event identity (or the request id of a confirmation by hand) */
    eventKey: string;
    /** what the provider called it, for the timeline */
    eventType: string;
    /** bank reference of a confirmation by hand */
    reference?: string;
    failureReason?: string;
  };
  /** our merchant ids at the provider (from its credentials) */
  ours?: Merchant;
  actor: Actor;
  now: Date;
  /** id for the refund a payment after close needs */
  newRefundId: string;
}

export type PaymentOutcome =
  | { outcome: 'paid' | 'refund-after-close' | 'flagged' | 'failed' | 'late-failure-ignored'; set: ChangeSet; refundId?: string }
  | { outcome: 'duplicate' | 'ignored'; set?: undefined };

/**
 * One report about an attempt, decided on the order, the attempt and the open marker
 * as read. Order-independent: the status rank decides whether it still changes anything.
 */
export function decidePaymentReport(f: PaymentReportFacts): PaymentOutcome {
  const { payment: p, report } = f;
  if (report.status === 'PENDING') return { outcome: 'ignored' };
  if (report.status === 'SUCCEEDED') {
    if (p.status === 'SUCCEEDED' || p.mismatch?.eventKey === report.eventKey) return { outcome: 'duplicate' };
    // reported through another provider than the attempt's: not the money we asked for
    const problems = mismatchOf(p.amount, report, f.ours);
    if (report.provider !== undefined && report.provider !== p.provider && !problems.includes('merchant')) problems.push('merchant');
    if (problems.length > 0) return { outcome: 'flagged', set: flagged(f, problems) };
    if (f.order.status === 'AWAITING_PAYMENT') return { outcome: 'paid', set: paid(f) };
    if (p.method === 'cod' && CASH_COLLECTED_IN.has(f.order.status)) return { outcome: 'paid', set: cashCollected(f) };
    return { outcome: 'refund-after-close', set: refundAfterClose(f), refundId: f.newRefundId };
  }
  if (p.status === 'SUCCEEDED') return { outcome: 'late-failure-ignored', set: lateFailure(f) };
  if (!paymentMayMove(p.status, report.status)) return { outcome: 'duplicate' };
  return { outcome: 'failed', set: failed(f, report.status) };
}

function settledFields(f: PaymentReportFacts, at: string): Record<string, unknown> {
  const ref = f.report.providerRef ?? f.payment.providerRef;
  return {
    status: 'SUCCEEDED', settledAt: at,
    ...(ref !== undefined ? { providerRef: ref } : {}),
    ...(f.report.reference !== undefined ? { reference: f.report.reference } : {}),
  };
}

function chargeEntry(f: PaymentReportFacts, at: string): MoneyEntry {
  const ref = f.report.providerRef ?? f.report.reference ?? f.payment.providerRef;
  return {
    kind: 'charge', sourceId: f.payment.paymentId, direction: 'in', amount: f.payment.amount, reasonCode: 'PAYMENT_CAPTURED',
    paymentId: f.payment.paymentId, ...(ref !== undefined ? { providerRef: ref } : {}), actor: actorLabel(f.actor), at,
  };
}

const succeededEvent = (f: PaymentReportFacts): DomainEvent => {
  const ref = f.report.providerRef ?? f.payment.providerRef;
  return {
    detailType: 'PaymentSucceeded',
    data: { ...base(f.order), ...paymentFacts(f.payment), amount: f.payment.amount, ...(ref !== undefined ? { providerRef: ref } : {}), actor: actorLabel(f.actor) },
  };
};

/** The order total arrived: attempt SUCCEEDED, a charge in the ledger, the order PAID (its deadline item gone), in one transaction. */
function paid(f: PaymentReportFacts): ChangeSet {
  const d = decide(f.order, { type: 'pay', actor: f.actor }, f.now);
  const set = orderChangeSet(f.order, d);
  const at = set.at;
  set.changes.push(paymentUpdate(f.payment, at, settledFields(f, at)), entryChange(f.order.orderId, chargeEntry(f, at)), ...releaseOpen(f.payment, f.open));
  set.timeline = timelineEntry(f.now, d.timeline.type, f.actor, `${f.payment.method} payment ${f.payment.paymentId}: ${formatMoney(f.payment.amount)}`);
  set.events = [succeededEvent(f), ...d.events];
  return set;
}

/** Where a cash-on-delivery order is when the courier's cash is reported: it shipped before payment. */
const CASH_COLLECTED_IN: ReadonlySet<string> = new Set(['FULFILLING', 'PARTIALLY_SHIPPED', 'SHIPPED', 'PARTIALLY_DELIVERED', 'DELIVERED', 'COMPLETED']);

/** The courier's cash for a cash-on-delivery order: attempt SUCCEEDED, a charge in the ledger; the order's status is its shipments' business. */
function cashCollected(f: PaymentReportFacts): ChangeSet {
  const at = f.now.toISOString();
  return {
    aggregate: orderAggregate(f.order.orderId), at, movements: [],
    changes: [paymentUpdate(f.payment, at, settledFields(f, at)), entryChange(f.order.orderId, chargeEntry(f, at)), ...releaseOpen(f.payment, f.open)],
    timeline: timelineEntry(f.now, 'CASH_COLLECTED', f.actor, `cash on delivery ${f.payment.paymentId}: ${formatMoney(f.payment.amount)}`),
    events: [succeededEvent(f)],
  };
}

/**
 * Money arrived for an order that is closed (cancelled, expired) or already paid: it is
 * recorded, and a full refund of it starts at once; customer service hears of it.
 */
function refundAfterClose(f: PaymentReportFacts): ChangeSet {
  const at = f.now.toISOString();
  const { payment: p, order } = f;
  const reasonCode: RefundReasonCode = order.status === 'CANCELLED' || order.status === 'EXPIRED' || order.status === 'REJECTED' ? 'PAYMENT_AFTER_CLOSE' : 'DUPLICATE_PAYMENT';
  const refund = newRefund({
    order, payment: p, refundId: f.newRefundId, amount: p.amount, reasonCode, automatic: true, actor: f.actor, now: f.now,
    reason: reasonCode === 'PAYMENT_AFTER_CLOSE' ? `Payment arrived after the order was ${order.status}` : 'The order was already paid',
  });
  return {
    aggregate: orderAggregate(order.orderId), at, movements: [],
    changes: [
      paymentUpdate(p, at, { ...settledFields(f, at), refundReserved: p.refundReserved + p.amount.amount }),
      entryChange(order.orderId, chargeEntry(f, at)),
      { op: 'put', entity: 'refund', id: [order.orderId, refund.refundId], tag: 'refund', expect: { exists: false }, item: { ...refund } },
      ...releaseOpen(p, f.open),
    ],
    timeline: timelineEntry(f.now, 'PAYMENT_AFTER_CLOSE', f.actor, `${p.method} payment ${p.paymentId} of ${formatMoney(p.amount)} arrived while the order was ${order.status}; refund ${refund.refundId} started`),
    events: [
      succeededEvent(f),
      refundStartedEvent(order, refund),
      { detailType: 'LatePaymentReceived', data: { ...base(order), ...paymentFacts(p), amount: p.amount, orderStatus: order.status, refundId: refund.refundId, actor: actorLabel(f.actor) } },
    ],
  };
}

/** The report does not bind to the attempt: flagged for finance, the order stays unpaid, nothing enters the ledger. */
function flagged(f: PaymentReportFacts, problems: ReturnType<typeof mismatchOf>): ChangeSet {
  const at = f.now.toISOString();
  const { payment: p, report } = f;
  const mismatch = {
    problems, expected: p.amount, eventKey: report.eventKey, at,
    ...(report.amount ? { reported: report.amount } : {}),
    ...(report.merchant ? { merchant: report.merchant } : {}),
  };
  return {
    aggregate: orderAggregate(p.orderId), at, movements: [],
    changes: [paymentUpdate(p, at, { mismatch })],
    timeline: timelineEntry(f.now, 'PAYMENT_FLAGGED', f.actor, `${report.eventType} for ${p.paymentId} does not match (${problems.join(', ')}); the order stays unpaid`),
    events: [{
      detailType: 'PaymentFlagged',
      data: {
        ...base(f.order), ...paymentFacts(p), problems, expected: p.amount,
        ...(report.amount ? { reported: report.amount } : {}), ...(report.merchant ? { merchant: report.merchant } : {}), actor: actorLabel(f.actor),
      },
    }],
  };
}

/** The attempt failed or was cancelled: the order still awaits payment, so the payer may try again. */
function failed(f: PaymentReportFacts, status: PaymentStatus): ChangeSet {
  const at = f.now.toISOString();
  const { payment: p, report } = f;
  const reason = report.failureReason ?? report.eventType;
  return {
    aggregate: orderAggregate(p.orderId), at, movements: [],
    changes: [paymentUpdate(p, at, { status, failureReason: reason }), ...releaseOpen(p, f.open)],
    timeline: timelineEntry(f.now, 'PAYMENT_FAILED', f.actor, `${p.method} payment ${p.paymentId} ${status.toLowerCase()}: ${reason}`),
    events: [{ detailType: 'PaymentFailed', data: { ...base(f.order), ...paymentFacts(p), status, reason, actor: actorLabel(f.actor) } }],
  };
}

/** A failure after the success: recorded in the timeline, nothing else changes. */
function lateFailure(f: PaymentReportFacts): ChangeSet {
  const at = f.now.toISOString();
  const { payment: p } = f;
  return {
    aggregate: orderAggregate(p.orderId), at, movements: [], events: [],
    changes: [{ op: 'check', entity: 'payment', id: [p.orderId, p.paymentId], tag: 'payment', expect: { equals: { status: 'SUCCEEDED' } } }],
    timeline: timelineEntry(f.now, 'PAYMENT_LATE_REPORT_IGNORED', f.actor, `${f.report.eventType} (${f.report.status}) for ${p.paymentId} arrived after it succeeded; ignored`),
  };
}

// --- refunds ------------------------------------------------------------------------

export interface RefundRequest {
  order: OrderRecord;
  payment: PaymentRecord;
  refundId: string;
  amount: Money;
  reasonCode: RefundReasonCode;
  reason: string;
  automatic: boolean;
  /** the return or claim the refund settles */
  returnId?: string;
  actor: Actor;
  now: Date;
}

function newRefund(r: RefundRequest): RefundRecord {
  const at = r.now.toISOString();
  return {
    refundId: r.refundId, orderId: r.order.orderId, paymentId: r.payment.paymentId, provider: r.payment.provider, amount: r.amount,
    reasonCode: r.reasonCode, reason: r.reason, ...(r.returnId ? { returnId: r.returnId } : {}), automatic: r.automatic, status: 'PENDING', requestedBy: actorLabel(r.actor),
    version: 1, createdAt: at, updatedAt: at,
  };
}

const refundStartedEvent = (order: OrderRecord, r: RefundRecord): DomainEvent => ({
  detailType: 'RefundStarted',
  data: {
    ...base(order), refundId: r.refundId, paymentId: r.paymentId, provider: r.provider, amount: r.amount,
    reasonCode: r.reasonCode, reason: r.reason, ...(r.returnId ? { returnId: r.returnId } : {}), automatic: r.automatic, actor: r.requestedBy,
  },
});

export function refundExceeds(orderId: string, refundable: Money, asked: Money): ConflictError {
  return new ConflictError(
    `Order ${orderId}: ${formatMoney(asked)} is more than the ${formatMoney(refundable)} still refundable`,
    { refundable }, 'refund-exceeds-balance', 'More than refundable',
  );
}

/**
 * A PENDING refund of part or all of an attempt's charge. The attempt's reservation
 * counter grows by the amount under the condition that it stays within the charge, so
 * of two refunds racing for the last amount one commits and the other's condition fails.
 */
export function requestRefund(r: RefundRequest, charged: Money | undefined, claims: Change[] = []): { refund: RefundRecord; set: ChangeSet } {
  const { payment: p, amount } = r;
  if (amount.currency !== p.amount.currency) {
    throw new BusinessRuleError(`The payment is in ${p.amount.currency}, the refund in ${amount.currency}`, { expected: p.amount.currency, actual: amount.currency }, 'currency-mismatch');
  }
  const refundable = refundableOf(p, p.status === 'SUCCEEDED' ? charged : undefined);
  if (refundable.amount < amount.amount || amount.amount <= 0) throw refundExceeds(r.order.orderId, refundable, amount);
  const refund = newRefund(r);
  const at = refund.createdAt;
  return {
    refund,
    set: {
      aggregate: orderAggregate(r.order.orderId), at, movements: [],
      changes: [
        ...claims,
        { op: 'put', entity: 'refund', id: [r.order.orderId, refund.refundId], tag: 'refund', expect: { exists: false }, item: { ...refund } },
        {
          op: 'update', entity: 'payment', id: [p.orderId, p.paymentId], tag: 'refundable',
          // reserved + amount <= charged, as a condition DynamoDB can evaluate: reserved < charged - amount + 1
          expect: { equals: { status: 'SUCCEEDED' }, below: { refundReserved: charged!.amount - amount.amount + 1 } },
          add: { refundReserved: amount.amount },
        },
      ],
      timeline: timelineEntry(r.now, 'REFUND_REQUESTED', r.actor, `refund ${refund.refundId} of ${formatMoney(amount)} against ${p.paymentId}: ${r.reason}`),
      events: [refundStartedEvent(r.order, refund)],
    },
  };
}

export interface RefundReportFacts {
  order: OrderRecord;
  refund: RefundRecord;
  report: { status: 'PENDING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED'; providerRefundRef?: string; reference?: string; eventType: string; failureReason?: string };
  actor: Actor;
  now: Date;
}

export type RefundOutcome =
  | { outcome: 'submitted' | 'refunded' | 'refund-failed' | 'late-failure-ignored'; set: ChangeSet }
  | { outcome: 'duplicate' | 'ignored'; set?: undefined };

/**
 * A refund's outcome. The ledger gets its refund entry only when the money has gone
 * (SUCCEEDED); while PENDING the amount is held by the attempt's reservation, which a
 * failure gives back.
 */
export function decideRefundReport(f: RefundReportFacts): RefundOutcome {
  const { refund: r, report } = f;
  const at = f.now.toISOString();
  const actor = actorLabel(f.actor);
  const ref = report.providerRefundRef ?? r.providerRefundRef;
  const refFields = ref !== undefined ? { providerRefundRef: ref } : {};
  const aggregate = orderAggregate(r.orderId);
  if (report.status === 'PENDING') {
    if (r.status !== 'PENDING' || r.submittedAt !== undefined) return { outcome: 'ignored' };
    return { outcome: 'submitted', set: { aggregate, at, movements: [], events: [], changes: [refundUpdate(r, at, { ...refFields, submittedAt: at })] } };
  }
  const reservation = (delta: number): Change => ({
    op: 'update', entity: 'payment', id: [r.orderId, r.paymentId], tag: 'reservation', expect: { exists: true }, add: { refundReserved: delta },
  });
  if (report.status === 'SUCCEEDED') {
    if (!refundMayMove(r.status, 'SUCCEEDED')) return { outcome: 'duplicate' };
    const entry: MoneyEntry = {
      kind: 'refund', sourceId: r.refundId, direction: 'out', amount: r.amount, reasonCode: r.reasonCode, paymentId: r.paymentId, refundId: r.refundId,
      ...(ref !== undefined ? { providerRef: ref } : report.reference !== undefined ? { providerRef: report.reference } : {}), actor, at,
    };
    return {
      outcome: 'refunded',
      set: {
        aggregate, at, movements: [],
        changes: [
          refundUpdate(r, at, { status: 'SUCCEEDED', settledAt: at, ...refFields, ...(report.reference !== undefined ? { reference: report.reference } : {}) }),
          entryChange(r.orderId, entry),
          // money went back after a reported failure: it is held again
          ...(r.status === 'FAILED' ? [reservation(r.amount.amount)] : []),
        ],
        timeline: timelineEntry(f.now, 'REFUND_SUCCEEDED', f.actor, `refund ${r.refundId} of ${formatMoney(r.amount)} done`),
        events: [{
          detailType: 'RefundIssued',
          data: {
            ...base(f.order), refundId: r.refundId, paymentId: r.paymentId, provider: r.provider, amount: r.amount, ...refFields,
            ...(report.reference !== undefined ? { reference: report.reference } : {}), actor,
          },
        }],
      },
    };
  }
  if (r.status === 'SUCCEEDED') {
    return {
      outcome: 'late-failure-ignored',
      set: {
        aggregate, at, movements: [], events: [],
        changes: [{ op: 'check', entity: 'refund', id: [r.orderId, r.refundId], tag: 'refund', expect: { equals: { status: 'SUCCEEDED' } } }],
        timeline: timelineEntry(f.now, 'REFUND_LATE_REPORT_IGNORED', f.actor, `${report.eventType} for refund ${r.refundId} arrived after it succeeded; ignored`),
      },
    };
  }
  if (!refundMayMove(r.status, 'FAILED')) return { outcome: 'duplicate' };
  const reason = report.failureReason ?? report.eventType;
  return {
    outcome: 'refund-failed',
    set: {
      aggregate, at, movements: [],
      changes: [refundUpdate(r, at, { status: 'FAILED', failureReason: reason, ...refFields }), reservation(-r.amount.amount)],
      timeline: timelineEntry(f.now, 'REFUND_FAILED', f.actor, `refund ${r.refundId} of ${formatMoney(r.amount)} failed: ${reason}`),
      events: [{ detailType: 'RefundFailed', data: { ...base(f.order), refundId: r.refundId, paymentId: r.paymentId, provider: r.provider, amount: r.amount, reason, actor } }],
    },
  };
}
