import * as z from 'zod';
import { defineEvent } from './define-event';
import { AdjustmentReason, Channel, Money, OrderStatus, OrderTotals, Shortage, StatusChange } from './schemas';

// Every event the system publishes. Sources: oms.orders (order lifecycle) and
// oms.inventory (stock). Detail-types are PascalCase, past tense.

export const ORDERS_SOURCE = 'oms.orders';
export const INVENTORY_SOURCE = 'oms.inventory';

const Quantities = z.array(z.object({ sku: z.string(), quantity: z.int().min(1) }));

export const OrderPlaced = defineEvent({
  source: ORDERS_SOURCE,
  detailType: 'OrderPlaced',
  version: 1,
  data: z.object({
    orderId: z.string(),
    orderNumber: z.string(),
    channel: Channel,
    customerId: z.string(),
    /** unitCost: the catalog cost at placement (absent on events published before it was captured) */
    lines: z.array(z.object({ sku: z.string(), quantity: z.int().min(1), unitPrice: Money, unitCost: Money.optional() })),
    totals: OrderTotals,
    placedAt: z.iso.datetime(),
  }),
});

export const StockReserved = defineEvent({
  source: ORDERS_SOURCE,
  detailType: 'StockReserved',
  version: 1,
  data: z.object({
    orderId: z.string(),
    orderNumber: z.string(),
    reservations: Quantities,
  }),
});

/**
 * The order was refused: by the reservation (some SKU short at every location:
 * `shortages` lists them, `actor` is the reservation step) or by a reviewer
 * (`shortages` is empty). One shape for both, so consumers read it one way.
 */
export const OrderRejected = defineEvent({
  source: ORDERS_SOURCE,
  detailType: 'OrderRejected',
  version: 1,
  data: StatusChange.extend({
    reason: z.string(),
    shortages: z.array(Shortage),
  }),
});

// --- Order lifecycle after reservation ----------------------------------------
// One shape for every status change (StatusChange): who moved the order from where
// to where, and why.

/** Approved by a person or by the workflow settings; payment is due by `paymentDueAt`. */
export const OrderApproved = defineEvent({
  source: ORDERS_SOURCE,
  detailType: 'OrderApproved',
  version: 1,
  data: StatusChange.extend({ paymentDueAt: z.iso.datetime() }),
});

export const OrderCancelled = defineEvent({
  source: ORDERS_SOURCE,
  detailType: 'OrderCancelled',
  version: 1,
  data: StatusChange,
});

/** Still unpaid at its payment deadline; its stock went back on sale. */
export const OrderExpired = defineEvent({
  source: ORDERS_SOURCE,
  detailType: 'OrderExpired',
  version: 1,
  data: StatusChange,
});

/** Money was taken and the order left before shipping: finance owes the customer. */
export const RefundRequested = defineEvent({
  source: ORDERS_SOURCE,
  detailType: 'RefundRequested',
  version: 1,
  data: StatusChange,
});

/** The workflow settings sent the order to a person; it waits IN_REVIEW. */
export const ReviewRequired = defineEvent({
  source: ORDERS_SOURCE,
  detailType: 'ReviewRequired',
  version: 1,
  data: z.object({
    orderId: z.string(),
    orderNumber: z.string(),
    /** codes of the review rules that matched (review-policy.ts REVIEW_REASONS) */
    rules: z.array(z.string()).min(1),
    reasons: z.array(z.string()).min(1),
  }),
});

// Later steps of the same machine (payments, shipping): same shape, so the transition
// table can grow into them without a new contract.
const statusChange = <D extends string>(detailType: D) =>
  defineEvent({ source: ORDERS_SOURCE, detailType, version: 1, data: StatusChange });
export const OrderPaid = statusChange('OrderPaid');
export const FulfillmentStarted = statusChange('FulfillmentStarted');
export const OrderShipped = statusChange('OrderShipped');
export const OrderDelivered = statusChange('OrderDelivered');
export const OrderCompleted = statusChange('OrderCompleted');

/** Status changes after reservation; OrderRejected (above) also comes from a reviewer. */
export const ORDER_LIFECYCLE_EVENTS = [
  OrderApproved, OrderCancelled, OrderExpired, RefundRequested, ReviewRequired,
  OrderPaid, FulfillmentStarted, OrderShipped, OrderDelivered, OrderCompleted,
] as const;

