import { z } from 'zod';
import { Channel, Order } from './order';
import { OrderStatus } from './order-status';

// Staff look-up of orders: what may be filtered on, and what a list returns.

/** A date (the whole UTC day) or a timestamp, normalised to the stored ISO form. */
const bound = (endOfDay: boolean) =>
  z
    .union([z.iso.datetime({ offset: true }), z.iso.date()])
    .transform((v) => (v.length === 10 ? `${v}T${endOfDay ? '23:59:59.999' : '00:00:00.000'}Z` : new Date(v).toISOString()));

export const ORDER_LOOKUP_FIELDS = {
  status: OrderStatus.optional(),
  channel: Channel.optional(),
  customerEmail: z.email().max(254).optional(),
  /** inclusive; a date means from its start */
  from: bound(false).optional(),
  /** inclusive; a date means to its end */
  to: bound(true).optional(),
};

export const rangeInOrder = (f: { from?: string; to?: string }) => !f.from || !f.to || f.from <= f.to;

export const OrderLookupFilter = z.strictObject(ORDER_LOOKUP_FIELDS).refine(rangeInOrder, { path: ['from'], message: 'must not be after to' });
export type OrderLookupFilter = z.infer<typeof OrderLookupFilter>;

export const OrderSummary = Order.pick({
  orderId: true, orderNumber: true, status: true, channel: true, externalRef: true, customer: true, totals: true, createdAt: true, updatedAt: true,
});
export type OrderSummary = z.infer<typeof OrderSummary>;
