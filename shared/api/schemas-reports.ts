import * as z from 'zod';
import { Currency } from '../domain/money';
import { rangeInOrder } from '../domain/order-lookup';
import { ListQuery } from './schemas-common';

// --- reports (re-exported by schemas.ts; routes/reports.ts imports this module) ---

const ReportDay = z.iso.date();
/** A dated report's range: business days (workflow settings' time zone), both included, a year at most. */
const reportQuery = <G extends readonly [string, ...string[]]>(groupBy: G) =>
  z
    .strictObject({
      from: ReportDay,
      to: ReportDay,
      groupBy: z.enum(groupBy).optional(),
      currency: Currency.optional(),
      /** the same length of time just before, with the change in percent */
      compare: z.literal('previous').optional(),
      /** the first N rows by revenue (SKU and channel groups) */
      top: z.coerce.number().int().min(1).max(1000).optional(),
    })
    .refine(rangeInOrder, { path: ['from'], message: 'must not be after to' })
    .refine((q) => Date.parse(q.to) - Date.parse(q.from) <= 366 * 86_400_000, { path: ['to'], message: 'over 366 days' });
export const SalesReportQuery = reportQuery(['day', 'week', 'month', 'channel', 'sku']);
export const TimeReportQuery = reportQuery(['day', 'week', 'month']);
export type ReportQuery = z.output<typeof SalesReportQuery>;
/** The returns report: by time, by SKU (with the return rate) or by reason. */
export const ReturnsReportQuery = reportQuery(['day', 'week', 'month', 'sku', 'reason']);
export type ReturnsReportQuery = z.output<typeof ReturnsReportQuery>;
export const InventoryReportQuery = ListQuery;
