import * as S from '../schemas-receipts';
import { RECEIPT_READERS, type RouteDef } from './common';

// The routes functions/receipts serves (its bundle carries these and no others).
export const RECEIPTS_ROUTES = {
  // --- payment vouchers (functions/receipts) ---
  getPaymentReceipt: {
    method: 'GET', path: '/orders/{orderId}/payments/{paymentId}/receipt', fn: 'receipts',
    summary: 'The voucher (支付憑證) of a succeeded payment: JSON, text/html or application/pdf by Accept',
    auth: RECEIPT_READERS, params: S.ReceiptPath,
    headers: [{ name: 'Accept', required: false, description: 'application/json, text/html or application/pdf (by q-value; JSON when none of them is named)' }],
    responses: {
      200: { description: 'The voucher, in the type asked for', schema: S.ReceiptResponse },
      404: { description: 'No such order or payment (or not yours), or the payment has not succeeded' },
    },
  },
  verifyReceipt: {
    method: 'GET', path: '/receipts/{verificationCode}', fn: 'receipts', auth: 'public', params: S.ReceiptCodePath,
    summary: 'Confirms a voucher by its verification code, without personal data',
    responses: {
      200: { description: 'The voucher is genuine', schema: S.ReceiptVerificationResponse },
      404: { description: 'No voucher has this code' },
    },
  },
} as const satisfies Record<string, RouteDef>;
