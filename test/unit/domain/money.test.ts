import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BusinessRuleError } from '../../../shared/domain/errors';
import { add, CurrencyMismatchError, Money, money, multiply, sum, zero } from '../../../shared/domain/money';

const amount = fc.integer({ min: 0, max: 1_000_000_000 });
const cny = amount.map((a) => money(a, 'CNY'));

describe('money', () => {
  it('sums are order independent and equal the integer sum of amounts', () => {
    fc.assert(
      fc.property(fc.array(cny, { maxLength: 50 }), (items) => {
        const total = sum(items, 'CNY');
        expect(total).toEqual({ amount: items.reduce((a, m) => a + m.amount, 0), currency: 'CNY' });
        expect(sum([...items].reverse(), 'CNY')).toEqual(total);
        expect(Number.isInteger(total.amount)).toBe(true);
      }),
    );
  });

  it('addition is associative and zero is neutral', () => {
    fc.assert(
      fc.property(cny, cny, cny, (a, b, c) => {
        expect(add(add(a, b), c)).toEqual(add(a, add(b, c)));
        expect(add(a, zero('CNY'))).toEqual(a);
      }),
    );
  });

  it('a line total is the unit price added quantity times', () => {
    fc.assert(
      fc.property(cny, fc.integer({ min: 0, max: 10_000 }), (unit, qty) => {
        expect(multiply(unit, qty)).toEqual(sum(Array(qty).fill(unit), 'CNY'));
      }),
      { numRuns: 50 },
    );
  });

  it('never mixes currencies', () => {
    expect(() => add(money(1, 'CNY'), money(1, 'USD'))).toThrow(CurrencyMismatchError);
    expect(() => sum([money(1, 'CNY'), money(2, 'USD')], 'CNY')).toThrow(CurrencyMismatchError);
  });

  it('refuses amounts that are not safe integers', () => {
    expect(() => money(0.1, 'CNY')).toThrow(BusinessRuleError);
    expect(() => multiply(money(Number.MAX_SAFE_INTEGER, 'CNY'), 2)).toThrow(BusinessRuleError);
  });

  it('schema accepts integer minor units with an ISO code only', () => {
    expect(Money.safeParse({ amount: 4900, currency: 'CNY' }).success).toBe(true);
    expect(Money.safeParse({ amount: 49.5, currency: 'CNY' }).success).toBe(false);
    expect(Money.safeParse({ amount: -1, currency: 'CNY' }).success).toBe(false);
    expect(Money.safeParse({ amount: 1, currency: 'cny' }).success).toBe(false);
    expect(Money.safeParse({ amount: '1', currency: 'CNY' }).success).toBe(false);
    expect(Money.safeParse({ amount: 1, currency: 'CNY', extra: 1 }).success).toBe(false);
  });
});
