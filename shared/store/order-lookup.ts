import { BatchGetCommand, GetCommand, type BatchGetCommandOutput, QueryCommand, TransactWriteCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { NotFoundError, ValidationError } from '../domain/errors';
import type { TimelineEntry } from '../domain/order';
import { OrderSummary, type OrderLookupFilter } from '../domain/order-lookup';
import { customerRepository } from './customer-repository';
import { newId } from './ids';
import { ENTITY, INDEX, keys } from './keys';
import { cancellationReasons, isConditionFailure, type Page, type TableContext } from './table';

// Staff look-ups. Every list is a Query on an index, chosen by the most selective
// filter; the remaining filters are a FilterExpression on that Query:
//   status         -> gsi2 `STATUS#<status>` of ORDER items, OLDEST first (a work queue)
//   customerEmail  -> email claim -> gsi1 `CUSTOMER#<id>` of ORDER items, newest first
//   channel        -> gsi1 `CHANNEL#<channel>` of LOOKUP items, newest first
//   none / dates   -> gsi2 `ORDERS#<yyyy-mm>` of LOOKUP items, month by month, newest first
// from/to narrow the sort key (`<createdAt>#<orderId>`) in every case. LOOKUP items
// only index what never changes (channel, date); the page's orders are then read with
// one BatchGet, so status and totals are always current.

/** Without `from`, the date-only listing looks back this many months. */
export const DEFAULT_LOOKBACK_MONTHS = 12;

interface Cursor {
  /** LastEvaluatedKey of the query to continue */
  k?: Record<string, string>;
  /** month partition being walked (date listing only) */
  m?: string;
}

function encode(c: Cursor | undefined): string | undefined {
  return c && (c.k || c.m) ? Buffer.from(JSON.stringify(c)).toString('base64url') : undefined;
}

function decode(cursor: string | undefined): Cursor {
  if (cursor === undefined) return {};
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Cursor;
    const keyOk = v.k === undefined || (typeof v.k === 'object' && Object.values(v.k).every((x) => typeof x === 'string'));
    const monthOk = v.m === undefined || /^\d{4}-\d{2}$/.test(v.m);
    if (v && typeof v === 'object' && keyOk && monthOk) return v;
  } catch {
    // fall through
  }
  throw new ValidationError('Invalid cursor', [{ path: 'query.cursor', message: 'is not a cursor returned by this API' }]);
}

const previousMonth = (m: string) => {
  const d = new Date(`${m}-01T00:00:00.000Z`);
  d.setUTCMonth(d.getUTCMonth() - 1);
  return d.toISOString().slice(0, 7);
};

