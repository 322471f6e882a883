import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Customer } from '../domain/customer';
import { ratingSummary, returnRate } from '../domain/customer-figures';
import type { Money } from '../domain/money';
import * as keys from './keys';
import { INDEX } from './keys';
import { cursors } from './cursor';
import type { Page, TableContext } from './table';

// Lifetime value is kept per currency, one attribute each (`ltv_CNY`), so that an
// order's total is added with an atomic ADD and never read-modified-written.
const LTV_PREFIX = 'ltv_';

/** Lifetime value is kept per currency, one attribute each, added to atomically. */
export const lifetimeValueAttribute = (currency: string) => `${LTV_PREFIX}${currency}`;

type LastOrder = NonNullable<Customer['lastOrder']>;

/** The last order with the key it is compared on (`<placedAt>#<orderId>`): a later one replaces it, an earlier one never. */
export const lastOrderFields = (lastOrder: LastOrder) => ({ lastOrder, lastOrderKey: `${lastOrder.placedAt}#${lastOrder.orderId}` });

function customerFromItem(item: Record<string, unknown>): Customer {
  const lifetimeValue: Money[] = Object.entries(item)
    .filter(([k]) => k.startsWith(LTV_PREFIX))
    .map(([k, v]) => ({ amount: Number(v), currency: k.slice(LTV_PREFIX.length) }))
    .sort((a, b) => a.currency.localeCompare(b.currency));
  return {
    customerId: String(item.customerId),
    email: String(item.email),
    name: String(item.name),
    ...(item.phone ? { phone: String(item.phone) } : {}),
    orderCount: Number(item.orderCount ?? 0),
    lifetimeValue,
    ...(item.lastOrder ? { lastOrder: item.lastOrder as Customer['lastOrder'] } : {}),
    preferences: (item.preferences as Customer['preferences'] | undefined) ?? {},
    tags: (item.tags as string[] | undefined) ?? [],
    returnCount: Number(item.returnCount ?? 0),
    returnRate: returnRate(Number(item.returnCount ?? 0), Number(item.orderCount ?? 0)),
    ...(ratingSummary(Number(item.feedbackCount ?? 0), Number(item.feedbackSum ?? 0)) ? { feedback: ratingSummary(Number(item.feedbackCount), Number(item.feedbackSum))! } : {}),
    version: Number(item.version ?? 1),
    createdAt: String(item.createdAt),
    updatedAt: String(item.updatedAt),
  };
}

export function customerRepository(ctx: TableContext) {
  const T = ctx.tableName;

  return {
    /** The customer id claimed for an email (case-insensitive), if any. */
    async idForEmail(email: string): Promise<string | undefined> {
      const res = await ctx.doc.send(new GetCommand({ TableName: T, Key: keys.customerEmail(email), ConsistentRead: true }));
      return res.Item ? String(res.Item.customerId) : undefined;
    },

    async get(customerId: string, opts: { consistent?: boolean } = {}): Promise<Customer | undefined> {
      const res = await ctx.doc.send(new GetCommand({ TableName: T, Key: keys.customer(customerId), ...(opts.consistent ? { ConsistentRead: true } : {}) }));
      return res.Item ? customerFromItem(res.Item) : undefined;
    },

    /** Order ids of a customer, newest first (gsi1 of the ORDER items). */
    async orderIds(customerId: string, opts: { limit: number; cursor?: string }): Promise<Page<string>> {
      const query = { list: 'customer-orders', customerId };
      const res = await ctx.doc.send(
        new QueryCommand({
          TableName: T,
          IndexName: INDEX.gsi1,
          // only ORDER items carry a customer's gsi1 key
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.customerOrdersPk(customerId) },
          ScanIndexForward: false,
          Limit: opts.limit,
          ExclusiveStartKey: cursors().startKey(query, opts.cursor),
        }),
      );
      return { items: (res.Items ?? []).map((i) => String(i.orderId)), nextCursor: cursors().next(query, res.LastEvaluatedKey) };
    },
  };
}
export type CustomerRepository = ReturnType<typeof customerRepository>;
