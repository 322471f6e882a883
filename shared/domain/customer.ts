import * as z from 'zod';
import { Money } from './money';

/**
 * A customer, created or matched by email (case-insensitive) on their first order.
 * `orderCount` and `lifetimeValue` count the orders that are still "live": an order
 * is added when placed and subtracted when it is rejected, cancelled or expired, so a
 * refused or abandoned order does not inflate the value. `lifetimeValue` has one entry
 * per currency. `lastOrder` is the most recently placed order, whatever became of it.
 */
export const Customer = z.object({
  customerId: z.string(),
  email: z.string(),
  name: z.string(),
  phone: z.string().optional(),
  orderCount: z.int(),
  lifetimeValue: z.array(Money),
  lastOrder: z.object({ orderId: z.string(), orderNumber: z.string(), placedAt: z.iso.datetime() }).optional(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type Customer = z.infer<typeof Customer>;

/** Order exits that take an order out of its customer's count and lifetime value. */
export const CUSTOMER_EXIT_EVENTS = ['OrderRejected', 'OrderCancelled', 'OrderExpired'] as const;
