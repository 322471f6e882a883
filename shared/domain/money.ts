import * as z from 'zod';
import { BusinessRuleError } from './errors';

// Money is an integer number of minor units (fen, cents) plus an ISO 4217 code.
// Floats never appear: every operation checks it stays a safe integer.

export const Currency = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as CNY');
export type Currency = z.infer<typeof Currency>;

export const Money = z.strictObject({
  amount: z.int().min(0).max(Number.MAX_SAFE_INTEGER),
  currency: Currency,
});
export type Money = z.infer<typeof Money>;

function safe(amount: number): number {
  if (!Number.isSafeInteger(amount)) {
    throw new BusinessRuleError('Amount is out of range', { amount }, 'amount-out-of-range');
  }
  return amount;
}

export function money(amount: number, currency: string): Money {
  return { amount: safe(amount), currency };
}

export function zero(currency: string): Money {
  return { amount: 0, currency };
}

export class CurrencyMismatchError extends BusinessRuleError {
  constructor(expected: string, actual: string) {
    super(`Mixed currencies: expected ${expected}, got ${actual}`, { expected, actual }, 'currency-mismatch');
  }
}

export function add(a: Money, b: Money): Money {
  if (a.currency !== b.currency) throw new CurrencyMismatchError(a.currency, b.currency);
  return money(a.amount + b.amount, a.currency);
}

export function multiply(m: Money, quantity: number): Money {
  if (!Number.isSafeInteger(quantity)) throw new RangeError('quantity must be an integer');
  return money(m.amount * quantity, m.currency);
}

/** Sum in one currency; an empty list sums to zero of `currency`. */
export function sum(items: readonly Money[], currency: string): Money {
  return items.reduce((acc, m) => add(acc, m), zero(currency));
}

export function equals(a: Money, b: Money): boolean {
  return a.currency === b.currency && a.amount === b.amount;
}
