import * as z from 'zod';
import { defineEvent } from './define-event';
import { Channel, Money, OrderTotals, Shortage, StatusChange } from './schemas';

// The order's own events (source oms.orders): placed, reserved or rejected, and every
// status change of its lifecycle. Detail-types are PascalCase, past tense.

export const ORDERS_SOURCE = 'oms.orders';

const Quantities = z.array(z.object({ sku: z.string(), quantity: z.int().min(1) }));

export const OrderPlaced = defineEvent({
  source: ORDERS_SOURCE,
  detailType: 'OrderPlaced',
  version: 1,
  data: () => z.object({
    orderId: z.string(),
    orderNumber: z.string(),
    channel: Channel,
    customerId: z.string(),
    /** unitCost: the catalog cost at placement (absent on events published before it was captured) */
    lines: z.array(z.object({ sku: z.string(), quantity: z.int().min(1), unitPrice: Money, unitCost: Money.optional() })),
    totals: OrderTotals,
    placedAt: z.iso.datetime(),
    /** the country the order ships to (absent on events published before it was carried) */
    shippingCountry: z.string().optional(),
  }),
});

export const StockReserved = defineEvent({
  source: ORDERS_SOURCE,
  detailType: 'StockReserved',
  version: 1,
  data: () => z.object({
    orderId: z.string(),
    orderNumber: z.string(),
    reservations: Quantities,
    // The order as reserved, what review decides on (absent on events published before
    // they were carried, and when the reservation did not know them all): its version
    // after the reservation, channel, total, customer id, shipping country, SKUs and when
    // it was placed. Never the customer's email or address.
    version: z.int().min(1).optional(),
    channel: Channel.optional(),
    total: Money.optional(),
    customerId: z.string().optional(),
    shippingCountry: z.string().optional(),
    skus: z.array(z.string()).optional(),
    placedAt: z.iso.datetime().optional(),
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
  data: () => StatusChange.extend({
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
  data: () => StatusChange.extend({ paymentDueAt: z.iso.datetime() }),
});

export const OrderCancelled = defineEvent({
  source: ORDERS_SOURCE,
  detailType: 'OrderCancelled',
  version: 1,
  data: () => StatusChange,
});

/** Still unpaid at its payment deadline; its stock went back on sale. */
export const OrderExpired = defineEvent({
  source: ORDERS_SOURCE,
  detailType: 'OrderExpired',
  version: 1,
  data: () => StatusChange,
});

/** Money was taken and the order left before shipping: finance owes the customer. */
export const RefundRequested = defineEvent({
  source: ORDERS_SOURCE,
  detailType: 'RefundRequested',
  version: 1,
  data: () => StatusChange,
});

/** The workflow settings sent the order to a person; it waits IN_REVIEW. */
export const ReviewRequired = defineEvent({
  source: ORDERS_SOURCE,
  detailType: 'ReviewRequired',
  version: 1,
  data: () => z.object({
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
  defineEvent({ source: ORDERS_SOURCE, detailType, version: 1, data: () => StatusChange });
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
/** Some units shipped, others not yet: the order is PARTIALLY_SHIPPED. */
export const OrderPartiallyShipped = statusChange('OrderPartiallyShipped');
/** Some units delivered, others not yet: the order is PARTIALLY_DELIVERED. */
export const OrderPartiallyDelivered = statusChange('OrderPartiallyDelivered');

/** Every status change of the order: reserved, rejected, the lifecycle after reservation and partial shipping or delivery. */
export const ORDER_STATUS_EVENTS = [StockReserved, OrderRejected, ...ORDER_LIFECYCLE_EVENTS, OrderPartiallyShipped, OrderPartiallyDelivered] as const;
