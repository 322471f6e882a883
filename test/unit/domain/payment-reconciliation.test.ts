import { describe, expect, it } from 'vitest';
import { comparePayment, driftFingerprint, refundedOf } from '../../../shared/domain/payment-reconciliation';

const CNY = (amount: number) => ({ amount, currency: 'CNY' });
const ours = (status: 'PENDING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED' | 'EXPIRED', refunded = 0) =>
  ({ payment: { status, amount: CNY(2000) }, refunded: CNY(refunded) });

describe('comparePayment', () => {
  it('agrees when the provider says what we hold', () => {
    expect(comparePayment(ours('PENDING'), { status: 'PENDING' })).toEqual([]);
    expect(comparePayment(ours('SUCCEEDED', 500), { status: 'SUCCEEDED', amount: CNY(2000), refunded: CNY(500) })).toEqual([]);
    // a closed attempt agrees with any provider status but money arrived
    expect(comparePayment(ours('EXPIRED'), { status: 'PENDING' })).toEqual([]);
    expect(comparePayment(ours('FAILED'), { status: 'CANCELLED' })).toEqual([]);
  });

  it('reports money the provider took that we do not count', () => {
    expect(comparePayment(ours('PENDING'), { status: 'SUCCEEDED', amount: CNY(2000) })).toEqual([{ field: 'status', ours: 'PENDING', provider: 'SUCCEEDED' }]);
    expect(comparePayment(ours('EXPIRED'), { status: 'SUCCEEDED', amount: CNY(2000) })).toEqual([{ field: 'status', ours: 'EXPIRED', provider: 'SUCCEEDED' }]);
  });

  it('reports a settled payment the provider no longer calls paid', () => {
    expect(comparePayment(ours('SUCCEEDED'), { status: 'FAILED' })).toEqual([{ field: 'status', ours: 'SUCCEEDED', provider: 'FAILED' }]);
  });

  it('reports amount, currency and refunded differences', () => {
    expect(comparePayment(ours('SUCCEEDED'), { status: 'SUCCEEDED', amount: CNY(1999) })).toEqual([{ field: 'amount', ours: '2000', provider: '1999' }]);
    expect(comparePayment(ours('SUCCEEDED'), { status: 'SUCCEEDED', amount: { amount: 2000, currency: 'USD' } })).toEqual([{ field: 'currency', ours: 'CNY', provider: 'USD' }]);
    expect(comparePayment(ours('SUCCEEDED', 500), { status: 'SUCCEEDED', amount: CNY(2000), refunded: CNY(700) })).toEqual([{ field: 'refunded', ours: '500', provider: '700' }]);
  });
});

describe('refundedOf and driftFingerprint', () => {
  it('sums only the attempt\'s refunds that went through', () => {
    const refunds = [
      { paymentId: 'p1', status: 'SUCCEEDED' as const, amount: CNY(300) },
      { paymentId: 'p1', status: 'PENDING' as const, amount: CNY(100) },
      { paymentId: 'p1', status: 'FAILED' as const, amount: CNY(100) },
      { paymentId: 'p2', status: 'SUCCEEDED' as const, amount: CNY(900) },
    ];
    expect(refundedOf({ paymentId: 'p1', amount: CNY(2000) }, refunds)).toEqual(CNY(300));
  });

  it('is the same for the same differences in any order, and differs for others', () => {
    const a = { field: 'status' as const, ours: 'PENDING', provider: 'SUCCEEDED' };
    const b = { field: 'amount' as const, ours: '2000', provider: '1999' };
    expect(driftFingerprint([a, b])).toBe(driftFingerprint([b, a]));
    expect(driftFingerprint([a])).not.toBe(driftFingerprint([{ ...a, provider: 'FAILED' }]));
  });
});
