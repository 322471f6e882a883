import * as z from 'zod';
import { Money } from '../domain/money';
import { MoneySummary, Payment, Refund, RefundStatus } from '../domain/payment';
import { humanText } from '../domain/text';
import { PaymentMethod } from '../payments/port';
import { OrderIdPath } from './schemas-common';
import { lazySchema } from '../domain/lazy-schema';

// The payments routes' schemas (re-exported by schemas.ts; routes/payments.ts imports this
// module alone, so the payments function carries no other area's schemas).

export { OrderIdPath };
// payments and refunds as the order carries them too
export const PaymentResponse = Payment.meta({ id: 'Payment' });
export const RefundView = Refund.meta({ id: 'Refund' });
export const MoneySummaryView = MoneySummary.meta({ id: 'MoneySummary', description: 'Sums of the order\'s money ledger: paid, refunded, balance held' });
const opaqueId = (what: string) => z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, `is not a ${what} id`);
export const PaymentPath = OrderIdPath.extend({ paymentId: opaqueId('payment') });
export const RefundPath = OrderIdPath.extend({ refundId: opaqueId('refund') });
export const StartPaymentRequest = lazySchema(() =>
  z.strictObject({ method: PaymentMethod }).meta({ id: 'StartPaymentInput' }),
);
export const PaymentList = lazySchema(() =>
  z.object({ items: z.array(PaymentResponse), refunds: z.array(RefundView), money: MoneySummaryView }),
);
/** the bank's (or courier's) reference of money settled by hand */
export const ConfirmRequest = lazySchema(() =>
  z.strictObject({ reference: humanText({ max: 100 }) }).meta({ id: 'ConfirmInput' }),
);
export const RefundRequest = lazySchema(() =>
  z.strictObject({
    amount: Money.extend({ amount: z.int().min(1).max(Number.MAX_SAFE_INTEGER) }),
    reason: humanText({ max: 500, multiline: true }),
    paymentId: opaqueId('payment').optional(),
  }).meta({ id: 'RefundInput' }),
);
export const RefundAccepted = lazySchema(() =>
  z.object({ refundId: z.string(), paymentId: z.string(), amount: Money, status: RefundStatus }).meta({ id: 'RefundAccepted' }),
);
