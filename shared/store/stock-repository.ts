import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { StockAdjusted, StockLow } from '../../events/catalog';
import { buildEvent } from '../../events/define-event';
import { NotFoundError } from '../domain/errors';
import {
  adjustmentConflict, emptyLevel, LedgerEntry, type AdjustmentInput, type LocationLevel, type StockDetail, type StockLevel,
} from '../domain/inventory';
import { assessReplenishment, DEFAULT_LOCATION_ID, type ReorderSettings, type ReplenishmentAdvice } from '../domain/replenishment';
import { newId } from './ids';
import { cursors } from './cursor';
import { claimPut, resolveLostClaim, type IdempotencyClaim } from './idempotency';
import { ENTITY, INDEX, keys } from './keys';
import { outboxItem } from './outbox';
import { batchGet } from './product-repository';
import { stockMoveItems } from './stock-movements';
import {
  cancellationReasons, isConditionFailure, numberAttr, queryAll, sleep, withConflictRetry,
  type Page, type TableContext,
} from './table';

/** Window over which average daily demand is measured for replenishment advice. */
export const DEMAND_WINDOW_DAYS = 28;

export { commitItems, releaseItems, reserveItems, type ReservedLine } from './stock-movements';

export function levelFromItem(sku: string, item: Record<string, unknown> | undefined): StockLevel {
  if (!item) return emptyLevel(sku);
  return {
    sku,
    onHand: Number(item.onHand ?? 0),
    reserved: Number(item.reserved ?? 0),
    available: Number(item.available ?? 0),
  };
}

export interface Adjustment extends AdjustmentInput {
  sku: string;
  actor: string;
  /** request id (or event id) that caused the adjustment */
  causationId: string;
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

/** A below-reorder-point product with the advice for it. */
export interface LowStock extends StockLevel, ReplenishmentAdvice {
  settings: ReorderSettings;
  averageDailyDemand: number;
  lowSince?: string;
}

function settingsFromItem(item: Record<string, unknown>): ReorderSettings | undefined {
  if (item.reorderPoint === undefined) return undefined;
  return { reorderPoint: Number(item.reorderPoint), leadTimeDays: Number(item.leadTimeDays ?? 0), safetyStock: Number(item.safetyStock ?? 0) };
}

const locationLevel = (item: Record<string, unknown>): LocationLevel => ({
  locationId: String(item.locationId),
  onHand: Number(item.onHand ?? 0),
  reserved: Number(item.reserved ?? 0),
  available: Number(item.available ?? 0),
});

export function ledgerEntryFromItem(item: Record<string, unknown>): LedgerEntry {
  const movement = (item.movement as string | undefined) ?? 'ADJUSTMENT';
  const quantity = Number(item.quantity ?? item.delta);
  return LedgerEntry.parse({
    entryId: item.entryId ?? item.adjustmentId,
    at: item.at,
    sku: item.sku,
    locationId: item.locationId ?? DEFAULT_LOCATION_ID,
    movement,
    quantity,
    onHandDelta: Number(item.onHandDelta ?? quantity),
    reservedDelta: Number(item.reservedDelta ?? 0),
    availableDelta: Number(item.availableDelta ?? quantity),
    cause: Object.fromEntries(
      (['orderId', 'adjustmentId', 'reason', 'note'] as const).filter((k) => item[k] !== undefined).map((k) => [k, String(item[k])]),
    ),
    actor: item.actor,
  });
}

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

  async function detail(sku: string): Promise<StockDetail> {
    const { total, locations } = await levelItems(sku);
    return { ...levelFromItem(sku, total), locations: locations.map(locationLevel) };
  }

