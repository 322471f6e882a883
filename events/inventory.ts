import * as z from 'zod';
import { defineEvent } from './define-event';
import { AdjustmentReason } from './schemas';

// Stock (source oms.inventory): adjustments, low stock, replenishment, drift.

export const INVENTORY_SOURCE = 'oms.inventory';

export const StockAdjusted = defineEvent({
  source: INVENTORY_SOURCE,
  detailType: 'StockAdjusted',
  version: 1,
  data: () => z.object({
    sku: z.string(),
    adjustmentId: z.string(),
    delta: z.int(),
    reason: AdjustmentReason,
    note: z.string().optional(),
    actor: z.string(),
    /** absent on events published before stock locations existed */
    locationId: z.string().optional(),
  }),
});

/** Available stock fell to or below the product's reorder point (once per crossing). */
export const StockLow = defineEvent({
  source: INVENTORY_SOURCE,
  detailType: 'StockLow',
  version: 1,
  data: () => z.object({
    sku: z.string(),
    onHand: z.int(),
    reserved: z.int(),
    available: z.int(),
    reorderPoint: z.int(),
  }),
});

/** The daily replenishment run: buy this much of a product that fell to or below its reorder point (once per crossing). */
export const ReplenishmentNeeded = defineEvent({
  source: INVENTORY_SOURCE,
  detailType: 'ReplenishmentNeeded',
  version: 1,
  data: () => z.object({
    sku: z.string(),
    available: z.int(),
    reorderPoint: z.int(),
    leadTimeDays: z.int(),
    safetyStock: z.int(),
    averageDailyDemand: z.number(),
    suggestedQuantity: z.int().min(1),
    /** days the available stock lasts at averageDailyDemand (null: nothing sells); absent on older events */
    daysOfCover: z.number().nullable().optional(),
  }),
});

/** Reconciliation found stored counters that live reservations do not explain. Nothing was corrected. */
export const StockDriftDetected = defineEvent({
  source: INVENTORY_SOURCE,
  detailType: 'StockDriftDetected',
  version: 1,
  data: () => z.object({
    sku: z.string(),
    /** the location whose counters disagree, or absent for the SKU's total */
    locationId: z.string().optional(),
    onHand: z.int(),
    reserved: z.int(),
    available: z.int(),
    expectedReserved: z.int(),
    drift: z.int(),
    problems: z.array(z.object({ code: z.string(), message: z.string() })),
  }),
});

export const INVENTORY_EVENTS = [StockAdjusted, StockLow, ReplenishmentNeeded, StockDriftDetected] as const;
