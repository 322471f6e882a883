import * as z from 'zod';
import { ValidationError } from './errors';
import { Channel, Order } from './order';
import { OrderStatus } from './order-status';
import { lazySchema } from './lazy-schema';

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
  from: bound(false)
    .optional()
    .meta({ description: 'Inclusive; a date means its start (UTC). Without status, customerEmail or channel: at most 366 days before `to`; defaults to 12 months before it.' }),
  /** inclusive; a date means to its end; later than now reads as now */
  to: bound(true).optional().meta({ description: 'Inclusive; a date means its end (UTC); anything later than now reads as now.' }),
};

export const rangeInOrder = (f: { from?: string; to?: string }) => !f.from || !f.to || f.from <= f.to;

export const OrderLookupFilter = lazySchema(() =>
  z.strictObject(ORDER_LOOKUP_FIELDS).refine(rangeInOrder, { path: ['from'], message: 'must not be after to' }),
);
export type OrderLookupFilter = z.infer<typeof OrderLookupFilter>;

export const OrderSummary = lazySchema(() =>
  Order.unwrap().pick({
    orderId: true, orderNumber: true, status: true, channel: true, externalRef: true, customer: true, totals: true, createdAt: true, updatedAt: true,
  }),
);
export type OrderSummary = z.infer<typeof OrderSummary>;

/** A date-only look-up walks one index partition per month: it may span at most this many days. */
export const MAX_DATE_RANGE_DAYS = 366;
/** Without `from`, the date-only listing looks back this many months. */
export const DEFAULT_LOOKBACK_MONTHS = 12;

/** No status, email or channel: the look-up is served by the month partitions. */
export const isDateListing = (f: OrderLookupFilter) => !f.status && !f.customerEmail && !f.channel;

/**
 * The creation-time range a look-up covers. `to` is clamped to now (no order is
 * created later). The date-only listing walks one partition per month, so it gets a
 * lower bound (12 months back by default) and may span at most MAX_DATE_RANGE_DAYS;
 * the other look-ups read one index partition and take any range.
 */
export function lookupRange(f: OrderLookupFilter, now: Date): { from?: string; to: string } {
  const nowIso = now.toISOString();
  const to = f.to === undefined || f.to > nowIso ? nowIso : f.to;
  if (f.from !== undefined && f.from > to) {
    throw new ValidationError('The range starts in the future', [{ path: 'query.from', message: 'must not be after now' }]);
  }
  if (!isDateListing(f)) return { ...(f.from !== undefined ? { from: f.from } : {}), to };
  if (f.from === undefined) {
    const d = new Date(to);
    d.setUTCMonth(d.getUTCMonth() - DEFAULT_LOOKBACK_MONTHS);
    return { from: d.toISOString(), to };
  }
  if (Date.parse(to) - Date.parse(f.from) > MAX_DATE_RANGE_DAYS * 86_400_000) {
    throw new ValidationError(`A date range may span at most ${MAX_DATE_RANGE_DAYS} days (filter by status, customerEmail or channel for longer ones)`, [
      { path: 'query.from', message: `must be at most ${MAX_DATE_RANGE_DAYS} days before to (or now)` },
    ]);
  }
  return { from: f.from, to };
}
