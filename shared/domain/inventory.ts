import { z } from 'zod';
import { ConflictError } from './errors';

export const ADJUSTMENT_REASONS = ['RECEIVED', 'COUNT', 'DAMAGED', 'RETURNED', 'OTHER'] as const;
export const AdjustmentReason = z.enum(ADJUSTMENT_REASONS);
export type AdjustmentReason = z.infer<typeof AdjustmentReason>;

export const AdjustmentInput = z.strictObject({
  delta: z
    .int()
    .min(-1_000_000_000)
    .max(1_000_000_000)
    .refine((d) => d !== 0, 'must not be zero'),
  reason: AdjustmentReason,
  note: z.string().max(500).optional(),
});
export type AdjustmentInput = z.infer<typeof AdjustmentInput>;

/** Invariant kept by the store's condition expressions: 0 <= reserved <= onHand, available = onHand - reserved. */
export const StockLevel = z.object({
  sku: z.string(),
  onHand: z.int(),
  reserved: z.int(),
  available: z.int(),
});
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
