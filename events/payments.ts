import * as z from 'zod';
import { defineEvent } from './define-event';
import { Money, OrderStatus } from './schemas';

// --- Payments and refunds (source oms.payments) -----------------------------------
// Money facts of an order: an attempt settled, failed or did not match; a refund
// started, went through or failed. OrderPaid (orders.ts) travels with PaymentSucceeded
// when the payment settles the order.

export const PAYMENTS_SOURCE = 'oms.payments';

const PaymentMethod = z.enum(['card', 'alipay', 'wechatpay', 'bank_transfer', 'cod']);
const PaymentProvider = z.enum(['stripe', 'alipay', 'wechatpay', 'manual']);
const PaymentStatus = z.enum(['PENDING', 'SUCCEEDED', 'FAILED', 'CANCELLED', 'EXPIRED']);
const PaymentFacts = z.object({
  orderId: z.string(),
  orderNumber: z.string(),
  paymentId: z.string(),
  method: PaymentMethod,
  provider: PaymentProvider,
  /** `role:principal` or `system:<job>` */
  actor: z.string(),
});
const RefundFacts = z.object({
  orderId: z.string(),
  orderNumber: z.string(),
  refundId: z.string(),
  paymentId: z.string(),
  provider: PaymentProvider,
  amount: Money,
  actor: z.string(),
});

/** The attempt's money arrived and matched it (amount, currency, merchant). */
export const PaymentSucceeded = defineEvent({
  source: PAYMENTS_SOURCE,
  detailType: 'PaymentSucceeded',
  version: 1,
  data: () => PaymentFacts.extend({ amount: Money, providerRef: z.string().optional() }),
});

/** The attempt failed, was cancelled or was replaced; the order still awaits payment. */
export const PaymentFailed = defineEvent({
  source: PAYMENTS_SOURCE,
  detailType: 'PaymentFailed',
  version: 1,
  data: () => PaymentFacts.extend({ status: z.enum(['FAILED', 'CANCELLED', 'EXPIRED']), reason: z.string() }),
});

/** A reported payment that does not match its attempt: the order stays unpaid; finance looks at it. */
export const PaymentFlagged = defineEvent({
  source: PAYMENTS_SOURCE,
  detailType: 'PaymentFlagged',
  version: 1,
  data: () => PaymentFacts.extend({
    problems: z.array(z.enum(['short', 'over', 'currency', 'merchant', 'amount-missing'])).min(1),
    expected: Money,
    reported: Money.optional(),
    merchant: z.object({ appId: z.string().optional(), merchantId: z.string().optional() }).optional(),
  }),
});

/** Money arrived for an order that was closed (or already paid): it is refunded in full automatically. */
export const LatePaymentReceived = defineEvent({
  source: PAYMENTS_SOURCE,
  detailType: 'LatePaymentReceived',
  version: 1,
  data: () => PaymentFacts.extend({ amount: Money, orderStatus: OrderStatus, refundId: z.string() }),
});

/** A refund was recorded as PENDING; the refund step hands it to the provider (manual providers: finance settles it). */
export const RefundStarted = defineEvent({
  source: PAYMENTS_SOURCE,
  detailType: 'RefundStarted',
  version: 1,
  data: () => RefundFacts.extend({
    reasonCode: z.enum(['REQUESTED', 'ORDER_CANCELLED', 'PAYMENT_AFTER_CLOSE', 'DUPLICATE_PAYMENT', 'RETURNED', 'CLAIM']),
    reason: z.string(),
    /** the return or claim the refund settles */
    returnId: z.string().optional(),
    automatic: z.boolean(),
  }),
});

/** The refund went through: the ledger holds its refund entry. */
export const RefundIssued = defineEvent({
  source: PAYMENTS_SOURCE,
  detailType: 'RefundIssued',
  version: 1,
  data: () => RefundFacts.extend({ providerRefundRef: z.string().optional(), reference: z.string().optional() }),
});

/** The provider refused the refund: the amount is refundable again; finance decides. */
export const RefundFailed = defineEvent({
  source: PAYMENTS_SOURCE,
  detailType: 'RefundFailed',
  version: 1,
  data: () => RefundFacts.extend({ reason: z.string() }),
});

/** Reconciliation found the provider disagreeing with our attempt; nothing was changed, finance decides. */
export const PaymentDriftDetected = defineEvent({
  source: PAYMENTS_SOURCE,
  detailType: 'PaymentDriftDetected',
  version: 1,
  data: () => PaymentFacts.extend({
    /** our attempt's status; the provider's is in the `status` drift when it differs */
    status: PaymentStatus,
    drifts: z.array(z.object({ field: z.enum(['status', 'amount', 'currency', 'refunded']), ours: z.string(), provider: z.string() })).min(1),
  }),
});

export const PAYMENT_EVENTS = [
  PaymentSucceeded, PaymentFailed, PaymentFlagged, LatePaymentReceived, RefundStarted, RefundIssued, RefundFailed, PaymentDriftDetected,
] as const;
