import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { emptyLevel, type LocationLevel, type StockDetail, type StockLevel } from '../domain/inventory';
import type { ReorderSettings } from '../domain/replenishment';
import * as keys from './keys';
import { ENTITY, INDEX } from './keys';
import { batchGet } from './product-repository';
import { cursors } from './cursor';
import { queryAll, sleep, type Page, type TableContext } from './table';

// Stock levels: the SKU's total item (with the reorder settings copied from the
// product and the sparse below-reorder index entry) and one item per location.
// Movements are written by the writer (stock-movements.ts); the ledger is read by
// stock-ledger.ts. Nothing here decides: the reorder flag and adjustments are use
// cases (shared/app/stock.ts).


export { DEMAND_WINDOW_DAYS, ledgerEntryFromItem } from './stock-ledger';
export { releaseItems } from './stock-movements';
export type { ReservedLine } from '../domain/order-changes';

export function levelFromItem(sku: string, item: Record<string, unknown> | undefined): StockLevel {
  if (!item) return emptyLevel(sku);
  return {
    sku,
    onHand: Number(item.onHand ?? 0),
    reserved: Number(item.reserved ?? 0),
    available: Number(item.available ?? 0),
  };
}

export interface StockHold {
  orderId: string;
  locationId: string;
  quantity: number;
}

export interface StockSnapshot {
  /** false if movements kept landing while it was read: compare nothing */
  settled: boolean;
  total?: StockLevel;
  locations: LocationLevel[];
  holds: StockHold[];
}

/** The total item as the reorder flag needs it. */
export interface ReorderState {
  level: StockLevel;
  settings?: ReorderSettings;
  flagged: boolean;
  /** the item's revision (every movement bumps it); absent before the first movement */
  rev?: number;
}

/** A product flagged below its reorder point, as the sparse index holds it. */
export interface FlaggedLow {
  level: StockLevel;
  settings?: ReorderSettings;
  lowSince?: string;
  /** the crossing (its lowSince) purchasing was last reminded of */
  remindedFor?: string;
}

export function settingsFromItem(item: Record<string, unknown>): ReorderSettings | undefined {
  if (item.reorderPoint === undefined) return undefined;
  return { reorderPoint: Number(item.reorderPoint), leadTimeDays: Number(item.leadTimeDays ?? 0), safetyStock: Number(item.safetyStock ?? 0) };
}

const locationLevel = (item: Record<string, unknown>): LocationLevel => ({
  locationId: String(item.locationId),
  onHand: Number(item.onHand ?? 0),
  reserved: Number(item.reserved ?? 0),
  available: Number(item.available ?? 0),
});

