import * as z from 'zod';
import { Money, add, money, zero } from './money';
import { NextAction, PaymentMethod, Provider } from '../payments/port';
import { ConflictError } from './errors';
import { lazySchema } from './lazy-schema';

// The payment aggregate as plain rules: attempts (one per try to pay an order), the
// status rank that keeps a settled attempt settled, refunds, and the order's money
// ledger, whose sums are the only place "paid" and "refunded" come from. No I/O here:
// shared/domain/payment-changes.ts turns decisions into change sets for the writer.

export const PAYMENT_STATUSES = ['PENDING', 'SUCCEEDED', 'FAILED', 'CANCELLED', 'EXPIRED'] as const;
export const PaymentStatus = z.enum(PAYMENT_STATUSES);
export type PaymentStatus = z.infer<typeof PaymentStatus>;

export const REFUND_STATUSES = ['PENDING', 'SUCCEEDED', 'FAILED'] as const;
export const RefundStatus = z.enum(REFUND_STATUSES);
export type RefundStatus = z.infer<typeof RefundStatus>;

/**
 * A status only moves up this rank: a failed, cancelled or expired attempt may still
 * succeed (the money arrived late), a succeeded one never fails. Equal ranks do not
 * replace each other (FAILED stays FAILED when CANCELLED arrives).
 */
export const PAYMENT_RANK: Readonly<Record<PaymentStatus, number>> = { PENDING: 0, FAILED: 1, CANCELLED: 1, EXPIRED: 1, SUCCEEDED: 2 };
export const REFUND_RANK: Readonly<Record<RefundStatus, number>> = { PENDING: 0, FAILED: 1, SUCCEEDED: 2 };

export const paymentMayMove = (from: PaymentStatus, to: PaymentStatus): boolean => PAYMENT_RANK[to] > PAYMENT_RANK[from];
export const refundMayMove = (from: RefundStatus, to: RefundStatus): boolean => REFUND_RANK[to] > REFUND_RANK[from];

/** Why a reported success does not settle the order (`amount-missing`: the report did not say how much arrived). */
export const MISMATCH_PROBLEMS = ['short', 'over', 'currency', 'merchant', 'amount-missing'] as const;
export const MismatchProblem = z.enum(MISMATCH_PROBLEMS);
export type MismatchProblem = z.infer<typeof MismatchProblem>;

export const Merchant = lazySchema(() =>
  z.object({ appId: z.string().optional(), merchantId: z.string().optional() }),
);
export type Merchant = z.infer<typeof Merchant>;

export const Mismatch = lazySchema(() =>
  z.object({
    problems: z.array(MismatchProblem).min(1),
    expected: Money,
    reported: Money.optional(),
    merchant: Merchant.optional(),
    /** the provider event that reported it (a redelivery of it changes nothing) */
    eventKey: z.string(),
    at: z.iso.datetime(),
  }),
);
export type Mismatch = z.infer<typeof Mismatch>;

/** One attempt to pay an order, as stored (under the order's partition). */
export const PaymentRecord = lazySchema(() =>
  z.object({
    paymentId: z.string(),
    orderId: z.string(),
    method: PaymentMethod,
    provider: Provider,
    /** the order total when the attempt started */
    amount: Money,
    status: PaymentStatus,
    providerRef: z.string().optional(),
    nextAction: NextAction.optional(),
    /** bank reference quoted by finance when confirming a transfer */
    reference: z.string().optional(),
    /** a reported payment that did not match: finance looks at it; the order stays unpaid */
    mismatch: Mismatch.optional(),
    failureReason: z.string().optional(),
    /** refunds pending or done against this attempt (the guard of "no refund beyond the charge") */
    refundReserved: z.int().min(0),
    version: z.int().min(1),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    settledAt: z.iso.datetime().optional(),
  }),
);
export type PaymentRecord = z.infer<typeof PaymentRecord>;

/** The attempt as the API shows it. */
export const Payment = lazySchema(() =>
  PaymentRecord.unwrap().omit({ refundReserved: true, version: true }),
);
export type Payment = z.infer<typeof Payment>;

// RETURNED: units of a return received back; CLAIM: a claim approved (missing, wrong, damaged in transit)
export const REFUND_REASON_CODES = ['REQUESTED', 'ORDER_CANCELLED', 'PAYMENT_AFTER_CLOSE', 'DUPLICATE_PAYMENT', 'RETURNED', 'CLAIM'] as const;
export const RefundReasonCode = z.enum(REFUND_REASON_CODES);
export type RefundReasonCode = z.infer<typeof RefundReasonCode>;

export const RefundRecord = lazySchema(() =>
  z.object({
    refundId: z.string(),
    orderId: z.string(),
    paymentId: z.string(),
    provider: Provider,
    amount: Money,
    reasonCode: RefundReasonCode,
    reason: z.string(),
    /** the return or claim this refund settles (its cause) */
    returnId: z.string().optional(),
    /** started by the system (order cancelled after payment, money after the order closed) */
    automatic: z.boolean(),
    status: RefundStatus,
    providerRefundRef: z.string().optional(),
    /** bank reference of a refund settled by hand (manual providers) */
    reference: z.string().optional(),
    failureReason: z.string().optional(),
    requestedBy: z.string(),
    version: z.int().min(1),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    submittedAt: z.iso.datetime().optional(),
    settledAt: z.iso.datetime().optional(),
  }),
);
export type RefundRecord = z.infer<typeof RefundRecord>;
export const Refund = lazySchema(() =>
  RefundRecord.unwrap().omit({ version: true }),
);
export type Refund = z.infer<typeof Refund>;

