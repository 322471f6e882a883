import type { ChangeSet } from './decision';
import type { AdjustmentInput, StockLevel } from './inventory';
import type { ReorderSettings } from './replenishment';
import { DEFAULT_LOCATION_ID } from './replenishment';

// Stock decisions as change sets for the one writer: adjustments and the
// below-reorder-point flag. Levels move only in the writer's conditioned updates.

export interface Adjustment extends AdjustmentInput {
  sku: string;
  /** actor label (`role:principal`) */
  actor: string;
  /** request id (or event id) that caused the adjustment */
  causationId: string;
}

/**
 * An adjustment: the product (and a named location) must exist; the location's level,
 * the SKU's total and a ledger entry move together (a decrease only while
 * `available >= |delta|`, which is "on hand stays >= reserved"); StockAdjusted.
 */
export function adjustmentChangeSet(adj: Adjustment, adjustmentId: string, now: Date): ChangeSet {
  const locationId = adj.locationId ?? DEFAULT_LOCATION_ID;
  return {
    aggregate: { entity: 'stock', id: adj.sku },
    at: now.toISOString(),
    changes: [
      { op: 'check', entity: 'product', id: [adj.sku], tag: 'product', expect: { exists: true } },
      // the default location exists without an item
      ...(locationId !== DEFAULT_LOCATION_ID ? [{ op: 'check' as const, entity: 'location', id: [locationId], tag: 'location', expect: { exists: true } }] : []),
    ],
    events: [{
      detailType: 'StockAdjusted',
      data: { sku: adj.sku, adjustmentId, delta: adj.delta, reason: adj.reason, note: adj.note, actor: adj.actor, locationId },
    }],
    movements: [{
      sku: adj.sku, locationId, movement: 'ADJUSTMENT', quantity: adj.delta, actor: adj.actor,
      cause: { adjustmentId, reason: adj.reason, ...(adj.note ? { note: adj.note } : {}) },
    }],
  };
}

/** Whether the below-reorder flag must be raised, cleared, or left alone. */
export function reorderFlagMove(level: StockLevel, settings: ReorderSettings | undefined, flagged: boolean): 'raise' | 'clear' | 'unchanged' {
  const low = settings !== undefined && level.available <= settings.reorderPoint;
  if (low === flagged) return 'unchanged';
  return low ? 'raise' : 'clear';
}

/**
 * Raise or clear the flag on the total item, conditioned on the revision it was
 * decided on (every movement bumps `rev`). Raising sets `lowSince` (the sparse index
 * follows it) and publishes StockLow: once per crossing, as only the writer that flips
 * the flag emits.
 */
export function reorderFlagChangeSet(
  state: { level: StockLevel; settings?: ReorderSettings; rev?: number },
  move: 'raise' | 'clear',
  now: Date,
): ChangeSet {
  const { level, settings } = state;
  const expect = state.rev === undefined ? { missing: ['rev'] } : { equals: { rev: state.rev } };
  return {
    aggregate: { entity: 'stock', id: level.sku },
    at: now.toISOString(),
    changes: [
      move === 'raise'
        ? { op: 'update', entity: 'stock', id: [level.sku], tag: 'flag', expect, set: { lowSince: now.toISOString() } }
        : { op: 'update', entity: 'stock', id: [level.sku], tag: 'flag', expect, remove: ['lowSince'] },
    ],
    events: move === 'raise'
      ? [{ detailType: 'StockLow', data: { sku: level.sku, onHand: level.onHand, reserved: level.reserved, available: level.available, reorderPoint: settings!.reorderPoint } }]
      : [],
    movements: [],
  };
}