export function orderLookup(ctx: TableContext) {
  const T = ctx.tableName;
  const customers = customerRepository(ctx);

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

  /** Runs one index query; LOOKUP items are resolved to their orders. */
  async function page(input: QueryCommandInput, lookupItems: boolean) {
    const res = await ctx.doc.send(new QueryCommand(input));
    const items = res.Items ?? [];
    const orders = lookupItems ? await ordersById(items.map((i) => String(i.orderId))) : items.map((i) => OrderSummary.parse(i));
    return { orders, lastKey: res.LastEvaluatedKey as Record<string, string> | undefined };
  }

  return {
    async search(filter: OrderLookupFilter, opts: { limit: number; cursor?: string; now: Date }): Promise<Page<OrderSummary>> {
      const cursor = decode(opts.cursor);
      const { from } = filter;
      const lower = keys.dateSk(from ?? '0000');
      const upper = keys.dateSk(filter.to ?? '9999', '~');
      const names: Record<string, string> = {};
      const values: Record<string, unknown> = { ':lo': lower, ':hi': upper };
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
      const common = (indexName: string, pkName: string, skName: string, pk: string, ascending: boolean): QueryCommandInput => ({
        TableName: T,
        IndexName: indexName,
        KeyConditionExpression: `${pkName} = :pk AND ${skName} BETWEEN :lo AND :hi`,
        ...(conditions.length ? { FilterExpression: conditions.join(' AND ') } : {}),
        ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
        ExpressionAttributeValues: { ...values, ':pk': pk },
        ScanIndexForward: ascending,
        Limit: opts.limit,
        ExclusiveStartKey: cursor.k,
      });

      let customerId: string | undefined;
      if (filter.customerEmail) {
        customerId = await customers.idForEmail(filter.customerEmail);
        if (!customerId) return { items: [] };
      }

      if (filter.status) {
        filterOn('channel', filter.channel);
        filterOn('customerId', customerId);
        const { orders, lastKey } = await page(common(INDEX.gsi2, 'gsi2pk', 'gsi2sk', keys.statusPk(filter.status), true), false);
        return { items: orders, nextCursor: encode(lastKey && { k: lastKey }) };
      }
      if (customerId) {
        filterOn('channel', filter.channel);
        values[':lo'] = keys.customerOrdersSk(from ?? '0000');
        values[':hi'] = keys.customerOrdersSk(filter.to ?? '9999', '~');
        const { orders, lastKey } = await page(common(INDEX.gsi1, 'gsi1pk', 'gsi1sk', keys.customerOrdersPk(customerId), false), false);
        return { items: orders, nextCursor: encode(lastKey && { k: lastKey }) };
      }
      if (filter.channel) {
        const { orders, lastKey } = await page(common(INDEX.gsi1, 'gsi1pk', 'gsi1sk', keys.channelPk(filter.channel), false), true);
        return { items: orders, nextCursor: encode(lastKey && { k: lastKey }) };
      }

      // Date listing: one partition per month, walked newest first until the page is full.
      const to = filter.to ?? opts.now.toISOString();
      const fromMonth = (filter.from ?? (() => {
        const d = new Date(to);
        d.setUTCMonth(d.getUTCMonth() - DEFAULT_LOOKBACK_MONTHS);
        return d.toISOString();
      })()).slice(0, 7);
      let month = cursor.m ?? to.slice(0, 7);
      let startKey = cursor.k;
      const items: OrderSummary[] = [];
      while (month >= fromMonth) {
        const input = common(INDEX.gsi2, 'gsi2pk', 'gsi2sk', keys.monthPk(month), false);
        const { orders, lastKey } = await page({ ...input, Limit: opts.limit - items.length, ExclusiveStartKey: startKey }, true);
        items.push(...orders);
        if (lastKey) {
          if (items.length >= opts.limit) return { items, nextCursor: encode({ m: month, k: lastKey }) };
          startKey = lastKey;
          continue;
        }
        startKey = undefined;
        month = previousMonth(month);
        if (items.length >= opts.limit) {
          return { items, nextCursor: month >= fromMonth ? encode({ m: month }) : undefined };
        }
      }
      return { items };
    },

    async idForNumber(orderNumber: string): Promise<string | undefined> {
      const res = await ctx.doc.send(new GetCommand({ TableName: T, Key: keys.orderNumber(orderNumber) }));
      return res.Item ? String(res.Item.orderId) : undefined;
    },

    /** A staff note in the order's timeline, written only if the order exists. */
    async addNote(orderId: string, text: string, actor: string, now: Date): Promise<TimelineEntry> {
      const at = now.toISOString();
      const entry: TimelineEntry = { at, type: 'NOTE', actor, detail: text };
      try {
        await ctx.doc.send(
          new TransactWriteCommand({
            TransactItems: [
              { ConditionCheck: { TableName: T, Key: keys.order(orderId), ConditionExpression: 'attribute_exists(pk)' } },
              {
                Put: {
                  TableName: T,
                  Item: { ...keys.timeline(orderId, at, newId(now)), type: ENTITY.timeline, at, eventType: 'NOTE', actor, detail: text },
                },
              },
            ],
          }),
        );
      } catch (err) {
        const reasons = cancellationReasons(err);
        if (reasons && isConditionFailure(reasons[0])) throw new NotFoundError(`Order ${orderId} not found`);
        throw err;
      }
      return entry;
    },

    ordersById,
  };
}
export type OrderLookup = ReturnType<typeof orderLookup>;
