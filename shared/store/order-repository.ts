import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Demand } from '../domain/inventory';
import { Order, TimelineEntry, type OrderRecord } from '../domain/order';
import type { ReservedLine } from '../domain/order-changes';
import { findReplay, replayAmong, type IdempotencyClaim, type StoredResponse } from './idempotency';
import * as keys from './keys';
import { ENTITY, INDEX, orderItemKind } from './keys';
import { batchGet, productFromItem } from './product-repository';
import { moneyView, orderMoneyFrom, type MoneyView } from './payment-repository';
import { queryAll, type TableContext } from './table';
import type { Product } from '../domain/product';
import { lazySchema } from '../domain/lazy-schema';

/**
 * `outboundItems`: the partition's fulfilment, shipment and return items as stored, for the
 * order views to read with `orderOutboundFrom` (kept out of this module so that every
 * function reading orders does not carry the outbound rules).
 */
export type OrderView = Order & MoneyView & { placedBy: string; outboundItems?: Record<string, unknown>[] };

/** Built once: zod compiles an object schema on its first parse, so a schema made per read costs ~0.7 ms each time. */
const OrderItem = lazySchema(() => Order.unwrap().omit({ timeline: true }));

function orderFromItem(item: Record<string, unknown>): OrderRecord {
  const { pk: _pk, sk: _sk, type: _t, gsi1pk: _a, gsi1sk: _b, gsi2pk: _c, gsi2sk: _d, placedBy, ...rest } = item;
  return { ...OrderItem.parse(rest), placedBy: String(placedBy) };
}

/**
 * Reads of the order aggregate. Every write of an order (placement, reservation,
 * review, transitions, notes) is a change set committed by the writer.
 */
