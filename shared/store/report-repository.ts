import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { monthsOf, REPORT_SHARDS, type OrderTrail, type Tally } from '../domain/reports';
import { keys } from './keys';
import { queryAll, type TableContext } from './table';

/** A counter item as read: its day (and SKU), and its counters. */
export interface CounterItem {
  day: string;
  sku?: string;
  tally: Tally;
}

/** What a report read: the counter items, and how many items DynamoDB returned for it. */
export interface CounterRead {
  items: CounterItem[];
  itemsRead: number;
}

const NOT_COUNTERS = new Set(['pk', 'sk', 'type', 'day', 'sku']);

function counterFromItem(item: Record<string, unknown>): CounterItem {
  const tally: Tally = {};
  for (const [k, v] of Object.entries(item)) if (!NOT_COUNTERS.has(k) && typeof v === 'number') tally[k] = v;
  return { day: String(item.day), ...(item.sku !== undefined ? { sku: String(item.sku) } : {}), tally };
}

/**
 * Reads of the report aggregates: an order's trail (for the aggregation worker) and the
 * counter items of a day range (for the reports). A range costs one Query per month and
 * shard, whatever the number of orders in it.
 */
export function reportRepository(ctx: TableContext, shards = REPORT_SHARDS) {
  const T = ctx.tableName;

  async function range(kind: 'DAY' | 'SKU', from: string, to: string): Promise<CounterRead> {
    const queries = monthsOf(from, to).flatMap((month) => Array.from({ length: shards }, (_, shard) => keys.reportRange(kind, month, shard, from, to)));
    const pages = await Promise.all(queries.map(({ pk, skFrom, skTo }) => queryAll(ctx, {
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': pk, ':from': skFrom, ':to': skTo },
    })));
    const items = pages.flat();
    return { items: items.map(counterFromItem), itemsRead: items.length };
  }

  return {
    async trail(orderId: string): Promise<OrderTrail | undefined> {
      const res = await ctx.doc.send(new GetCommand({ TableName: T, Key: keys.reportTrail(orderId), ConsistentRead: true }));
      if (!res.Item) return undefined;
      const { channel, currency, subtotal, total, lines, at, version } = res.Item;
      return {
        ...(channel !== undefined ? { channel: String(channel) } : {}),
        ...(currency !== undefined ? { currency: String(currency) } : {}),
        ...(subtotal !== undefined ? { subtotal: Number(subtotal) } : {}),
        ...(total !== undefined ? { total: Number(total) } : {}),
        ...(lines !== undefined ? { lines: lines as OrderTrail['lines'] } : {}),
        at: (at ?? {}) as OrderTrail['at'],
        version: Number(version),
      };
    },

    /** Day counter items (every shard) from `from` to `to`, days included. */
    days: (from: string, to: string) => range('DAY', from, to),

    /** SKU counter items (every shard) from `from` to `to`. */
    skus: (from: string, to: string) => range('SKU', from, to),
  };
}
export type ReportRepository = ReturnType<typeof reportRepository>;
