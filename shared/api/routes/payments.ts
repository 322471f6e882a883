import * as S from '../schemas-payments';
import { ANY_ROLE } from '../../middleware/auth';
import { PAYERS, MONEY_STAFF, type RouteDef } from './common';

// The routes functions/payments serves (its bundle carries these and no others).
export const PAYMENTS_ROUTES = {
  // --- payments and refunds ---
  startPayment: {
    method: 'POST', path: '/orders/{orderId}/payments', fn: 'payments', summary: 'Start a payment attempt for the order total (one open attempt at a time)',
    auth: PAYERS, params: S.OrderIdPath, body: S.StartPaymentRequest,
    responses: {
      201: { description: 'The PENDING attempt and what the payer does next', schema: S.PaymentResponse, headers: ['location'] },
      404: { description: 'No such order (or not yours)' },
      409: { description: 'The order is not AWAITING_PAYMENT, or another attempt is open (the problem names it)' },
      502: { description: 'The provider did not accept the payment; the attempt is FAILED and a new one may start' },
    },
  },
  listPayments: {
    method: 'GET', path: '/orders/{orderId}/payments', fn: 'payments', summary: "The order's payment attempts, refunds and money (sums of its ledger)",
    auth: ANY_ROLE, params: S.OrderIdPath,
    responses: { 200: { description: 'Attempts, refunds, paid / refunded / balance', schema: S.PaymentList }, 404: { description: 'No such order (or not yours)' } },
  },
  confirmPayment: {
    method: 'POST', path: '/orders/{orderId}/payments/{paymentId}/confirm', fn: 'payments', summary: 'Finance confirms a bank transfer that arrived: the order is paid',
    auth: MONEY_STAFF, params: S.PaymentPath, body: S.ConfirmRequest,
    responses: {
      200: { description: 'The settled attempt', schema: S.PaymentResponse },
      404: { description: 'No such order or payment' },
      409: { description: 'Not a bank transfer, or already settled' },
    },
  },
  requestRefund: {
    method: 'POST', path: '/orders/{orderId}/refunds', fn: 'payments', summary: 'Refund part or all of what a payment captured',
    auth: MONEY_STAFF, params: S.OrderIdPath, body: S.RefundRequest,
    headers: [{ name: 'Idempotency-Key', required: false, description: 'A retried refund with the same key is made once and answered the same; same key + different body is 409.' }],
    responses: {
      201: { description: 'The PENDING refund; the provider completes it (manual methods: finance confirms it)', schema: S.RefundAccepted, headers: ['location'] },
      404: { description: 'No such order or payment' },
      409: { description: 'More than is still refundable (the problem says how much is), or Idempotency-Key reused with a different request' },
      422: { description: 'Currency differs from the payment' },
    },
  },
  confirmRefund: {
    method: 'POST', path: '/orders/{orderId}/refunds/{refundId}/confirm', fn: 'payments', summary: 'Finance confirms a refund paid back by hand (bank transfer, cash on delivery)',
    auth: MONEY_STAFF, params: S.RefundPath, body: S.ConfirmRequest,
    responses: {
      200: { description: 'The refund, SUCCEEDED', schema: S.RefundView },
      404: { description: 'No such order or refund' },
      409: { description: 'Not a manual refund, or not PENDING' },
    },
  },
} as const satisfies Record<string, RouteDef>;
