import { BatchGetCommand, GetCommand, UpdateCommand, type BatchGetCommandOutput } from '@aws-sdk/lib-dynamodb';
import { DAY_PARTS, monthsOf, REPORT_SHARDS, type DayPart, type OrderTrail, type ShardIncrement, type Tally } from '../domain/reports';
import * as keys from './keys';
import { ENTITY } from './keys';
import { queryAll, sleep, type TableContext } from './table';

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

/** A trail item as the aggregation reads it. */
function trailFromItem(item: Record<string, unknown>): OrderTrail {
  const { channel, currency, subtotal, total, lines, at, version } = item;
  return {
    ...(channel !== undefined ? { channel: String(channel) } : {}),
    ...(currency !== undefined ? { currency: String(currency) } : {}),
    ...(subtotal !== undefined ? { subtotal: Number(subtotal) } : {}),
    ...(total !== undefined ? { total: Number(total) } : {}),
    ...(lines !== undefined ? { lines: lines as OrderTrail['lines'] } : {}),
    at: (at ?? {}) as OrderTrail['at'],
    version: Number(version),
  };
}

/** Counter items added to at once by addCounters. */
const WRITE_CONCURRENCY = 16;

/**
 * Reads of the report aggregates: an order's trail (for the aggregation worker) and the
 * counter items of a day range (for the reports). A range costs one Query per month and
 * shard, whatever the number of orders in it. With a `generation`, the counters are a
 * separate set (rebuild-reports writes one beside the live set, which has none).
 */
export function reportRepository(ctx: TableContext, opts: { shards?: number; generation?: string } = {}) {
  const T = ctx.tableName;
  const shards = opts.shards ?? REPORT_SHARDS;
  const { generation } = opts;

  async function range(kinds: readonly (DayPart | 'sku')[], from: string, to: string): Promise<CounterRead> {
    const queries = kinds.flatMap((kind) => monthsOf(from, to).flatMap((month) =>
      Array.from({ length: shards }, (_, shard) => keys.reportRange(kind, month, shard, from, to, generation))));
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
      return res.Item ? trailFromItem(res.Item) : undefined;
    },

    /** Several orders' trails in one consistent BatchGetItem per 100 (those without a trail are absent). */
    async trails(orderIds: readonly string[]): Promise<Map<string, OrderTrail>> {
      const out = new Map<string, OrderTrail>();
      for (let i = 0; i < orderIds.length; i += 100) {
        let pending: object[] | undefined = orderIds.slice(i, i + 100).map((id) => keys.reportTrail(id));
        for (let attempt = 0; pending?.length; attempt++) {
          if (attempt > 0) await sleep(Math.min(1000, 20 * 2 ** attempt));
          const res: BatchGetCommandOutput = await ctx.doc.send(new BatchGetCommand({ RequestItems: { [T]: { Keys: pending, ConsistentRead: true } } }));
          for (const item of res.Responses?.[T] ?? []) out.set(String(item.orderId), trailFromItem(item));
          pending = res.UnprocessedKeys?.[T]?.Keys;
        }
      }
      return out;
    },

    /**
     * Day counter items (every shard) from `from` to `to`, days included: the parts asked
     * for (default: all of them; a report asks for the parts it shows).
     */
    days: (from: string, to: string, parts: readonly DayPart[] = DAY_PARTS) => range(parts, from, to),

    /** SKU counter items (every shard) from `from` to `to`. */
    skus: (from: string, to: string) => range(['sku'], from, to),

    /**
     * Adds counted increments to this set's counter items with ADD, one UpdateItem per item
     * and no marker: for counts made in memory from a whole history (rebuild-reports, bulk
     * loads), never for the live worker, which counts each event once in a transaction.
     */
    async addCounters(items: readonly ShardIncrement[]): Promise<void> {
      let next = 0;
      const worker = async () => {
        for (let i = next++; i < items.length; i = next++) {
          const { day, shard, sku, part, add } = items[i]!;
          const counters = Object.entries(add);
          const names: Record<string, string> = { '#type': 'type', '#day': 'day', ...(sku ? { '#sku': 'sku' } : {}) };
          const values: Record<string, unknown> = { ':type': sku ? ENTITY.reportSku : ENTITY.reportDay, ':day': day, ...(sku ? { ':sku': sku } : {}) };
          counters.forEach(([attr, n], j) => {
            names[`#c${j}`] = attr;
            values[`:c${j}`] = n;
          });
          await ctx.doc.send(new UpdateCommand({
            TableName: T,
            Key: sku ? keys.reportSku(day, shard, sku, generation) : keys.reportDay(day, shard, generation, part),
            UpdateExpression: `SET #type = :type, #day = :day${sku ? ', #sku = :sku' : ''}${counters.length ? ` ADD ${counters.map((_, j) => `#c${j} :c${j}`).join(', ')}` : ''}`,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }));
        }
      };
      await Promise.all(Array.from({ length: WRITE_CONCURRENCY }, worker));
    },
  };
}
export type ReportRepository = ReturnType<typeof reportRepository>;