  /**
   * Keeps the sparse "below reorder point" index entry (gsi2 STOCKLOW) of the total
   * item in step with its level, and raises StockLow when it sets it: once per
   * crossing, because only the writer that flips the flag emits. The write is
   * conditioned on the revision read (every movement bumps `rev`), so a decision is
   * never made on a stale level; a lost race re-reads. Called after every movement
   * that can lower `available` (adjustments, reservations) and by the hourly
   * reconciliation, which repairs a flag whose follow-up never ran.
   */
  async function syncReorderFlag(sku: string, now: Date, causationId: string): Promise<'raised' | 'cleared' | 'unchanged'> {
    for (let attempt = 0; attempt < 8; attempt++) {
      const res = await ctx.doc.send(new GetCommand({ TableName: T, Key: keys.stock(sku), ConsistentRead: true }));
      const item = res.Item;
      if (!item) return 'unchanged';
      const settings = settingsFromItem(item);
      const level = levelFromItem(sku, item);
      const low = settings !== undefined && level.available <= settings.reorderPoint;
      const flagged = item.gsi2pk !== undefined;
      if (low === flagged) return 'unchanged';
      const guard = {
        ConditionExpression: item.rev === undefined ? 'attribute_not_exists(rev)' : 'rev = :rev',
        ...(item.rev === undefined ? {} : { ExpressionAttributeValues: { ':rev': item.rev } }),
      };
      try {
        if (low) {
          const event = buildEvent(
            StockLow,
            { sku, onHand: level.onHand, reserved: level.reserved, available: level.available, reorderPoint: settings!.reorderPoint },
            { eventId: newId(now), occurredAt: now, correlationId: sku, causationId },
          );
          const { gsi2pk, gsi2sk } = keys.stockLow(sku);
          await ctx.doc.send(
            new TransactWriteCommand({
              TransactItems: [
                {
                  Update: {
                    TableName: T,
                    Key: keys.stock(sku),
                    UpdateExpression: 'SET gsi2pk = :g2pk, gsi2sk = :g2sk, lowSince = :at',
                    ...guard,
                    ExpressionAttributeValues: { ...guard.ExpressionAttributeValues, ':g2pk': gsi2pk, ':g2sk': gsi2sk, ':at': now.toISOString() },
                  },
                },
                { Put: { TableName: T, Item: outboxItem(keys.stock(sku).pk, event, now) } },
              ],
            }),
          );
          return 'raised';
        }
        await ctx.doc.send(
          new UpdateCommand({ TableName: T, Key: keys.stock(sku), UpdateExpression: 'REMOVE gsi2pk, gsi2sk, lowSince', ...guard }),
        );
        return 'cleared';
      } catch (err) {
        const reasons = cancellationReasons(err);
        const lostRace = (err instanceof Error && err.name === 'ConditionalCheckFailedException') || reasons !== undefined;
        if (!lostRace) throw err;
        await sleep(Math.random() * 20 * (attempt + 1));
      }
    }
    throw new Error(`Reorder flag of ${sku} kept changing; the next movement or reconciliation will set it`);
  }

  /** Net units reserved per day over the demand window (reservations minus releases), from the ledger. */
  async function averageDailyDemand(sku: string, now: Date): Promise<number> {
    const from = new Date(now.getTime() - DEMAND_WINDOW_DAYS * 86_400_000).toISOString();
    const { pk, skPrefix } = keys.ledgerPrefix(sku);
    const movements = await queryAll(ctx, {
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      FilterExpression: 'movement IN (:reserve, :release)',
      ProjectionExpression: 'movement, quantity',
      ExpressionAttributeValues: {
        ':pk': pk, ':from': keys.ledgerFrom(from), ':to': `${skPrefix}\uffff`, ':reserve': 'RESERVE', ':release': 'RELEASE',
      },
    });
    let net = 0;
    for (const i of movements) net += (i.movement === 'RESERVE' ? 1 : -1) * Number(i.quantity);
    return Math.max(0, net) / DEMAND_WINDOW_DAYS;
  }

