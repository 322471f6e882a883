import { GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import type { Customer } from '../domain/customer';
import type { Money } from '../domain/money';
import type { OrderRecord } from '../domain/order';
import { ENTITY, INDEX, keys, type Key } from './keys';
import { cursors } from './cursor';
import { cancellationReasons, isConditionFailure, withConflictRetry, type CancellationReason, type Page, type TableContext } from './table';

// Lifetime value is kept per currency, one attribute each (`ltv_CNY`), so that an
// order's total is added with an atomic ADD and never read-modified-written.
const LTV_PREFIX = 'ltv_';

export const newCustomerId = () => `cus_${ulid()}`;

/** The customer an order belongs to: an existing one (matched by email) or a new id to claim. */
export interface CustomerMatch {
  customerId: string;
  isNew: boolean;
}

/**
 * The email claim of a new customer, in the order's own transaction: a concurrent first
 * order for the same email loses on it and retries with the winner's id. The profile
 * and its statistics are kept by the customer-stats step from OrderPlaced and the exit
 * events, not here: one customer's concurrent orders would otherwise all contend for
 * the profile item inside their order transactions.
 */
export function customerOrderItems(tableName: string, order: OrderRecord, match: CustomerMatch) {
  const { customerId, email } = order.customer;
  if (!match.isNew) return [];
  return [
    {
      Put: {
        TableName: tableName,
        Item: { ...keys.customerEmail(email), type: ENTITY.customerEmail, customerId, email: email.trim().toLowerCase(), createdAt: order.createdAt },
        ConditionExpression: 'attribute_not_exists(pk)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
      },
    },
  ];
}

/** The winner's customer id when our email claim lost a race. */
export const claimWinner = (reason: CancellationReason | undefined): string | undefined => reason?.Item?.customerId?.S;

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
    createdAt: String(item.createdAt),
    updatedAt: String(item.updatedAt),
  };
}

export function customerRepository(ctx: TableContext) {
  const T = ctx.tableName;

  /** One profile change, applied once: the marker item is claimed in the same transaction. */
  async function applyOnce(marker: Key, type: string, orderId: string, change: Record<string, unknown>, now: Date): Promise<'applied' | 'already'> {
    try {
      await withConflictRetry(() =>
        ctx.doc.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: T, Item: { ...marker, type, orderId, at: now.toISOString() }, ConditionExpression: 'attribute_not_exists(pk)' } },
              change,
            ],
          }),
        ),
      );
      return 'applied';
    } catch (err) {
      const reasons = cancellationReasons(err);
      if (reasons && isConditionFailure(reasons[0])) return 'already';
      if (reasons && isConditionFailure(reasons[1])) throw new Error(`Order ${orderId}: its customer profile is not there yet; retry`, { cause: err });
      throw err;
    }
  }
  return {
    /** The customer id claimed for an email (case-insensitive), if any. */
    async idForEmail(email: string): Promise<string | undefined> {
      const res = await ctx.doc.send(new GetCommand({ TableName: T, Key: keys.customerEmail(email), ConsistentRead: true }));
      return res.Item ? String(res.Item.customerId) : undefined;
    },

    async get(customerId: string): Promise<Customer | undefined> {
      const res = await ctx.doc.send(new GetCommand({ TableName: T, Key: keys.customer(customerId) }));
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

    /**
     * A placed order joins its customer's profile (created on the first one): contact
     * details, order count, lifetime value, last order. A marker item claimed in the same
     * transaction makes a redelivered OrderPlaced change nothing.
     */
    async addPlaced(order: OrderRecord, now: Date): Promise<'applied' | 'already'> {
      const { customerId, email, name, phone } = order.customer;
      const at = now.toISOString();
      return applyOnce(keys.customerOrder(customerId, order.orderId), ENTITY.customerOrder, order.orderId, {
        Update: {
          TableName: T,
          Key: keys.customer(customerId),
          UpdateExpression:
            'SET #type = :type, customerId = :id, email = :email, #name = :name, updatedAt = :at, createdAt = if_not_exists(createdAt, :placed), ' +
            'lastOrder = :last' + (phone ? ', phone = :phone' : '') + ' ADD orderCount :one, #ltv :total',
          ExpressionAttributeNames: { '#type': 'type', '#name': 'name', '#ltv': `${LTV_PREFIX}${order.totals.total.currency}` },
          ExpressionAttributeValues: {
            ':type': ENTITY.customer, ':id': customerId, ':email': email, ':name': name, ':at': at, ':placed': order.createdAt, ':one': 1,
            ':total': order.totals.total.amount,
            ':last': { orderId: order.orderId, orderNumber: order.orderNumber, placedAt: order.createdAt },
            ...(phone ? { ':phone': phone } : {}),
          },
        },
      }, now);
    },

    /**
     * An order left the running (rejected, cancelled, expired): it no longer counts in
     * the customer's order count and lifetime value. A marker item claimed in the same
     * transaction makes a redelivered event change nothing.
     */
    async subtractExit(order: Pick<OrderRecord, 'orderId' | 'customer' | 'totals'>, now: Date): Promise<'applied' | 'already'> {
      const { customerId } = order.customer;
      return applyOnce(keys.customerExit(customerId, order.orderId), ENTITY.customerExit, order.orderId, {
        Update: {
          TableName: T,
          Key: keys.customer(customerId),
          UpdateExpression: 'SET updatedAt = :at ADD orderCount :minusOne, #ltv :minusTotal',
          // the exit may overtake its OrderPlaced: fail, and let the queue retry later
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#ltv': `${LTV_PREFIX}${order.totals.total.currency}` },
          ExpressionAttributeValues: { ':at': now.toISOString(), ':minusOne': -1, ':minusTotal': -order.totals.total.amount },
        },
      }, now);
    },
  };
}
export type CustomerRepository = ReturnType<typeof customerRepository>;
