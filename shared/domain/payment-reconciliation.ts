import * as z from 'zod';
import type { PaymentStatusReport } from '../payments/port';
import type { Money } from './money';
import type { PaymentRecord, RefundRecord } from './payment';
import { lazySchema } from './lazy-schema';

// The reconciliation job asks each provider what it knows of our attempts and
// compares. A difference is reported to finance (PaymentDriftDetected) and never
// corrected here: money moves only through the payment use cases.

export const DRIFT_FIELDS = ['status', 'amount', 'currency', 'refunded'] as const;
export const DriftField = z.enum(DRIFT_FIELDS);
export type DriftField = z.infer<typeof DriftField>;

export const PaymentDrift = lazySchema(() =>
  z.object({
    field: DriftField,
    ours: z.string(),
    provider: z.string(),
  }),
);
export type PaymentDrift = z.infer<typeof PaymentDrift>;

/** What we hold about one attempt, as the comparison needs it. */
export interface OurPayment {
  payment: Pick<PaymentRecord, 'status' | 'amount'>;
  /** refunds of this attempt that went through */
  refunded: Money;
}

/** Refunds of one attempt that SUCCEEDED, summed (in the attempt's currency). */
export function refundedOf(payment: Pick<PaymentRecord, 'paymentId' | 'amount'>, refunds: readonly Pick<RefundRecord, 'paymentId' | 'status' | 'amount'>[]): Money {
  const amount = refunds
    .filter((r) => r.paymentId === payment.paymentId && r.status === 'SUCCEEDED')
    .reduce((n, r) => n + r.amount.amount, 0);
  return { amount, currency: payment.amount.currency };
}

/**
 * The differences between our attempt and the provider's report. A PENDING attempt
 * the provider still calls PENDING agrees; our EXPIRED/CANCELLED/FAILED agree with any
 * provider status but SUCCEEDED (money we do not count). Amount and currency are
 * compared only when the provider says the money arrived; refunds only when it
 * reports them.
 */
export function comparePayment(ours: OurPayment, theirs: PaymentStatusReport): PaymentDrift[] {
  const drifts: PaymentDrift[] = [];
  const our = ours.payment;
  const closed = our.status === 'FAILED' || our.status === 'CANCELLED' || our.status === 'EXPIRED';
  const statusAgrees = our.status === theirs.status || (closed && theirs.status !== 'SUCCEEDED');
  if (!statusAgrees) drifts.push({ field: 'status', ours: our.status, provider: theirs.status });

  if (theirs.status === 'SUCCEEDED' && theirs.amount) {
    if (theirs.amount.currency !== our.amount.currency) {
      drifts.push({ field: 'currency', ours: our.amount.currency, provider: theirs.amount.currency });
    } else if (theirs.amount.amount !== our.amount.amount) {
      drifts.push({ field: 'amount', ours: String(our.amount.amount), provider: String(theirs.amount.amount) });
    }
  }
  if (theirs.refunded && theirs.refunded.amount !== ours.refunded.amount) {
    drifts.push({ field: 'refunded', ours: String(ours.refunded.amount), provider: String(theirs.refunded.amount) });
  }
  return drifts;
}

/** The same differences always give the same fingerprint: a rerun reports a drift once. */
export function driftFingerprint(drifts: readonly PaymentDrift[]): string {
  return drifts.map((d) => `${d.field}:${d.ours}>${d.provider}`).sort().join('|');
}
