import * as z from 'zod';

// The building blocks of the published contracts, declared here and nowhere else
// for events: the domain has its own (stricter, richer) schemas, and a change there
// must never change what consumers receive. test/unit/events/contract.test.ts checks
// that what the domain produces still fits these.

/** Integer minor units and an ISO 4217 code. */
export const Money = z.strictObject({ amount: z.int().min(0).max(Number.MAX_SAFE_INTEGER), currency: z.string().regex(/^[A-Z]{3}$/) });

// `exchange` (added with exchanges): the replacement order of an exchange or a claim's reship
export const Channel = z.enum(['web', 'app', 'phone', 'email', 'marketplace', 'store', 'exchange']);

export const OrderStatus = z.enum([
  'PENDING', 'IN_REVIEW', 'AWAITING_PAYMENT', 'PAID', 'FULFILLING', 'SHIPPED', 'DELIVERED', 'COMPLETED',
  'REJECTED', 'CANCELLED', 'EXPIRED',
  'PARTIALLY_SHIPPED', 'PARTIALLY_DELIVERED',
]);

export const OrderTotals = z.object({ subtotal: Money, credit: Money.optional(), total: Money });

/** A SKU the order asked for more of than any one stock location had. */
export const Shortage = z.object({ sku: z.string(), requested: z.int(), available: z.int() });

export const AdjustmentReason = z.enum(['RECEIVED', 'COUNT', 'DAMAGED', 'RETURNED', 'OTHER']);

/** Who moved an order from which status to which, and why. */
export const StatusChange = z.object({
  orderId: z.string(),
  orderNumber: z.string(),
  previousStatus: OrderStatus,
  status: OrderStatus,
  /** `role:principal` or `system:<job>` */
  actor: z.string(),
  reason: z.string().optional(),
  /** money was taken and the order left before shipping: finance owes the customer */
  refundDue: z.boolean(),
});
