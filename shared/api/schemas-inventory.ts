import * as z from 'zod';
import { AdjustmentInput, LedgerEntry, Location, LocationId, LocationInput, StockDetail, StockLevel } from '../domain/inventory';
import { ListQuery, SkuPath } from './schemas-common';
import { lazySchema } from '../domain/lazy-schema';

// The inventory routes' schemas: stock, its ledger and locations (re-exported by schemas.ts).

export { ListQuery, SkuPath };
export const AdjustmentRequest = AdjustmentInput.meta({ id: 'StockAdjustment' });
export const StockLevelResponse = StockLevel.meta({ id: 'StockLevel' });
export const StockLevelList = lazySchema(() =>
  z.object({ items: z.array(StockLevel), nextCursor: z.string().optional() }),
);
export const StockDetailResponse = StockDetail.meta({ id: 'StockDetail' });
export const StockListQuery = ListQuery.extend({
  /** `reorderPoint`: only products at or below their reorder point, with a suggested quantity */
  below: z.literal('reorderPoint').optional(),
});
export const ReplenishmentItem = lazySchema(() =>
  StockLevel.unwrap().extend({
    reorderPoint: z.int(),
    leadTimeDays: z.int(),
    safetyStock: z.int(),
    /** net units reserved per day over the last 28 days */
    averageDailyDemand: z.number(),
    /** available + on order: what the reorder point is compared with */
    position: z.int(),
    suggestedQuantity: z.int(),
    lowSince: z.iso.datetime().optional(),
  }).meta({ id: 'ReplenishmentItem' }),
);
export const StockListResponse = lazySchema(() =>
  z.union([
    StockLevelList,
    z.object({ items: z.array(ReplenishmentItem), nextCursor: z.string().optional() }),
  ]),
);
export const LedgerList = lazySchema(() =>
  z.object({ items: z.array(LedgerEntry.meta({ id: 'LedgerEntry' })), nextCursor: z.string().optional() }),
);

export const LocationPath = lazySchema(() =>
  z.strictObject({ locationId: LocationId }),
);
export const PutLocationRequest = LocationInput.meta({ id: 'LocationInput' });
export const LocationResponse = Location.meta({ id: 'Location' });
export const LocationList = lazySchema(() =>
  z.object({ items: z.array(Location) }),
);