export function orderRepository(ctx: TableContext) {
  const T = ctx.tableName;

  async function getRecord(orderId: string): Promise<OrderRecord | undefined> {
    const res = await ctx.doc.send(new GetCommand({ TableName: T, Key: keys.order(orderId), ConsistentRead: true }));
    return res.Item ? orderFromItem(res.Item) : undefined;
  }

  /** Every item of the order's partition (outbox items included): one consistent Query. */
  async function partitionItems(orderId: string): Promise<Record<string, unknown>[]> {
    return queryAll(ctx, {
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.orderPartition(orderId) },
      ConsistentRead: true,
    });
  }

  /** The order view from its partition's items (undefined without the ORDER item). */
  function orderViewOf(items: readonly Record<string, unknown>[]): OrderView | undefined {
    const orderItem = items.find((i) => orderItemKind(String(i.sk)) === 'order');
    if (!orderItem) return undefined;
    const record = orderFromItem(orderItem);
    const reservation = items.find((i) => orderItemKind(String(i.sk)) === 'reservation');
    const outbound = items.filter((i) => keys.outboundKind(String(i.sk)) !== undefined || keys.isReturn(String(i.sk)));
    const timeline = items
      .filter((i) => orderItemKind(String(i.sk)) === 'timeline')
      .map((i) => TimelineEntry.parse({ at: i.at, type: i.eventType, actor: i.actor, detail: i.detail }));
    return {
      ...record,
      timeline,
      ...(reservation ? { reservations: reservation.lines as Demand[] } : {}),
      ...moneyView(orderMoneyFrom(items), record.totals.total.currency),
      ...(outbound.length ? { outboundItems: outbound } : {}),
    };
  }

  return {
    getRecord,

    /** Several orders in one consistent BatchGetItem (per 100): the ones that exist, by order id. */
    async getRecords(orderIds: readonly string[]): Promise<Map<string, OrderRecord>> {
      const items = await batchGet(ctx, [...new Set(orderIds)].map((orderId) => keys.order(orderId)));
      return new Map(items.map((item) => {
        const order = orderFromItem(item);
        return [order.orderId, order];
      }));
    },

    findReplay: (claims: readonly IdempotencyClaim[], now: Date) => findReplay(ctx, claims, now),

    /**
     * What placing an order reads first, in one consistent BatchGetItem instead of three
     * requests: a previous answer to the same request (or a 409 for a claim reused with a
     * different one), the products of its lines, and the customer id its email already has.
     */
    async readForPlacement(input: { claims: readonly IdempotencyClaim[]; skus: readonly string[]; email: string; now: Date }): Promise<{
      replay?: StoredResponse;
      products: Map<string, Product>;
      existingCustomerId: string | undefined;
    }> {
      const id = (k: { pk: string; sk: string }) => `${k.pk}\n${k.sk}`;
      const wanted = new Map<string, { pk: string; sk: string }>();
      for (const k of [
        ...input.claims.map((c) => keys.idempotency(c.scope, c.key)),
        keys.customerEmail(input.email),
        ...input.skus.map((sku) => keys.product(sku)),
      ]) wanted.set(id(k), k);
      const found = new Map((await batchGet(ctx, [...wanted.values()])).map((item) => [id(item as { pk: string; sk: string }), item]));
      const replay = replayAmong(input.claims, (k) => found.get(id(k)), input.now);
      if (replay) return { replay, products: new Map(), existingCustomerId: undefined };
      const products = new Map<string, Product>();
      for (const sku of input.skus) {
        const item = found.get(id(keys.product(sku)));
        if (item) products.set(sku, productFromItem(item));
      }
      const email = found.get(id(keys.customerEmail(input.email)));
      return { products, existingCustomerId: email ? String(email.customerId) : undefined };
    },

    /**
     * Takes `count` numbers of the day's order sequence with one atomic ADD, outside the
     * order transaction so that numbers stay short and sequential: the range's last number
     * (UPDATED_NEW), so the range is last - count + 1 .. last and no other caller gets any
     * of it. A container hands them out from a lease (`shared/app/order-numbers.ts`). A
     * number whose transaction fails (or loses an idempotency race) is never used: gaps are
     * acceptable, duplicates are not (ORDERNO is also created with attribute_not_exists).
     */
    async takeOrderSequences(day: string, count: number): Promise<number> {
      const res = await ctx.doc.send(
        new UpdateCommand({
          TableName: T,
          Key: keys.orderNumberCounter(day),
          UpdateExpression: 'SET #type = :type ADD seq :n',
          ExpressionAttributeNames: { '#type': 'type' },
          ExpressionAttributeValues: { ':type': ENTITY.counter, ':n': count },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return Number(res.Attributes?.seq);
    },

    /** The whole order: one Query of its partition (order, reservation, timeline, payments and money). */
    async get(orderId: string): Promise<OrderView | undefined> {
      return orderViewOf(await partitionItems(orderId));
    },

    partitionItems,
    orderViewOf,

    /** The lines an order holds, from its reservation (absent: it holds nothing). */
    async reservedLines(orderId: string): Promise<ReservedLine[] | undefined> {
      const res = await ctx.doc.send(new GetCommand({ TableName: T, Key: keys.reservation(orderId), ConsistentRead: true }));
      return res.Item ? (res.Item.lines as ReservedLine[]) : undefined;
    },

    /** Orders whose payment deadline is at or before `now`, oldest deadline first: one index Query, no scan. */
    async dueForExpiry(now: Date, limit = 100): Promise<string[]> {
      const res = await ctx.doc.send(
        new QueryCommand({
          TableName: T,
          IndexName: INDEX.gsi2,
          KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk <= :until',
          ExpressionAttributeValues: { ':pk': keys.paymentDuePk, ':until': keys.paymentDueUntil(now.toISOString()) },
          Limit: limit,
        }),
      );
      return (res.Items ?? []).map((i) => String(i.orderId));
    },

    /**
     * Whether the customer placed any order before this one (first-time-customer rule):
     * one Query of the customer's orders by date on gsi1, reading at most one item.
     */
    async hasEarlierOrder(order: EarlierOrderQuery): Promise<boolean> {
      const res = await ctx.doc.send(
        new QueryCommand({
          TableName: T,
          IndexName: INDEX.gsi1,
          // from the first possible order key up to this order's own (inclusive, so two items at most)
          KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :first AND :self',
          ExpressionAttributeValues: {
            ':pk': keys.customerOrdersPk(order.customer.customerId),
            ':first': keys.customerOrdersSk(''),
            ':self': keys.customerOrdersSk(order.createdAt, order.orderId),
          },
          ProjectionExpression: 'orderId',
          Limit: 2,
        }),
      );
      return (res.Items ?? []).some((i) => i.orderId !== order.orderId);
    },
  };
}
export type OrderRepository = ReturnType<typeof orderRepository>;

/** An order, for whether its customer placed another before it: an OrderRecord fits. */
export interface EarlierOrderQuery { orderId: string; createdAt: string; customer: { customerId: string } }

export type { IdempotencyClaim, StoredResponse };
