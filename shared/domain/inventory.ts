import * as z from 'zod';
import { ConflictError } from './errors';
import { humanText } from './text';
import { lazySchema } from './lazy-schema';

export const ADJUSTMENT_REASONS = ['RECEIVED', 'COUNT', 'DAMAGED', 'RETURNED', 'OTHER'] as const;
export const AdjustmentReason = z.enum(ADJUSTMENT_REASONS);
export type AdjustmentReason = z.infer<typeof AdjustmentReason>;

// Stock locations (warehouses, stores). Ids travel in URLs and keys: a safe alphabet.
export const LocationId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/, 'must be 1-32 letters, digits, "_" or "-"');

export const AdjustmentInput = lazySchema(() =>
  z.strictObject({
    delta: z
      .int()
      .min(-1_000_000_000)
      .max(1_000_000_000)
      .refine((d) => d !== 0, 'must not be zero'),
    reason: AdjustmentReason,
    note: humanText({ max: 500, multiline: true }).optional(),
    /** where the stock is counted; the default location when absent */
    locationId: LocationId.optional(),
  }),
);
export type AdjustmentInput = z.infer<typeof AdjustmentInput>;

/** Invariant kept by the store's condition expressions: 0 <= reserved <= onHand, available = onHand - reserved. */
export const StockLevel = lazySchema(() =>
  z.object({
    sku: z.string(),
    onHand: z.int(),
    reserved: z.int(),
    available: z.int(),
  }),
);
export type StockLevel = z.infer<typeof StockLevel>;

export function emptyLevel(sku: string): StockLevel {
  return { sku, onHand: 0, reserved: 0, available: 0 };
}

/**
 * The level an adjustment would produce, or a 409 if it would take on-hand below
 * zero or below what is already reserved. The store enforces the same rule with a
 * condition (available >= |delta|), so this is the explanation, not the guard.
 */
export function applyAdjustment(level: StockLevel, delta: number): StockLevel {
  const onHand = level.onHand + delta;
  if (onHand < 0 || onHand < level.reserved) {
    throw adjustmentConflict(level, delta);
  }
  return { ...level, onHand, available: onHand - level.reserved };
}

export function adjustmentConflict(level: StockLevel, delta: number): ConflictError {
  return new ConflictError(
    `Adjusting ${level.sku} by ${delta} would leave ${level.onHand + delta} on hand with ${level.reserved} reserved`,
    { sku: level.sku, delta, onHand: level.onHand, reserved: level.reserved, available: level.available },
    'stock-conflict',
    'Stock conflict',
  );
}

export interface Demand {
  sku: string;
  quantity: number;
}

/**
 * Total quantity per SKU, in first-seen order. Two lines of the same SKU must be
 * checked against their sum, and a transaction may touch each stock item only once.
 */
export function summarizeDemand(lines: readonly Demand[]): Demand[] {
  const totals = new Map<string, number>();
  for (const { sku, quantity } of lines) totals.set(sku, (totals.get(sku) ?? 0) + quantity);
  return [...totals].map(([sku, quantity]) => ({ sku, quantity }));
}

export interface Shortage {
  sku: string;
  requested: number;
  available: number;
}

export function shortageReason(shortages: readonly Shortage[]): string {
  const parts = shortages.map((s) => `${s.sku} (requested ${s.requested}, available ${s.available})`);
  return `Insufficient stock: ${parts.join('; ')}`;
}


export const LocationInput = lazySchema(() =>
  z.strictObject({
    name: humanText({ max: 200 }),
    /** lower is preferred when choosing where an order ships from */
    priority: z.int().min(0).max(1_000_000),
  }),
);
export type LocationInput = z.infer<typeof LocationInput>;

export const Location = lazySchema(() =>
  LocationInput.unwrap().extend({ locationId: LocationId }),
);
export type Location = z.infer<typeof Location>;

export const LocationLevel = lazySchema(() =>
  StockLevel.unwrap().omit({ sku: true }).extend({ locationId: z.string() }),
);
export type LocationLevel = z.infer<typeof LocationLevel>;

/** Totals over all locations (what existing clients read) plus the per-location breakdown. */
export const StockDetail = lazySchema(() =>
  StockLevel.unwrap().extend({ locations: z.array(LocationLevel) }),
);
export type StockDetail = z.infer<typeof StockDetail>;

// RETURNED: units of a return put back on hand; DAMAGED: units of a return written off
// on arrival (a ledger entry only: they never become available).
export const MOVEMENTS = ['ADJUSTMENT', 'RESERVE', 'RELEASE', 'COMMIT', 'RETURNED', 'DAMAGED'] as const;
export const Movement = z.enum(MOVEMENTS);
export type Movement = z.infer<typeof Movement>;

/** How a movement changes the counters; available always moves by onHand - reserved. */
export function movementDeltas(movement: Movement, quantity: number): { onHand: number; reserved: number; available: number } {
  switch (movement) {
    case 'ADJUSTMENT':
      return { onHand: quantity, reserved: 0, available: quantity };
    case 'RESERVE':
      return { onHand: 0, reserved: quantity, available: -quantity };
    case 'RELEASE':
      return { onHand: 0, reserved: -quantity, available: quantity };
    case 'COMMIT':
      return { onHand: -quantity, reserved: -quantity, available: 0 };
    case 'RETURNED':
      return { onHand: quantity, reserved: 0, available: quantity };
    case 'DAMAGED':
      return { onHand: 0, reserved: 0, available: 0 };
  }
}

/** One line of the stock ledger: what moved, where, and why. */
export const LedgerEntry = lazySchema(() =>
  z.object({
    entryId: z.string(),
    at: z.iso.datetime(),
    sku: z.string(),
    locationId: z.string(),
    movement: Movement,
    /** units moved (negative only for an adjustment that removes stock) */
    quantity: z.int(),
    onHandDelta: z.int(),
    reservedDelta: z.int(),
    availableDelta: z.int(),
    cause: z.object({
      orderId: z.string().optional(),
      adjustmentId: z.string().optional(),
      returnId: z.string().optional(),
      reason: z.string().optional(),
      note: z.string().optional(),
    }),
    actor: z.string(),
  }),
);
export type LedgerEntry = z.infer<typeof LedgerEntry>;
