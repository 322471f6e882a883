import * as z from 'zod';
import { defineEvent } from './define-event';
import { AdjustmentReason, Channel, Money, OrderTotals, Shortage, StatusChange } from './schemas';

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
    lines: z.array(z.object({ sku: z.string(), quantity: z.int().min(1), unitPrice: Money })),
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

/** The daily replenishment run: buy this much of a product that is at or below its reorder point. */
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

export const EVENTS = [OrderPlaced, StockReserved, OrderRejected, ...ORDER_LIFECYCLE_EVENTS, StockAdjusted, StockLow, ReplenishmentNeeded, StockDriftDetected] as const;
