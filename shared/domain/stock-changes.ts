import type { ChangeSet, StockMovement } from './decision';
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
 * the flag emits. Either way the crossing's replenishment reminder mark (`remindedFor`)
 * goes: the next crossing is reminded afresh.
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
        ? { op: 'update', entity: 'stock', id: [level.sku], tag: 'flag', expect, set: { lowSince: now.toISOString() }, remove: ['remindedFor'] }
        : { op: 'update', entity: 'stock', id: [level.sku], tag: 'flag', expect, remove: ['lowSince', 'remindedFor'] },
    ],
    events: move === 'raise'
      ? [{ detailType: 'StockLow', data: { sku: level.sku, onHand: level.onHand, reserved: level.reserved, available: level.available, reorderPoint: settings!.reorderPoint } }]
      : [],
    movements: [],
  };
}

// --- orders of many SKUs: stock moved in stages ---

/**
 * SKUs whose movements fit in ONE transaction beside the order's own items: each SKU
 * costs four actions (the level at its location, the SKU's total, a ledger entry and
 * the order's hold) of DynamoDB's 100, and the order, its reservation, timeline entry
 * and outbox items need the rest. An order of more SKUs moves its stock in stages.
 */
export const SKUS_PER_TRANSACTION = 20;

/** Whether an order's distinct SKUs are too many for one transaction. */
export const staged = (skus: number): boolean => skus > SKUS_PER_TRANSACTION;

/** Consecutive stages of at most `size` items, in the given order. */
export function stages<T>(items: readonly T[], size = SKUS_PER_TRANSACTION): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * One stage of a staged reservation: the movements of a few SKUs (each creating the
 * order's hold), written only while the order is still as decided on (its status and
 * version): once it moved on (cancelled, rejected, reserved by another delivery), no
 * stage can add a hold any more. No timeline, no event: the order's own transition
 * records those.
 */
export function holdStageChangeSet(order: { orderId: string; status: string; version: number }, movements: readonly StockMovement[], at: string): ChangeSet {
  return {
    aggregate: { entity: 'order', id: order.orderId },
    at,
    changes: [{ op: 'check', entity: 'order', id: [order.orderId], tag: 'order', expect: { equals: { status: order.status, version: order.version } } }],
    events: [],
    movements: [...movements],
  };
}

/**
 * How an order's remaining holds end, from its status alone: an order that left
 * without shipping releases them, a shipped one has committed them, any other status
 * keeps them (or, PENDING, is still reserving).
 */
export function holdsEndBy(status: string): 'RELEASE' | 'COMMIT' | undefined {
  if (status === 'REJECTED' || status === 'CANCELLED' || status === 'EXPIRED') return 'RELEASE';
  if (status === 'SHIPPED' || status === 'DELIVERED' || status === 'COMPLETED') return 'COMMIT';
  return undefined;
}

/**
 * One stage of ending an order's holds: each hold ends at most once (the writer
 * deletes it only if it exists), so a repeated or concurrent stage cannot move
 * stock twice. Needs no condition on the order: its status already decided how
 * its holds end, and nothing adds holds to an order that left PENDING.
 */
export function endHoldStageChangeSet(
  orderId: string,
  holds: readonly { sku: string; locationId: string; quantity: number }[],
  movement: 'RELEASE' | 'COMMIT',
  actor: string,
  reason: string,
  at: string,
): ChangeSet {
  return {
    aggregate: { entity: 'order', id: orderId },
    at,
    changes: [],
    events: [],
    movements: holds.map((h) => ({
      sku: h.sku, locationId: h.locationId, movement, quantity: h.quantity, actor, cause: { orderId, reason }, hold: 'end' as const,
    })),
  };
}