export const StockAdjusted = defineEvent({
  source: INVENTORY_SOURCE,
  detailType: 'StockAdjusted',
  version: 1,
  data: z.object({
    sku: z.string(),
    adjustmentId: z.string(),
    delta: z.int(),
    reason: AdjustmentReason,
    note: z.string().optional(),
    actor: z.string(),
    /** absent on events published before stock locations existed */
    locationId: z.string().optional(),
  }),
});

/** Available stock fell to or below the product's reorder point (once per crossing). */
export const StockLow = defineEvent({
  source: INVENTORY_SOURCE,
  detailType: 'StockLow',
  version: 1,
  data: z.object({
    sku: z.string(),
    onHand: z.int(),
    reserved: z.int(),
    available: z.int(),
    reorderPoint: z.int(),
  }),
});

/** The daily replenishment run: buy this much of a product that fell to or below its reorder point (once per crossing). */
export const ReplenishmentNeeded = defineEvent({
  source: INVENTORY_SOURCE,
  detailType: 'ReplenishmentNeeded',
  version: 1,
  data: z.object({
    sku: z.string(),
    available: z.int(),
    reorderPoint: z.int(),
    leadTimeDays: z.int(),
    safetyStock: z.int(),
    averageDailyDemand: z.number(),
    suggestedQuantity: z.int().min(1),
    /** days the available stock lasts at averageDailyDemand (null: nothing sells); absent on older events */
    daysOfCover: z.number().nullable().optional(),
  }),
});

/** Reconciliation found stored counters that live reservations do not explain. Nothing was corrected. */
export const StockDriftDetected = defineEvent({
  source: INVENTORY_SOURCE,
  detailType: 'StockDriftDetected',
  version: 1,
  data: z.object({
    sku: z.string(),
    /** the location whose counters disagree, or absent for the SKU's total */
    locationId: z.string().optional(),
    onHand: z.int(),
    reserved: z.int(),
    available: z.int(),
    expectedReserved: z.int(),
    drift: z.int(),
    problems: z.array(z.object({ code: z.string(), message: z.string() })),
  }),
});

// --- Payments and refunds (source oms.payments) -----------------------------------
// Money facts of an order: an attempt settled, failed or did not match; a refund
// started, went through or failed. OrderPaid (above) travels with PaymentSucceeded
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
  data: PaymentFacts.extend({ amount: Money, providerRef: z.string().optional() }),
});

/** The attempt failed, was cancelled or was replaced; the order still awaits payment. */
export const PaymentFailed = defineEvent({
  source: PAYMENTS_SOURCE,
  detailType: 'PaymentFailed',
  version: 1,
  data: PaymentFacts.extend({ status: z.enum(['FAILED', 'CANCELLED', 'EXPIRED']), reason: z.string() }),
});

