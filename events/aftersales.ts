import * as z from 'zod';
import { defineEvent } from './define-event';
import { ORDERS_SOURCE } from './orders';
import { Money } from './schemas';

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
  data: () => ReplacementFacts.extend({
    replacementOrderId: z.string(),
    replacementOrderNumber: z.string(),
    credit: Money,
    due: Money,
    refund: z.object({ refundId: z.string(), paymentId: z.string(), amount: Money }).optional(),
  }),
});

/**
 * The replacement cannot be placed yet: these SKUs are short (tried again when stock arrives).
 * `refusedOrderId` / `refusedOrderNumber`: it was placed, but that order was rejected at its
 * reservation (stock taken meanwhile), so it waits again.
 */
export const ReplacementDelayed = defineEvent({
  source: ORDERS_SOURCE,
  detailType: 'ReplacementDelayed',
  version: 1,
  data: () =>
    ReplacementFacts.extend({
      waitingFor: z.literal('stock'),
      skus: z.array(z.string()).min(1),
      refusedOrderId: z.string().optional(),
      refusedOrderNumber: z.string().optional(),
    }),
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
export const FeedbackReceived = defineEvent({ source: ORDERS_SOURCE, detailType: 'FeedbackReceived', version: 1, data: () => FeedbackFacts });
/** A customer rated a delivered order 1 or 2: customer service hears of it. */
export const PoorFeedbackReceived = defineEvent({ source: ORDERS_SOURCE, detailType: 'PoorFeedbackReceived', version: 1, data: () => FeedbackFacts });

export const AFTERSALES_EVENTS = [ReplacementPlaced, ReplacementDelayed, FeedbackReceived, PoorFeedbackReceived] as const;