  return {
    get,
    detail,
    syncReorderFlag,
    averageDailyDemand,

    async getMany(skus: readonly string[]): Promise<StockLevel[]> {
      const items = await batchGet(ctx, skus.map((sku) => keys.stock(sku)));
      const bySku = new Map(items.map((i) => [i.sku as string, i]));
      return skus.map((sku) => levelFromItem(sku, bySku.get(sku)));
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
      return { items: await this.getMany(skus), nextCursor: cursors().next(query, res.LastEvaluatedKey) };
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
     * Copies a product's reorder settings onto its total stock item (creating an empty
     * level if there is none), where the movements' follow-up and the below-reorder
     * listing read them, then re-evaluates the flag.
     */
    async setReorderSettings(sku: string, settings: ReorderSettings | undefined, now: Date, causationId: string): Promise<void> {
      const current = await ctx.doc.send(
        new GetCommand({ TableName: T, Key: keys.stock(sku), ConsistentRead: true, ProjectionExpression: 'reorderPoint, leadTimeDays, safetyStock' }),
      );
      const stored = current.Item ? settingsFromItem(current.Item) : undefined;
      const same = JSON.stringify(stored) === JSON.stringify(settings);
      // nothing to write when unchanged (the hourly check calls this for every SKU), and no level to create for none
      if (same || (!settings && !current.Item)) {
        await syncReorderFlag(sku, now, causationId);
        return;
      }
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
      await syncReorderFlag(sku, now, causationId);
    },

    /**
     * Products at or below their reorder point, by SKU, from the sparse STOCKLOW index
     * (only flagged stock items are in it: no scan, no per-product read), each with a
     * suggested quantity. A flag left behind by a release is skipped (and cleared by
     * the next movement or reconciliation).
     */
    async listLow(opts: { cursor?: string; limit: number }, now: Date): Promise<Page<LowStock>> {
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
      const items = await Promise.all(
        (res.Items ?? []).map(async (item): Promise<LowStock | undefined> => {
          const sku = String(item.sku);
          const settings = settingsFromItem(item);
          if (!settings) return undefined;
          const level = levelFromItem(sku, item);
          const demand = await averageDailyDemand(sku, now);
          const advice = assessReplenishment({ sku, available: level.available, settings, averageDailyDemand: demand });
          if (!advice.needsReorder) return undefined;
          return { ...level, ...advice, settings, averageDailyDemand: demand, ...(item.lowSince ? { lowSince: String(item.lowSince) } : {}) };
        }),
      );
      return { items: items.filter((i): i is LowStock => i !== undefined), nextCursor: cursors().next(query, res.LastEvaluatedKey) };
    },

    /**
     * One transaction: the product (and a named location) must exist; the location's
     * level, the SKU's total and a LEDGER entry move together (created on the first
     * receipt); the outbox carries StockAdjusted. A decrease is conditioned on
     * `available >= |delta|` at the location and in total, which is exactly "on hand
     * stays >= reserved" (and >= 0) without arithmetic in the condition. Returns the
     * total level read back after the write. With a claim, a repeated request changes
     * nothing and answers with the current level.
     */
    async adjust(adj: Adjustment, now: Date, opts: { claim?: IdempotencyClaim } = {}): Promise<StockLevel> {
      const at = now.toISOString();
      const adjustmentId = newId(now);
      const locationId = adj.locationId ?? DEFAULT_LOCATION_ID;
      const event = buildEvent(
        StockAdjusted,
        { sku: adj.sku, adjustmentId, delta: adj.delta, reason: adj.reason, note: adj.note, actor: adj.actor, locationId },
        { eventId: newId(now), occurredAt: now, correlationId: adjustmentId, causationId: adj.causationId },
      );
      const checkLocation = locationId !== DEFAULT_LOCATION_ID;
      const items = [
        { ConditionCheck: { TableName: T, Key: keys.product(adj.sku), ConditionExpression: 'attribute_exists(pk)' } },
        ...(checkLocation
          ? [{ ConditionCheck: { TableName: T, Key: keys.location(locationId), ConditionExpression: 'attribute_exists(pk)' } }]
          : []),
        ...stockMoveItems(T, {
          sku: adj.sku, locationId, movement: 'ADJUSTMENT', quantity: adj.delta, at, actor: adj.actor,
          cause: { adjustmentId, reason: adj.reason, ...(adj.note ? { note: adj.note } : {}) },
        }),
        { Put: { TableName: T, Item: outboxItem(keys.stock(adj.sku).pk, event, now) } },
        // a retried request (same Idempotency-Key) must not move stock twice
        ...(opts.claim ? [claimPut(T, opts.claim, { statusCode: 201, body: { adjustmentId } }, now, { sku: adj.sku })] : []),
      ];
      const at_ = { location: checkLocation ? 1 : -1, level: checkLocation ? 2 : 1, total: checkLocation ? 3 : 2, claim: items.length - 1 };
      try {
        await withConflictRetry(() => ctx.doc.send(new TransactWriteCommand({ TransactItems: items })));
      } catch (err) {
        const reasons = cancellationReasons(err);
        if (opts.claim && reasons && isConditionFailure(reasons[at_.claim])) {
          // already applied (or 409 for a different request): answer with today's level
          await resolveLostClaim(ctx, opts.claim, reasons[at_.claim]);
          return get(adj.sku);
        }
        if (reasons && isConditionFailure(reasons[0])) {
          throw new NotFoundError(`No product with SKU ${adj.sku}`, { sku: adj.sku });
        }
        if (reasons && at_.location >= 0 && isConditionFailure(reasons[at_.location])) {
          throw new NotFoundError(`No stock location ${locationId}`, { locationId });
        }
        const failed = reasons && [at_.level, at_.total].find((i) => isConditionFailure(reasons[i]));
        if (reasons && failed !== undefined) {
          const old = reasons[failed]!.Item;
          const level = old
            ? { sku: adj.sku, onHand: numberAttr(old, 'onHand') ?? 0, reserved: numberAttr(old, 'reserved') ?? 0, available: numberAttr(old, 'available') ?? 0 }
            : emptyLevel(adj.sku);
          throw adjustmentConflict(level, adj.delta);
        }
        throw err;
      }
      // a receipt may lift the level above the reorder point, a write-off take it below
      await syncReorderFlag(adj.sku, now, adj.causationId);
      // TransactWriteItems returns no values; a strongly consistent read shows the
      // level right after (a concurrent change may already be included).
      return get(adj.sku);
    },

    /** Raw ledger items of a SKU, oldest first. */
    async ledger(sku: string): Promise<Record<string, unknown>[]> {
      const { pk, skPrefix } = keys.ledgerPrefix(sku);
      // every page: a long-lived SKU's ledger outgrows one Query response
      return queryAll(ctx, {
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
        ExpressionAttributeValues: { ':pk': pk, ':p': skPrefix },
        ConsistentRead: true,
      });
    },

    /** The ledger newest first, a page at a time. */
    async ledgerPage(sku: string, opts: { cursor?: string; limit: number }): Promise<Page<LedgerEntry>> {
      const { pk, skPrefix } = keys.ledgerPrefix(sku);
      const query = { list: 'ledger', sku };
      const res = await ctx.doc.send(
        new QueryCommand({
          TableName: T,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
          ExpressionAttributeValues: { ':pk': pk, ':p': skPrefix },
          ScanIndexForward: false,
          ExclusiveStartKey: cursors().startKey(query, opts.cursor),
          Limit: opts.limit,
        }),
      );
      return { items: (res.Items ?? []).map(ledgerEntryFromItem), nextCursor: cursors().next(query, res.LastEvaluatedKey) };
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
