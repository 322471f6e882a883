import * as z from 'zod';
import { summarizeDemand, type Demand, type Shortage } from './inventory';
import { lazySchema } from './lazy-schema';

// Replenishment and stock-location choice: arithmetic on numbers the caller has
// already read. Quantities are whole units; demand rates may be fractional.

// --- sales velocity: the one definition (the inventory report reads it too) ---

/** The window sales velocity is measured over. */
export const VELOCITY_WINDOW_DAYS = 28;

/** Units sold per day over the window (net units taken by orders): the one definition of sales velocity. */
export function salesVelocity(unitsSold: number, windowDays = VELOCITY_WINDOW_DAYS): number {
  return Math.max(0, unitsSold) / windowDays;
}

/** Days the available stock lasts at that velocity (null: nothing sells, it lasts). */
export function daysOfCover(available: number, velocity: number): number | null {
  if (velocity <= 0) return null;
  return Math.round((Math.max(0, available) / velocity) * 10) / 10;
}

export const ReorderSettings = lazySchema(() =>
  z.object({
    /** at or below this many sellable units, buy more */
    reorderPoint: z.int().min(0),
    /** days from purchase order to goods on the shelf */
    leadTimeDays: z.int().min(0),
    /** units kept for demand above the average during the lead time */
    safetyStock: z.int().min(0),
  }),
);
export type ReorderSettings = z.infer<typeof ReorderSettings>;

/** A product takes part in replenishment only once it has a reorder point. */
export function reorderSettingsOf(product: { reorderPoint?: number; leadTimeDays?: number; safetyStock?: number }): ReorderSettings | undefined {
  if (product.reorderPoint === undefined) return undefined;
  return { reorderPoint: product.reorderPoint, leadTimeDays: product.leadTimeDays ?? 0, safetyStock: product.safetyStock ?? 0 };
}

export const ReplenishmentInput = lazySchema(() =>
  z.object({
    sku: z.string(),
    /** sellable units: onHand - reserved (what a new order could still take) */
    available: z.int(),
    /** units already ordered from suppliers and not yet received; counted so we do not order twice */
    onOrder: z.int().min(0).default(0),
    settings: ReorderSettings,
    /** sales velocity: average units sold per day over the recent window (salesVelocity) */
    averageDailyDemand: z.number().min(0).refine(Number.isFinite, 'must be finite'),
  }),
);
export type ReplenishmentInput = z.input<typeof ReplenishmentInput>;

export const ReplenishmentAdvice = lazySchema(() =>
  z.object({
    sku: z.string(),
    /** available + onOrder: what the reorder point is compared with */
    position: z.int(),
    needsReorder: z.boolean(),
    /** 0 unless needsReorder */
    suggestedQuantity: z.int().min(0),
    /** days the available stock lasts at that velocity, as the inventory report shows it (null: nothing sells) */
    daysOfCover: z.number().nullable(),
  }),
);
export type ReplenishmentAdvice = z.infer<typeof ReplenishmentAdvice>;

// 1.1 * 10 is 11.000000000000002 in floating point; do not round that up to 12
const EPSILON = 1e-9;

/** Units needed to cover demand over `days`, rounded up to whole units. */
export function demandOver(days: number, averageDailyDemand: number): number {
  return Math.max(0, Math.ceil(averageDailyDemand * days - EPSILON));
}

/**
 * Classic reorder-point rule: when the stock position is at or below the reorder
 * point, order enough to cover the lead time's demand plus safety stock, and never
 * less than what lifts the position above the reorder point (else the next scan
 * would ask again for the same shortfall).
 */
export function assessReplenishment(input: ReplenishmentInput): ReplenishmentAdvice {
  const { sku, available, onOrder, settings, averageDailyDemand } = ReplenishmentInput.parse(input);
  const position = available + onOrder;
  const needsReorder = position <= settings.reorderPoint;
  const cover = daysOfCover(available, averageDailyDemand);
  if (!needsReorder) return { sku, position, needsReorder, suggestedQuantity: 0, daysOfCover: cover };
  const short = demandOver(settings.leadTimeDays, averageDailyDemand) + settings.safetyStock - position;
  const lift = settings.reorderPoint - position + 1;
  return { sku, position, needsReorder, suggestedQuantity: Math.max(short, lift), daysOfCover: cover };
}

/** True when a movement takes available from above the reorder point to at or below it: raise StockLow once, not on every sale. */
export function crossedReorderPoint(availableBefore: number, availableAfter: number, settings: Pick<ReorderSettings, 'reorderPoint'>): boolean {
  return availableBefore > settings.reorderPoint && availableAfter <= settings.reorderPoint;
}

/** The location every stock level starts in; it exists without being created (PUT /locations/MAIN renames or re-ranks it). */
export const DEFAULT_LOCATION_ID = 'MAIN';

export const StockLocation = lazySchema(() =>
  z.object({
    locationId: z.string().min(1),
    /** lower is preferred */
    priority: z.int(),
    /** available units per SKU at this location; a missing SKU has none */
    available: z.record(z.string(), z.int()),
  }),
);
export type StockLocation = z.infer<typeof StockLocation>;

/** Preferred first; ties broken by id so the choice never depends on read order. */
export function byPriority(locations: readonly StockLocation[]): StockLocation[] {
  return [...locations].sort((a, b) => a.priority - b.priority || (a.locationId < b.locationId ? -1 : a.locationId > b.locationId ? 1 : 0));
}

export function covers(location: StockLocation, demand: readonly Demand[]): boolean {
  return summarizeDemand(demand).every(({ sku, quantity }) => (location.available[sku] ?? 0) >= quantity);
}

/**
 * The first location by priority that can ship the whole order, or undefined.
 * An order is never split across locations here: one parcel, one reservation
 * transaction against one location's stock items.
 */
export function chooseLocation(locations: readonly StockLocation[], demand: readonly Demand[]): StockLocation | undefined {
  return byPriority(locations).find((l) => covers(l, demand));
}

export type ReservationPlan = { locationId: string } | { shortages: Shortage[] };

/**
 * Where an order should reserve: the first location by priority whose available stock
 * covers every line. When none does, the shortages are reported against the location
 * that covers most of the order's SKUs (ties by priority), so a rejection names what
 * is missing where the order came closest.
 */
export function planReservation(locations: readonly StockLocation[], demand: readonly Demand[]): ReservationPlan {
  const chosen = chooseLocation(locations, demand);
  if (chosen) return { locationId: chosen.locationId };
  const coveredSkus = (l: StockLocation) => demand.filter((d) => covers(l, [d])).length;
  const closest = byPriority(locations).reduce<StockLocation | undefined>(
    (best, l) => (best === undefined || coveredSkus(l) > coveredSkus(best) ? l : best),
    undefined,
  );
  const shortages = demand
    .map(({ sku, quantity }) => ({ sku, requested: quantity, available: Math.max(0, closest?.available[sku] ?? 0) }))
    .filter((s) => s.available < s.requested);
  return { shortages };
}
