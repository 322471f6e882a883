import * as z from 'zod';
import type { StockLevel } from './inventory';
import { lazySchema } from './lazy-schema';

// A scheduled job compares each SKU's stored counters with the reservations that
// should explain them. The conditional writes make drift impossible in theory; this
// is how we find out if practice disagrees (a bug, a manual edit, a lost release),
// and we report it rather than quietly "fixing" the numbers.

export const LiveReservation = lazySchema(() =>
  z.object({ orderId: z.string().min(1), quantity: z.int().min(1) }),
);
export type LiveReservation = z.infer<typeof LiveReservation>;

export const DRIFT_CODES = [
  'reserved-drift', 'available-mismatch', 'negative-reserved', 'reserved-above-on-hand', 'duplicate-reservation',
  'location-sum-mismatch',
] as const;

export const StockProblem = lazySchema(() =>
  z.object({ code: z.enum(DRIFT_CODES), message: z.string() }),
);
export type StockProblem = z.infer<typeof StockProblem>;

export const ReconciliationReport = lazySchema(() =>
  z.object({
    sku: z.string(),
    onHand: z.int(),
    reserved: z.int(),
    available: z.int(),
    /** what `reserved` should be: the sum of the SKU's live reservations */
    expectedReserved: z.int(),
    /** reserved - expectedReserved: positive means stock is held by nobody, negative means oversold risk */
    drift: z.int(),
    liveReservations: z.int(),
    ok: z.boolean(),
    problems: z.array(StockProblem),
  }),
);
export type ReconciliationReport = z.infer<typeof ReconciliationReport>;

export function reconcile(level: StockLevel, reservations: readonly LiveReservation[]): ReconciliationReport {
  const expectedReserved = reservations.reduce((n, r) => n + r.quantity, 0);
  const drift = level.reserved - expectedReserved;
  const problems: StockProblem[] = [];

  if (drift !== 0) {
    problems.push({
      code: 'reserved-drift',
      message: `${level.sku}: reserved is ${level.reserved} but live reservations add up to ${expectedReserved} (${drift > 0 ? '+' : ''}${drift})`,
    });
  }
  if (level.available !== level.onHand - level.reserved) {
    problems.push({
      code: 'available-mismatch',
      message: `${level.sku}: available is ${level.available}, expected onHand ${level.onHand} - reserved ${level.reserved} = ${level.onHand - level.reserved}`,
    });
  }
  if (level.reserved < 0) {
    problems.push({ code: 'negative-reserved', message: `${level.sku}: reserved is negative (${level.reserved})` });
  }
  if (level.reserved > level.onHand) {
    problems.push({ code: 'reserved-above-on-hand', message: `${level.sku}: reserved ${level.reserved} exceeds on hand ${level.onHand}` });
  }
  // an order holds one reservation per SKU; two mean a double reserve somewhere
  const seen = new Set<string>();
  for (const { orderId } of reservations) {
    if (seen.has(orderId)) {
      problems.push({ code: 'duplicate-reservation', message: `${level.sku}: order ${orderId} holds more than one reservation` });
    }
    seen.add(orderId);
  }

  return {
    sku: level.sku,
    onHand: level.onHand,
    reserved: level.reserved,
    available: level.available,
    expectedReserved,
    drift,
    liveReservations: reservations.length,
    ok: problems.length === 0,
    problems,
  };
}

/**
 * The SKU's total must be the sum of its locations' levels (every movement moves
 * both in one transaction). Problems are reported, never corrected.
 */
export function reconcileLocations(total: StockLevel, locations: readonly Omit<StockLevel, 'sku'>[]): StockProblem[] {
  const sum = (k: 'onHand' | 'reserved' | 'available') => locations.reduce((n, l) => n + l[k], 0);
  return (['onHand', 'reserved', 'available'] as const)
    .filter((k) => total[k] !== sum(k))
    .map((k) => ({
      code: 'location-sum-mismatch' as const,
      message: `${total.sku}: total ${k} is ${total[k]} but its locations add up to ${sum(k)}`,
    }));
}