/** A reported payment that does not match its attempt: the order stays unpaid; finance looks at it. */
export const PaymentFlagged = defineEvent({
  source: PAYMENTS_SOURCE,
  detailType: 'PaymentFlagged',
  version: 1,
  data: PaymentFacts.extend({
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
  data: PaymentFacts.extend({ amount: Money, orderStatus: OrderStatus, refundId: z.string() }),
});

/** A refund was recorded as PENDING; the refund step hands it to the provider (manual providers: finance settles it). */
export const RefundStarted = defineEvent({
  source: PAYMENTS_SOURCE,
  detailType: 'RefundStarted',
  version: 1,
  data: RefundFacts.extend({
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
  data: RefundFacts.extend({ providerRefundRef: z.string().optional(), reference: z.string().optional() }),
});

/** The provider refused the refund: the amount is refundable again; finance decides. */
export const RefundFailed = defineEvent({
  source: PAYMENTS_SOURCE,
  detailType: 'RefundFailed',
  version: 1,
  data: RefundFacts.extend({ reason: z.string() }),
});

/** Reconciliation found the provider disagreeing with our attempt; nothing was changed, finance decides. */
export const PaymentDriftDetected = defineEvent({
  source: PAYMENTS_SOURCE,
  detailType: 'PaymentDriftDetected',
  version: 1,
  data: PaymentFacts.extend({
    /** our attempt's status; the provider's is in the `status` drift when it differs */
    status: PaymentStatus,
    drifts: z.array(z.object({ field: z.enum(['status', 'amount', 'currency', 'refunded']), ours: z.string(), provider: z.string() })).min(1),
  }),
});

export const PAYMENT_EVENTS = [
  PaymentSucceeded, PaymentFailed, PaymentFlagged, LatePaymentReceived, RefundStarted, RefundIssued, RefundFailed, PaymentDriftDetected,
] as const;

// --- Outbound: fulfilments and shipments (source oms.orders) ---

/** Some units shipped, others not yet: the order is PARTIALLY_SHIPPED. */
export const OrderPartiallyShipped = statusChange('OrderPartiallyShipped');
/** Some units delivered, others not yet: the order is PARTIALLY_DELIVERED. */
export const OrderPartiallyDelivered = statusChange('OrderPartiallyDelivered');

const OutboundUnits = z.array(z.object({ sku: z.string(), quantity: z.int().min(1) }));

/** New outbound work for the warehouse: pick and pack these units at these locations. */
export const FulfillmentCreated = defineEvent({
  source: ORDERS_SOURCE,
  detailType: 'FulfillmentCreated',
  version: 1,
  data: z.object({
    orderId: z.string(),
    orderNumber: z.string(),
    fulfillmentId: z.string(),
    lines: z.array(z.object({ sku: z.string(), quantity: z.int().min(1), locationId: z.string() })),
    actor: z.string(),
  }),
});

/** A parcel left with a carrier: its tracking number and what it holds. */
export const ShipmentCreated = defineEvent({
  source: ORDERS_SOURCE,
  detailType: 'ShipmentCreated',
  version: 1,
  data: z.object({
    orderId: z.string(),
    orderNumber: z.string(),
    shipmentId: z.string(),
    carrier: z.string(),
    /** Kuaidi100's courier company code, when ops gave one */
    courier: z.string().optional(),
    trackingNumber: z.string(),
    lines: OutboundUnits,
    actor: z.string(),
  }),
});

export const OUTBOUND_EVENTS = [OrderPartiallyShipped, OrderPartiallyDelivered, FulfillmentCreated, ShipmentCreated] as const;

// --- Shipment tracking (source oms.shipping) -----------------------------------------
// A parcel's normalized status moved, from carriers' tracking reports (applied in any
// order: a move is published once, when the status it derives changes).

export const SHIPPING_SOURCE = 'oms.shipping';

const ShipmentStatus = z.enum([
  'LABEL_CREATED', 'PICKED_UP', 'IN_TRANSIT', 'EXCEPTION', 'DELIVERY_FAILED', 'OUT_FOR_DELIVERY', 'READY_FOR_PICKUP', 'RETURNING', 'DELIVERED', 'RETURNED',
]);
const ShipmentStatusFacts = z.object({
  orderId: z.string(),
  shipmentId: z.string(),
  trackingNumber: z.string(),
  carrier: z.enum(['aftership', 'easypost', 'kuaidi100', '17track', 'sandbox']),
  previousStatus: ShipmentStatus,
  status: ShipmentStatus,
  /** the carrier's event time of the report that moved it */
  at: z.iso.datetime({ offset: true }),
});

/** A shipment's tracking status moved (DELIVERED settles the order's lines). */
export const ShipmentStatusChanged = defineEvent({
  source: SHIPPING_SOURCE,
  detailType: 'ShipmentStatusChanged',
  version: 1,
  data: ShipmentStatusFacts,
});

/**
 * The same move, when it is to EXCEPTION or DELIVERY_FAILED: published beside
 * ShipmentStatusChanged so notification settings (which route by detail-type) can send
 * it to customer service.
 */
export const ShipmentExceptionReported = defineEvent({
  source: SHIPPING_SOURCE,
  detailType: 'ShipmentExceptionReported',
  version: 1,
  data: ShipmentStatusFacts.extend({ status: z.enum(['EXCEPTION', 'DELIVERY_FAILED']) }),
});

export const SHIPPING_EVENTS = [ShipmentStatusChanged, ShipmentExceptionReported] as const;

// --- After-sales: returns and claims (source oms.orders) ------------------------------
// A return (RMA) or claim moved: requested, approved (by a person or the rules),
// rejected, received (with the stock restocked or written off, and its refund), closed.

const ReturnFacts = z.object({
  orderId: z.string(),
  orderNumber: z.string(),
  returnId: z.string(),
  type: z.enum(['return', 'exchange', 'claim']),
  status: z.enum(['REQUESTED', 'APPROVED', 'REJECTED', 'RECEIVED', 'REFUNDED', 'CLOSED']),
  lines: z.array(z.object({ sku: z.string(), quantity: z.int().min(1), reason: z.string() })),
  actor: z.string(),
  refund: z.object({ refundId: z.string(), paymentId: z.string(), amount: Money }).optional(),
});

const returnEvent = <T extends string, D extends z.ZodRawShape>(detailType: T, extra: D) =>
  defineEvent({ source: ORDERS_SOURCE, detailType, version: 1, data: ReturnFacts.extend(extra) });

export const ReturnRequested = returnEvent('ReturnRequested', { note: z.string().optional() });
export const ReturnApproved = returnEvent('ReturnApproved', { automatic: z.boolean().optional() });
export const ReturnRejected = returnEvent('ReturnRejected', { reason: z.string().optional() });
/** The parcel arrived at `locationId`: resellable units RETURNED to stock, damaged ones written off (DAMAGED). */
export const ReturnReceived = returnEvent('ReturnReceived', { locationId: z.string().optional() });
export const ReturnClosed = returnEvent('ReturnClosed', {});

export const RETURN_EVENTS = [ReturnRequested, ReturnApproved, ReturnRejected, ReturnReceived, ReturnClosed] as const;

// --- After-sales: exchanges, reships and feedback (source oms.orders) ------------------
// An exchange's (or a reshipped claim's) replacement order placed, or waiting for stock;
// a customer's rating of a delivered order.

const ReplacementFacts = z.object({
  orderId: z.string(),
  orderNumber: z.string(),
  returnId: z.string(),
  type: z.enum(['return', 'exchange', 'claim']),
  /** what the replacement carries */
  lines: z.array(z.object({ sku: z.string(), quantity: z.int().min(1) })),
  actor: z.string(),
});

/** The replacement order was placed (channel exchange): its credit, what is left to pay, a difference refunded. */
export const ReplacementPlaced = defineEvent({
  source: ORDERS_SOURCE,
  detailType: 'ReplacementPlaced',
  version: 1,
  data: ReplacementFacts.extend({
    replacementOrderId: z.string(),
    replacementOrderNumber: z.string(),
    credit: Money,
    due: Money,
    refund: z.object({ refundId: z.string(), paymentId: z.string(), amount: Money }).optional(),
  }),
});

/** The replacement cannot be placed yet: these SKUs are short (tried again when stock arrives). */
export const ReplacementDelayed = defineEvent({
  source: ORDERS_SOURCE,
  detailType: 'ReplacementDelayed',
  version: 1,
  data: ReplacementFacts.extend({ waitingFor: z.literal('stock'), skus: z.array(z.string()).min(1) }),
});

const FeedbackFacts = z.object({
  orderId: z.string(),
  orderNumber: z.string(),
  customerId: z.string(),
  rating: z.int().min(1).max(5),
  comment: z.string().optional(),
  skus: z.array(z.string()),
  actor: z.string(),
});

/** A customer rated a delivered order 3 to 5 (once per order). */
export const FeedbackReceived = defineEvent({ source: ORDERS_SOURCE, detailType: 'FeedbackReceived', version: 1, data: FeedbackFacts });
/** A customer rated a delivered order 1 or 2: customer service hears of it. */
export const PoorFeedbackReceived = defineEvent({ source: ORDERS_SOURCE, detailType: 'PoorFeedbackReceived', version: 1, data: FeedbackFacts });

export const AFTERSALES_EVENTS = [ReplacementPlaced, ReplacementDelayed, FeedbackReceived, PoorFeedbackReceived] as const;

export const EVENTS = [
  OrderPlaced, StockReserved, OrderRejected, ...ORDER_LIFECYCLE_EVENTS, StockAdjusted, StockLow, ReplenishmentNeeded, StockDriftDetected, ...PAYMENT_EVENTS,
  ...OUTBOUND_EVENTS, ...SHIPPING_EVENTS, ...RETURN_EVENTS, ...AFTERSALES_EVENTS,
] as const;
