import { sum } from './money';
import type { MoneyEntry, MoneySummary, Payment, PaymentRecord, Refund, RefundRecord } from './payment';

// What reading an order's money needs, without the payment schemas: the order
// repository answers every order read with it, and the functions that read orders
// only for other reasons need not carry the payment contracts in their bundles.

/** Paid, refunded and the balance held, as sums of the ledger (never stored). */
export function moneySummary(entries: readonly MoneyEntry[], currency: string): MoneySummary {
  const paid = sum(entries.filter((e) => e.direction === 'in').map((e) => e.amount), currency);
  const refunded = sum(entries.filter((e) => e.direction === 'out').map((e) => e.amount), currency);
  // a balance below zero would mean more went back than came in: shown as such, never hidden
  return { paid, refunded, balance: { amount: paid.amount - refunded.amount, currency } };
}

/** The attempt as the API shows it (without its version and refund reservation). */
export const paymentView = ({ refundReserved: _r, version: _v, ...p }: PaymentRecord): Payment => p;

/** The refund as the API shows it. */
export const refundView = ({ version: _v, ...r }: RefundRecord): Refund => r;
