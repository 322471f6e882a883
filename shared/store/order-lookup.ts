import { BatchGetCommand, GetCommand, type BatchGetCommandOutput, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { lookupRange, OrderSummary, type OrderLookupFilter } from '../domain/order-lookup';
import { cursors, invalidCursor } from './cursor';
import type { CustomerRepository } from './customer-repository';
import * as keys from './keys';
import { INDEX, phoneDigits } from './keys';
import type { Page, TableContext } from './table';

// Staff look-ups. Every list is a Query on an index, chosen by the most selective
// filter; the remaining filters are a FilterExpression on that Query:
//   status         -> gsi2 `STATUS#<status>` of ORDER items, OLDEST first (a work queue)
//   customerEmail  -> email claim -> gsi1 `CUSTOMER#<id>` of ORDER items, newest first
//   channel        -> gsi1 `CHANNEL#<channel>` of LOOKUP items, newest first
//   none / dates   -> gsi2 `ORDERS#<yyyy-mm>` of LOOKUP items, month by month, newest first
// from/to narrow the sort key (`<createdAt>#<orderId>`) in every case. LOOKUP items
// only index what never changes (channel, date); the page's orders are then read with
// one BatchGet, so status and totals are always current.
// Every look-up is bounded: `to` is clamped to now, the month walk spans at most
// MAX_DATE_RANGE_DAYS (domain/order-lookup.ts), and one request runs at most
// READ_BUDGET index queries, answering a short page with `nextCursor` when they are
// spent. Cursors are signed and bound to the filters (cursor.ts).

/** Index queries one look-up may run per request; then it answers the page so far with `nextCursor`. */
export const READ_BUDGET = 16;

/** Where the next page starts: the pinned range, the partition of the plan, and the key in it. */
const WalkState = z.strictObject({
  from: z.string().optional(),
  to: z.string(),
  i: z.int().min(0),
  k: z.record(z.string(), z.string()).optional(),
});
type WalkState = z.infer<typeof WalkState>;

/** Newest month first, from `to`'s month down to `from`'s (a bounded list: the range is). */
function monthsBetween(from: string, to: string): string[] {
  const months: string[] = [];
  const d = new Date(`${to.slice(0, 7)}-01T00:00:00.000Z`);
  while (d.toISOString().slice(0, 7) >= from.slice(0, 7)) {
    months.push(d.toISOString().slice(0, 7));
    d.setUTCMonth(d.getUTCMonth() - 1);
  }
  return months;
}

export function orderLookup(ctx: TableContext, customers: Pick<CustomerRepository, 'idForEmail'>) {
  const T = ctx.tableName;

  async function ordersById(orderIds: string[]): Promise<OrderSummary[]> {
    if (orderIds.length === 0) return [];
    const found = new Map<string, OrderSummary>();
    let pending: Record<string, unknown>[] | undefined = orderIds.map((id) => ({ ...keys.order(id) }));
    for (let i = 0; pending && pending.length > 0 && i < 5; i++) {
      const res: BatchGetCommandOutput = await ctx.doc.send(new BatchGetCommand({ RequestItems: { [T]: { Keys: pending } } }));
      for (const item of res.Responses?.[T] ?? []) found.set(String(item.orderId), OrderSummary.parse(item));
      pending = res.UnprocessedKeys?.[T]?.Keys;
    }
    return orderIds.flatMap((id) => (found.has(id) ? [found.get(id)!] : []));
  }

  /**
   * Runs the plan's queries in order from `start`, each continuing where the last one
   * stopped, until the page is full or `budget` queries ran; says where to go on.
   */
  async function walk(plan: QueryCommandInput[], start: Pick<WalkState, 'i' | 'k'>, limit: number, budget: number) {
    const items: Record<string, unknown>[] = [];
    let { i, k } = start;
    for (let reads = 0; i < plan.length && items.length < limit && reads < budget; reads++) {
      const res = await ctx.doc.send(new QueryCommand({ ...plan[i]!, Limit: limit - items.length, ExclusiveStartKey: k }));
      items.push(...(res.Items ?? []));
      k = res.LastEvaluatedKey as Record<string, string> | undefined;
      if (!k) i++;
    }
    return { items, next: i < plan.length ? { i, ...(k ? { k } : {}) } : undefined };
  }

  return {
    /**
     * One page of a staff look-up. Bounded whatever the input: the date-only range is at
     * most MAX_DATE_RANGE_DAYS (a 400 otherwise), `to` is clamped to now, and at most
     * `readBudget` index queries run; when they are spent the page may be short (even
     * empty) and `nextCursor` goes on. The cursor is bound to the filters and pins the
     * range the first page resolved, so later pages cover the same orders.
     */
    async search(
      filter: OrderLookupFilter,
      opts: { limit: number; cursor?: string; now: Date; readBudget?: number },
    ): Promise<Page<OrderSummary>> {
      const query = { list: 'orders', ...filter };
      const sealed = cursors().open(query, opts.cursor);
      let state: WalkState;
      if (sealed === undefined) {
        state = { ...lookupRange(filter, opts.now), i: 0 };
      } else {
        const parsed = WalkState.safeParse(sealed);
        if (!parsed.success) throw invalidCursor();
        state = parsed.data;
      }
      const { from, to } = state;
      const names: Record<string, string> = {};
      const values: Record<string, unknown> = {};
      const conditions: string[] = [];
      const filterOn = (attr: 'channel' | 'customerId', value: string | undefined) => {
        if (value === undefined) return;
        if (attr === 'channel') {
          names['#channel'] = 'channel';
          conditions.push('#channel = :channel');
          values[':channel'] = value;
        } else {
          names['#customer'] = 'customer';
          conditions.push('#customer.customerId = :customerId');
          values[':customerId'] = value;
        }
      };
      const on = (indexName: string, pkName: string, skName: string, pk: string, ascending: boolean, sk = keys.dateSk): QueryCommandInput => ({
        TableName: T,
        IndexName: indexName,
        KeyConditionExpression: `${pkName} = :pk AND ${skName} BETWEEN :lo AND :hi`,
        ...(conditions.length ? { FilterExpression: conditions.join(' AND ') } : {}),
        ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
        ExpressionAttributeValues: { ...values, ':pk': pk, ':lo': sk(from ?? '0000'), ':hi': sk(to, '~') },
        ScanIndexForward: ascending,
      });

      let customerId: string | undefined;
      if (filter.customerEmail) {
        customerId = await customers.idForEmail(filter.customerEmail);
        if (!customerId) return { items: [] };
      }

      // The plan: the queries this look-up runs, in order; LOOKUP items are resolved to orders.
      let plan: QueryCommandInput[];
      let lookupItems = false;
      if (filter.status) {
        filterOn('channel', filter.channel);
        filterOn('customerId', customerId);
        plan = [on(INDEX.gsi2, 'gsi2pk', 'gsi2sk', keys.statusPk(filter.status), true)];
      } else if (customerId) {
        filterOn('channel', filter.channel);
        plan = [on(INDEX.gsi1, 'gsi1pk', 'gsi1sk', keys.customerOrdersPk(customerId), false, keys.customerOrdersSk)];
      } else if (filter.channel) {
        plan = [on(INDEX.gsi1, 'gsi1pk', 'gsi1sk', keys.channelPk(filter.channel), false)];
        lookupItems = true;
      } else {
        // one partition per month, newest first
        plan = monthsBetween(from!, to).map((month) => on(INDEX.gsi2, 'gsi2pk', 'gsi2sk', keys.monthPk(month), false));
        lookupItems = true;
      }

      const { items, next } = await walk(plan, state, opts.limit, opts.readBudget ?? READ_BUDGET);
      const orders = lookupItems ? await ordersById(items.map((i) => String(i.orderId))) : items.map((i) => OrderSummary.parse(i));
      return { items: orders, ...(next ? { nextCursor: cursors().seal(query, { from, to, ...next }) } : {}) };
    },

    /** A page of the order ids placed with this phone (its digits), newest first: gsi1 of the phone look-up items. */
    async idsForPhone(phone: string, opts: { limit: number; cursor?: string }): Promise<Page<string>> {
      const query = { list: 'orders-by-phone', phone: phoneDigits(phone) };
      const res = await ctx.doc.send(new QueryCommand({
        TableName: T, IndexName: INDEX.gsi1,
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.phonePk(phone) },
        ScanIndexForward: false,
        Limit: opts.limit,
        ExclusiveStartKey: cursors().startKey(query, opts.cursor),
      }));
      return { items: (res.Items ?? []).map((i) => String(i.orderId)), nextCursor: cursors().next(query, res.LastEvaluatedKey) };
    },

    /**
     * The orders of a payment reference: the provider's (gsi1 of the attempts it named)
     * or our own payment id (its PAYMENT# item). One Query and one GetItem, no scan.
     */
    async idsForPaymentRef(ref: string, limit: number): Promise<string[]> {
      const [byProvider, byId] = await Promise.all([
        ctx.doc.send(new QueryCommand({
          TableName: T, IndexName: INDEX.gsi1,
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.paymentProviderRefPk(ref) },
          Limit: limit,
        })),
        ctx.doc.send(new GetCommand({ TableName: T, Key: keys.paymentRef(ref) })),
      ]);
      const ids = [...(byId.Item ? [String(byId.Item.orderId)] : []), ...(byProvider.Items ?? []).map((i) => String(i.orderId))];
      return [...new Set(ids)].slice(0, limit);
    },

    async idForNumber(orderNumber: string): Promise<string | undefined> {
      const res = await ctx.doc.send(new GetCommand({ TableName: T, Key: keys.orderNumber(orderNumber) }));
      return res.Item ? String(res.Item.orderId) : undefined;
    },

    ordersById,
  };
}
export type OrderLookup = ReturnType<typeof orderLookup>;