export function stockRepository(ctx: TableContext) {
  const T = ctx.tableName;

  async function get(sku: string): Promise<StockLevel> {
    const res = await ctx.doc.send(new GetCommand({ TableName: T, Key: keys.stock(sku), ConsistentRead: true }));
    return levelFromItem(sku, res.Item);
  }

  /** The total item and every location's level: one Query of the SKU's STOCK items. */
  async function levelItems(sku: string): Promise<{ total?: Record<string, unknown>; locations: Record<string, unknown>[] }> {
    const { pk, skPrefix } = keys.stockLevelsPrefix(sku);
    const items = await queryAll(ctx, {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': pk, ':p': skPrefix },
      ConsistentRead: true,
    });
    const total = items.find((i) => i.sk === keys.stock(sku).sk);
    return { total, locations: items.filter((i) => i !== total) };
  }

  function reorderStateFromItem(sku: string, item: Record<string, unknown>): ReorderState {
    const settings = settingsFromItem(item);
    return {
      level: levelFromItem(sku, item), ...(settings ? { settings } : {}), flagged: item.gsi2pk !== undefined,
      ...(item.rev !== undefined ? { rev: Number(item.rev) } : {}),
    };
  }

  async function getMany(skus: readonly string[]): Promise<StockLevel[]> {
    const items = await batchGet(ctx, skus.map((sku) => keys.stock(sku)));
    const bySku = new Map(items.map((i) => [i.sku as string, i]));
    return skus.map((sku) => levelFromItem(sku, bySku.get(sku)));
  }

  return {
    get,
    getMany,

    async detail(sku: string): Promise<StockDetail> {
      const { total, locations } = await levelItems(sku);
      return { ...levelFromItem(sku, total), locations: locations.map(locationLevel) };
    },

    /** Levels of every catalog product (absent stock = zero), paged over the product listing. */
    async list(opts: { cursor?: string; limit: number }): Promise<Page<StockLevel>> {
      const query = { list: 'stock' };
      const res = await ctx.doc.send(
        new QueryCommand({
          TableName: T,
          IndexName: INDEX.gsi1,
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.productListingPk },
          ProjectionExpression: 'sku',
          ExclusiveStartKey: cursors().startKey(query, opts.cursor),
          Limit: opts.limit,
        }),
      );
      const skus = (res.Items ?? []).map((i) => i.sku as string);
      return { items: await getMany(skus), nextCursor: cursors().next(query, res.LastEvaluatedKey) };
    },

    /**
     * Available units per SKU at each location that holds any of them, for choosing
     * where an order ships from (one Query per SKU of its STOCK items).
     */
    async availabilityByLocation(skus: readonly string[]): Promise<Map<string, Record<string, number>>> {
      const byLocation = new Map<string, Record<string, number>>();
      const all = await Promise.all(skus.map(async (sku) => ({ sku, items: (await levelItems(sku)).locations })));
      for (const { sku, items } of all) {
        for (const item of items) {
          const level = locationLevel(item);
          const entry = byLocation.get(level.locationId) ?? {};
          entry[sku] = level.available;
          byLocation.set(level.locationId, entry);
        }
      }
      return byLocation;
    },

    /**
     * What planning a reservation reads, by key in one consistent BatchGetItem per 100
     * keys rather than one Query per SKU: each SKU's available units at each of these
     * locations (a location without a level is absent) and its total item's reorder
     * state (absent: no total item).
     */
    async planningLevels(skus: readonly string[], locationIds: readonly string[]): Promise<{
      available: Map<string, Record<string, number>>;
      reorder: Map<string, ReorderState>;
    }> {
      const wanted = [...new Set(skus)];
      const items = await batchGet(ctx, wanted.flatMap((sku) => [keys.stock(sku), ...locationIds.map((l) => keys.stockAt(sku, l))]));
      const available = new Map<string, Record<string, number>>();
      const reorder = new Map<string, ReorderState>();
      for (const item of items) {
        const sku = String(item.sku);
        if (item.sk === keys.stock(sku).sk) {
          reorder.set(sku, reorderStateFromItem(sku, item));
          continue;
        }
        const level = locationLevel(item);
        available.set(level.locationId, { ...available.get(level.locationId), [sku]: level.available });
      }
      return { available, reorder };
    },

    /** An order's holds among these SKUs (one consistent BatchGetItem per 100): what it holds, where. */
    async holdsOf(orderId: string, skus: readonly string[]): Promise<(StockHold & { sku: string })[]> {
      const items = await batchGet(ctx, [...new Set(skus)].map((sku) => keys.stockHold(sku, orderId)));
      return items.map((i) => ({ sku: String(i.sku), orderId, locationId: String(i.locationId), quantity: Number(i.quantity) }));
    },

    /** The total item's level, reorder settings, flag and revision (consistent read). */
    async reorderState(sku: string): Promise<ReorderState | undefined> {
      const res = await ctx.doc.send(new GetCommand({ TableName: T, Key: keys.stock(sku), ConsistentRead: true }));
      return res.Item ? reorderStateFromItem(sku, res.Item) : undefined;
    },

    /** The same for several SKUs in one BatchGetItem (consistent); a SKU without a total item is absent. */
    async reorderStates(skus: readonly string[]): Promise<Map<string, ReorderState>> {
      const items = await batchGet(ctx, [...new Set(skus)].map((sku) => keys.stock(sku)));
      return new Map(items.map((item) => [item.sku as string, reorderStateFromItem(item.sku as string, item)]));
    },

    /** The reorder settings stored on the total item (absent: none, or no item). */
    async reorderSettings(sku: string): Promise<{ exists: boolean; settings?: ReorderSettings }> {
      const current = await ctx.doc.send(
        new GetCommand({ TableName: T, Key: keys.stock(sku), ConsistentRead: true, ProjectionExpression: 'reorderPoint, leadTimeDays, safetyStock' }),
      );
      const settings = current.Item ? settingsFromItem(current.Item) : undefined;
      return { exists: current.Item !== undefined, ...(settings ? { settings } : {}) };
    },

    /**
     * Copies a product's reorder settings onto its total stock item (creating an empty
     * level if there is none), where the movements' follow-up and the below-reorder
     * listing read them. A copy of the product's own fields, not a change of stock.
     */
    async storeReorderSettings(sku: string, settings: ReorderSettings | undefined): Promise<void> {
      await ctx.doc.send(
        new UpdateCommand({
          TableName: T,
          Key: keys.stock(sku),
          UpdateExpression: settings
            ? 'SET #type = :type, sku = :sku, onHand = if_not_exists(onHand, :zero), reserved = if_not_exists(reserved, :zero), ' +
              'available = if_not_exists(available, :zero), reorderPoint = :rp, leadTimeDays = :lt, safetyStock = :ss ADD rev :one'
            : 'REMOVE reorderPoint, leadTimeDays, safetyStock ADD rev :one',
          ...(settings
            ? {
                ExpressionAttributeNames: { '#type': 'type' },
                ExpressionAttributeValues: {
                  ':type': ENTITY.stock, ':sku': sku, ':zero': 0, ':one': 1,
                  ':rp': settings.reorderPoint, ':lt': settings.leadTimeDays, ':ss': settings.safetyStock,
                },
              }
            : { ExpressionAttributeValues: { ':one': 1 } }),
        }),
      );
    },

    /** A page of the sparse below-reorder index (gsi2 STOCKLOW): only flagged items are in it. */
    async flaggedLow(opts: { cursor?: string; limit: number }): Promise<Page<FlaggedLow>> {
      const query = { list: 'stock-low' };
      const res = await ctx.doc.send(
        new QueryCommand({
          TableName: T,
          IndexName: INDEX.gsi2,
          KeyConditionExpression: 'gsi2pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.stockLowPk },
          ExclusiveStartKey: cursors().startKey(query, opts.cursor),
          Limit: opts.limit,
        }),
      );
      const items = (res.Items ?? []).map((item): FlaggedLow => {
        const settings = settingsFromItem(item);
        return { level: levelFromItem(String(item.sku), item), ...(settings ? { settings } : {}), ...(item.lowSince ? { lowSince: String(item.lowSince) } : {}),
          ...(item.remindedFor ? { remindedFor: String(item.remindedFor) } : {}),
        };
      });
      return { items, nextCursor: cursors().next(query, res.LastEvaluatedKey) };
    },

    /**
     * What reconciliation compares: the SKU's levels and its live holds, read so that
     * no movement happened in between (the total's `rev` is the same before and
     * after the holds were read; every movement bumps it in the same transaction).
     */
    async reconciliationSnapshot(sku: string): Promise<StockSnapshot> {
      for (let attempt = 0; ; attempt++) {
        const before = await levelItems(sku);
        const { pk, skPrefix } = keys.stockHoldPrefix(sku);
        const holds: StockHold[] = (
          await queryAll(ctx, {
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
            ExpressionAttributeValues: { ':pk': pk, ':p': skPrefix },
            ConsistentRead: true,
          })
        ).map((i) => ({ orderId: String(i.orderId), locationId: String(i.locationId), quantity: Number(i.quantity) }));
        const after = await ctx.doc.send(new GetCommand({ TableName: T, Key: keys.stock(sku), ConsistentRead: true, ProjectionExpression: 'rev' }));
        const settled = after.Item?.rev === before.total?.rev;
        if (settled || attempt >= 10) {
          return {
            settled,
            ...(before.total ? { total: levelFromItem(sku, before.total) } : {}),
            locations: before.locations.map(locationLevel),
            holds,
          };
        }
        await sleep(20 + Math.random() * 50);
      }
    },
  };
}
export type StockRepository = ReturnType<typeof stockRepository>;