// --- the money ledger (its sums: money-ledger.ts) ------------------------------------------------------------

export const LEDGER_KINDS = ['charge', 'refund', 'adjustment'] as const;
export const LedgerKind = z.enum(LEDGER_KINDS);
export type LedgerKind = z.infer<typeof LedgerKind>;

/**
 * One movement of money for an order; entries are only ever added. A charge is keyed
 * by its payment, a refund by its refund, an adjustment by its own id: the same
 * provider event can therefore never write twice.
 */
export const MoneyEntry = lazySchema(() =>
  z.object({
    kind: LedgerKind,
    /** the payment (charge), refund (refund) or adjustment id the entry belongs to */
    sourceId: z.string(),
    /** money towards us (charge, adjustment in) or back to the customer (refund, adjustment out) */
    direction: z.enum(['in', 'out']),
    amount: Money,
    reasonCode: z.string(),
    paymentId: z.string().optional(),
    refundId: z.string().optional(),
    providerRef: z.string().optional(),
    actor: z.string(),
    at: z.iso.datetime(),
  }),
);
export type MoneyEntry = z.infer<typeof MoneyEntry>;

export const MoneySummary = lazySchema(() =>
  z.object({ paid: Money, refunded: Money, balance: Money }),
);
export type MoneySummary = z.infer<typeof MoneySummary>;

/** What was charged for one attempt (its charge entry), if anything. */
export function chargedFor(entries: readonly MoneyEntry[], paymentId: string): Money | undefined {
  const charges = entries.filter((e) => e.kind === 'charge' && e.paymentId === paymentId).map((e) => e.amount);
  return charges.length ? charges.reduce((a, b) => add(a, b)) : undefined;
}

/** How much of an attempt can still be refunded: its charge minus refunds pending or done. */
export function refundableOf(payment: Pick<PaymentRecord, 'refundReserved' | 'amount'>, charged: Money | undefined): Money {
  if (!charged) return zero(payment.amount.currency);
  return money(Math.max(0, charged.amount - payment.refundReserved), charged.currency);
}

// --- checks of a reported payment ------------------------------------------------

export interface PaymentReport {
  status: 'PENDING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
  amount?: Money;
  merchant?: Merchant;
}

/**
 * Whether a success report binds to the attempt: the same amount in the same currency,
 * paid to us. Merchant ids are compared where both our configuration and the report
 * name them (a provider that reports none was already bound by its signature).
 */
export function mismatchOf(expected: Money, report: PaymentReport, ours: Merchant | undefined): MismatchProblem[] {
  const problems: MismatchProblem[] = [];
  const reported = report.amount;
  // a success that does not say how much arrived settles nothing
  if (!reported) problems.push('amount-missing');
  else {
    if (reported.currency !== expected.currency) problems.push('currency');
    else if (reported.amount < expected.amount) problems.push('short');
    else if (reported.amount > expected.amount) problems.push('over');
  }
  const theirs = report.merchant ?? {};
  const differs = (a: string | undefined, b: string | undefined) => a !== undefined && b !== undefined && a !== b;
  if (ours && (differs(ours.appId, theirs.appId) || differs(ours.merchantId, theirs.merchantId))) problems.push('merchant');
  return problems;
}

/** "12.34 CNY" for timeline details (minor units with two decimals). */
export const formatMoney = (m: Money): string => `${(m.amount / 100).toFixed(2)} ${m.currency}`;

/** One open attempt per order: what the marker item says. */
export interface OpenAttempt {
  paymentId: string;
  /** epoch seconds */
  openedAt: number;
  /** the open attempt's provider and method, when its record was read with the marker */
  provider?: string;
  method?: string;
}

/** An open attempt older than this may be replaced by a new one (the payer walked away). */
export const OPEN_ATTEMPT_SECONDS = 15 * 60;

export const isStale = (open: OpenAttempt, now: Date): boolean => open.openedAt + OPEN_ATTEMPT_SECONDS < Math.floor(now.getTime() / 1000);

/**
 * A provider's attempt (card, Alipay, WeChat Pay) may be replaced by a new one at once:
 * the payer left its pay page, and a provider need not report that (WeChat Pay sends no
 * failure callback; nobody reports an abandoned page). The old attempt may still succeed
 * later, and that success is settled or refunded like any other. A manual attempt (bank
 * transfer, cash on delivery) holds the order until it is stale: the money may be on its way.
 */
export const isReplaceable = (open: OpenAttempt, now: Date): boolean =>
  isStale(open, now) || (open.provider !== undefined && open.provider !== 'manual');

export function paymentOpenConflict(orderId: string, open: OpenAttempt): ConflictError {
  return new ConflictError(
    `Order ${orderId} has an open payment attempt ${open.paymentId}; finish or abandon it first`,
    { paymentId: open.paymentId },
    'payment-open',
    'Payment already open',
  );
}
