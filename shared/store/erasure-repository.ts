import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ErasureRecord, type ErasurePosition, type OrderPersonalItems } from '../domain/erasure';
import type { OrderRecord } from '../domain/order';
import * as keys from './keys';
import { ENTITY, INDEX } from './keys';
import type { TableContext } from './table';

/**
 * Reads of a customer's erasure: its audit item, the customer's orders past its marker
 * (gsi1, newest first: a Query, never a scan), and what an order's partition holds that
 * carries personal data. Every write goes through the writer.
 */
export function erasureRepository(ctx: TableContext) {
  const T = ctx.tableName;
  return {
    async get(customerId: string): Promise<ErasureRecord | undefined> {
      const res = await ctx.doc.send(new GetCommand({ TableName: T, Key: keys.customerErasure(customerId), ConsistentRead: true }));
      return res.Item ? ErasureRecord.parse(res.Item) : undefined;
    },

    /** The customer's next `limit` orders older than `after` (all from the newest without it). */
    async ordersAfter(customerId: string, after: ErasurePosition | undefined, limit: number): Promise<ErasurePosition[]> {
      const res = await ctx.doc.send(new QueryCommand({
        TableName: T,
        IndexName: INDEX.gsi1,
        KeyConditionExpression: after ? 'gsi1pk = :pk AND gsi1sk < :after' : 'gsi1pk = :pk',
        ExpressionAttributeValues: {
          ':pk': keys.customerOrdersPk(customerId),
          ...(after ? { ':after': keys.customerOrdersSk(after.createdAt, after.orderId) } : {}),
        },
        ProjectionExpression: 'orderId, createdAt',
        ScanIndexForward: false,
        Limit: limit,
      }));
      return (res.Items ?? []).map((i) => ({ orderId: String(i.orderId), createdAt: String(i.createdAt) }));
    },
  };
}
export type ErasureRepository = ReturnType<typeof erasureRepository>;

/** What of an order's partition (its items as one Query read them) carries personal data. */
export function personalItemsOf(items: readonly Record<string, unknown>[], order: OrderRecord | undefined): OrderPersonalItems {
  const orderItem = items.find((i) => i.type === ENTITY.order);
  return {
    order: order && orderItem ? { ...order, ...(typeof orderItem.erasedAt === 'string' ? { erasedAt: orderItem.erasedAt } : {}) } : undefined,
    phoneLookup: items.some((i) => i.type === ENTITY.orderPhone),
    returnsWithNote: items.filter((i) => i.type === ENTITY.return && typeof i.note === 'string').map((i) => String(i.returnId)),
    feedbackComment: items.some((i) => i.type === ENTITY.feedback && typeof i.comment === 'string'),
  };
}
