import { GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { StockAdjusted } from '../../events/catalog';
import { buildEvent } from '../../events/define-event';
import { NotFoundError } from '../domain/errors';
import { adjustmentConflict, emptyLevel, type AdjustmentInput, type StockLevel } from '../domain/inventory';
import { newId } from './ids';
import { claimPut, resolveLostClaim, type IdempotencyClaim } from './idempotency';
import { ENTITY, INDEX, keys } from './keys';
import { outboxItem } from './outbox';
import { batchGet } from './product-repository';
import {
  cancellationReasons, decodeCursor, encodeCursor, isConditionFailure, numberAttr, withConflictRetry,
  type Page, type TableContext,
} from './table';

const LISTING_KEYS = ['pk', 'sk', 'gsi1pk', 'gsi1sk'] as const;

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

export function stockRepository(ctx: TableContext) {
  async function get(sku: string): Promise<StockLevel> {
    const res = await ctx.doc.send(
      new GetCommand({ TableName: ctx.tableName, Key: keys.stock(sku), ConsistentRead: true }),
    );
    return levelFromItem(sku, res.Item);
  }

  return {
    get,

    async getMany(skus: readonly string[]): Promise<StockLevel[]> {
      const items = await batchGet(ctx, skus.map((sku) => keys.stock(sku)));
      const bySku = new Map(items.map((i) => [i.sku as string, i]));
      return skus.map((sku) => levelFromItem(sku, bySku.get(sku)));
    },

    /** Levels of every catalog product (absent stock = zero), paged over the product listing. */
    async list(opts: { cursor?: string; limit: number }): Promise<Page<StockLevel>> {
      const res = await ctx.doc.send(
        new QueryCommand({
          TableName: ctx.tableName,
          IndexName: INDEX.gsi1,
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.productListingPk },
          ProjectionExpression: 'sku',
          ExclusiveStartKey: decodeCursor(opts.cursor, LISTING_KEYS),
          Limit: opts.limit,
        }),
      );
      const skus = (res.Items ?? []).map((i) => i.sku as string);
      return { items: await this.getMany(skus), nextCursor: encodeCursor(res.LastEvaluatedKey) };
    },

    /**
     * One transaction: the product must exist, STOCK moves `onHand` and `available`
     * together (created on the first adjustment), a LEDGER entry records it and the
     * outbox carries StockAdjusted. A decrease is conditioned on `available >= |delta|`,
     * which is exactly "on hand stays >= reserved" (and >= 0) without arithmetic in
     * the condition. Returns the level read back after the write. With a claim, a
     * repeated request changes nothing and answers with the current level.
     */
    async adjust(adj: Adjustment, now: Date, opts: { claim?: IdempotencyClaim } = {}): Promise<StockLevel> {
      const at = now.toISOString();
      const adjustmentId = newId(now);
      const abs = Math.abs(adj.delta);
      const event = buildEvent(
        StockAdjusted,
        { sku: adj.sku, adjustmentId, delta: adj.delta, reason: adj.reason, note: adj.note, actor: adj.actor },
        { eventId: newId(now), occurredAt: now, correlationId: adjustmentId, causationId: adj.causationId },
      );
      const stockKey = keys.stock(adj.sku);
      const write = () =>
        ctx.doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                ConditionCheck: {
                  TableName: ctx.tableName,
                  Key: keys.product(adj.sku),
                  ConditionExpression: 'attribute_exists(pk)',
                },
              },
              {
                Update: {
                  TableName: ctx.tableName,
                  Key: stockKey,
                  UpdateExpression:
                    'SET #type = :type, sku = :sku, onHand = if_not_exists(onHand, :zero) + :d, ' +
                    'available = if_not_exists(available, :zero) + :d, reserved = if_not_exists(reserved, :zero), updatedAt = :at',
                  ...(adj.delta < 0
                    ? { ConditionExpression: 'available >= :abs AND onHand >= :abs' }
                    : {}),
                  ExpressionAttributeNames: { '#type': 'type' },
                  ExpressionAttributeValues: {
                    ':type': ENTITY.stock, ':sku': adj.sku, ':zero': 0, ':d': adj.delta, ':at': at,
                    ...(adj.delta < 0 ? { ':abs': abs } : {}),
                  },
                  ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
                },
              },
              {
                Put: {
                  TableName: ctx.tableName,
                  Item: {
                    ...keys.ledger(adj.sku, at, adjustmentId),
                    type: ENTITY.ledger,
                    adjustmentId,
                    sku: adj.sku,
                    delta: adj.delta,
                    reason: adj.reason,
                    note: adj.note,
                    actor: adj.actor,
                    at,
                  },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              { Put: { TableName: ctx.tableName, Item: outboxItem(stockKey.pk, event, now) } },
              // a retried request (same Idempotency-Key) must not move stock twice
              ...(opts.claim ? [claimPut(ctx.tableName, opts.claim, { statusCode: 201, body: { adjustmentId } }, now, { sku: adj.sku })] : []),
            ],
          }),
        );
      try {
        await withConflictRetry(write);
      } catch (err) {
        const reasons = cancellationReasons(err);
        if (opts.claim && reasons && isConditionFailure(reasons[4])) {
          // already applied (or 409 for a different request): answer with today's level
          await resolveLostClaim(ctx, opts.claim, reasons[4]);
          return get(adj.sku);
        }
        if (reasons && isConditionFailure(reasons[0])) {
          throw new NotFoundError(`No product with SKU ${adj.sku}`, { sku: adj.sku });
        }
        if (reasons && isConditionFailure(reasons[1])) {
          const old = reasons[1]!.Item;
          const level = old
            ? { sku: adj.sku, onHand: numberAttr(old, 'onHand') ?? 0, reserved: numberAttr(old, 'reserved') ?? 0, available: numberAttr(old, 'available') ?? 0 }
            : emptyLevel(adj.sku);
          throw adjustmentConflict(level, adj.delta);
        }
        throw err;
      }
      // TransactWriteItems returns no values; a strongly consistent read shows the
      // level right after (a concurrent change may already be included).
      return get(adj.sku);
    },

    async ledger(sku: string): Promise<Record<string, unknown>[]> {
      const { pk, skPrefix } = keys.ledgerPrefix(sku);
      const res = await ctx.doc.send(
        new QueryCommand({
          TableName: ctx.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
          ExpressionAttributeValues: { ':pk': pk, ':p': skPrefix },
          ConsistentRead: true,
        }),
      );
      return res.Items ?? [];
    },
  };
}
export type StockRepository = ReturnType<typeof stockRepository>;
