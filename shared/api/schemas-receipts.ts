import * as z from 'zod';
import { Receipt, ReceiptVerification } from '../payments/receipt';
import { lazySchema } from '../domain/lazy-schema';

// --- payment vouchers (re-exported by schemas.ts; routes/receipts.ts imports this module) ---

const Id = (what: string) => z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, `is not ${what}`);
export const ReceiptPath = lazySchema(() =>
  z.strictObject({ orderId: Id('an order id'), paymentId: Id('a payment id') }),
);
export const ReceiptCodePath = lazySchema(() =>
  z.strictObject({
    verificationCode: z.string().regex(/^[A-Za-z0-9_-]{1,64}\.[A-Za-z0-9_-]{20}$/, 'is not a verification code'),
  }),
);
export const ReceiptResponse = Receipt.meta({ id: 'Receipt' });
export const ReceiptVerificationResponse = ReceiptVerification.meta({ id: 'ReceiptVerification' });
