import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { OrderPlaced, OrderRejected, StockReserved } from '../../events/catalog';
import { buildEvent, type OutgoingEvent } from '../../events/define-event';
import { summarizeDemand, shortageReason, type Demand, type Shortage } from '../domain/inventory';
import { Order, TimelineEntry, type OrderRecord } from '../domain/order';
import { assertTransition, type OrderStatus } from '../domain/order-status';
import { newId } from './ids';
import { claimPut, findReplay, resolveLostClaim, type IdempotencyClaim, type StoredResponse } from './idempotency';
import { claimWinner, customerOrderItems, customerRepository, newCustomerId, type CustomerMatch } from './customer-repository';
import { ENTITY, keys, orderItemKind } from './keys';
import { outboxItem } from './outbox';
import { planReservation } from './reservation-planner';
import { reserveItems } from './stock-movements';
import {
  cancellationReasons, isConditionFailure, queryAll, withConflictRetry, type TableContext,
} from './table';

const SYSTEM_ACTOR = 'system:reserve-stock';

export type OrderView = Order & { placedBy: string };

export type ReserveOutcome =
  | { outcome: 'reserved'; reservations: Demand[] }
  | { outcome: 'rejected'; shortages: Shortage[] }
  | { outcome: 'skipped'; status: OrderStatus };

function orderFromItem(item: Record<string, unknown>): OrderRecord {
  const { pk: _pk, sk: _sk, type: _t, gsi1pk: _a, gsi1sk: _b, gsi2pk: _c, gsi2sk: _d, placedBy, ...rest } = item;
  return { ...Order.omit({ timeline: true }).parse(rest), placedBy: String(placedBy) };
}

/**
 * An order's status change as a transaction item: optimistic lock on the version and
 * status it was decided on, the status index moved with it, plus any fields in `set`.
 * Every transition (reservation, review, cancel, expiry) goes through this one shape.
 */
export function orderStatusUpdate(
  tableName: string,
  order: OrderRecord,
  to: OrderStatus,
  nextVersion: number,
  set: Record<string, unknown>,
  at: string,
) {
  const names: Record<string, string> = { '#s': 'status', '#v': 'version' };
  const values: Record<string, unknown> = {
    ':to': to, ':from': order.status, ':v': order.version, ':next': nextVersion, ':at': at,
    ':gsi2pk': keys.orderStatusIndex(to, order.createdAt, order.orderId).gsi2pk,
  };
  const extra = Object.entries(set).map(([k, v]) => {
    names[`#${k}`] = k;
    values[`:${k}`] = v;
    return `#${k} = :${k}`;
  });
  return {
    Update: {
      TableName: tableName,
      Key: keys.order(order.orderId),
      UpdateExpression: ['SET #s = :to', '#v = :next', 'updatedAt = :at', 'gsi2pk = :gsi2pk', ...extra].join(', '),
      ConditionExpression: '#v = :v AND #s = :from',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}

export function orderRepository(ctx: TableContext) {
  const T = ctx.tableName;
  const customers = customerRepository(ctx);

  function timelineItem(orderId: string, at: string, type: string, actor: string, detail?: string) {
    return { ...keys.timeline(orderId, at, newId(new Date(at))), type: ENTITY.timeline, at, eventType: type, actor, detail };
  }

  async function getRecord(orderId: string): Promise<OrderRecord | undefined> {
    const res = await ctx.doc.send(new GetCommand({ TableName: T, Key: keys.order(orderId), ConsistentRead: true }));
    return res.Item ? orderFromItem(res.Item) : undefined;
  }

  /** Moves the order out of PENDING together with its timeline entry and outbox event, or reports why not. */
  function statusChange(order: OrderRecord, to: OrderStatus, set: Record<string, unknown>, now: Date) {
    assertTransition(order.status, to);
    return orderStatusUpdate(T, order, to, order.version + 1, set, now.toISOString());
  }

  async function reject(order: OrderRecord, shortages: Shortage[], causationId: string, now: Date): Promise<ReserveOutcome> {
    const reason = shortageReason(shortages);
    const event = buildEvent(
      OrderRejected,
      {
        orderId: order.orderId, orderNumber: order.orderNumber, reason, shortages,
        previousStatus: order.status, status: 'REJECTED', actor: SYSTEM_ACTOR, refundDue: false,
      },
      { eventId: newId(now), occurredAt: now, correlationId: order.orderId, causationId },
    );
    try {
      await withConflictRetry(() =>
        ctx.doc.send(
          new TransactWriteCommand({
            TransactItems: [
              statusChange(order, 'REJECTED', { rejectionReason: reason, shortages }, now),
              { Put: { TableName: T, Item: timelineItem(order.orderId, now.toISOString(), 'ORDER_REJECTED', SYSTEM_ACTOR, reason) } },
              { Put: { TableName: T, Item: outboxItem(keys.orderPartition(order.orderId), event, now) } },
            ],
          }),
        ),
      );
    } catch (err) {
      const reasons = cancellationReasons(err);
      if (reasons && isConditionFailure(reasons[0])) return skipped(order.orderId);
      throw err;
    }
    return { outcome: 'rejected', shortages };
  }

  /** The order's condition failed: fine if another delivery moved it on, a retry if it is still PENDING. */
  async function skipped(orderId: string): Promise<ReserveOutcome> {
    const current = await getRecord(orderId);
    if (!current || current.status === 'PENDING') {
      throw new Error(`Order ${orderId} changed while reserving; retry`);
    }
    return { outcome: 'skipped', status: current.status };
  }

  return {
    findReplay: (claims: readonly IdempotencyClaim[], now: Date) => findReplay(ctx, claims, now),

    /**
     * Next number of the day's order sequence: one atomic ADD, outside the order
     * transaction so that numbers stay short and sequential. If the transaction then
     * fails (or loses an idempotency race) the number is never used: gaps are
     * acceptable, duplicates are not (ORDERNO is also created with attribute_not_exists).
     */
    async nextOrderSequence(day: string): Promise<number> {
      const res = await ctx.doc.send(
        new UpdateCommand({
          TableName: T,
          Key: keys.orderNumberCounter(day),
          UpdateExpression: 'SET #type = :type ADD seq :one',
          ExpressionAttributeNames: { '#type': 'type' },
          ExpressionAttributeValues: { ':type': ENTITY.counter, ':one': 1 },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return Number(res.Attributes?.seq);
    },

    /**
     * ONE transaction: idempotency claims, the order (version 1, PENDING), its number,
     * the first timeline entry and the OrderPlaced outbox event. A concurrent duplicate
     * loses on its idempotency item and answers with the winner's stored response.
     */
    async create(
      placed: OrderRecord,
      opts: { claims: readonly IdempotencyClaim[]; response: StoredResponse; actor: string; causationId: string; now: Date },
    ): Promise<{ response: StoredResponse; replayed: boolean }> {
      const { now } = opts;
      const at = now.toISOString();
      const claimItems = opts.claims.map((claim) => claimPut(T, claim, opts.response, now, { orderId: placed.orderId }));
      // The customer is matched by email, or created with this order. Two first orders of
      // one email race on its claim; the loser retries once with the winner's id.
      const existing = await customers.idForEmail(placed.customer.email);
      let match: CustomerMatch = existing ? { customerId: existing, isNew: false } : { customerId: newCustomerId(), isNew: true };
      for (let attempt = 1; ; attempt++) {
        const order: OrderRecord = { ...placed, customer: { ...placed.customer, customerId: match.customerId } };
        const event: OutgoingEvent = buildEvent(
          OrderPlaced,
          {
            orderId: order.orderId,
            orderNumber: order.orderNumber,
            channel: order.channel,
            customerId: order.customer.customerId,
            lines: order.lines.map(({ sku, quantity, unitPrice }) => ({ sku, quantity, unitPrice })),
            totals: order.totals,
            placedAt: order.createdAt,
          },
          { eventId: newId(now), occurredAt: now, correlationId: order.orderId, causationId: opts.causationId },
        );
        const transaction = new TransactWriteCommand({
          TransactItems: [
            ...claimItems,
            {
              Put: {
                TableName: T,
                Item: {
                  ...keys.order(order.orderId),
                  ...keys.orderIndexes({ ...order, customerId: order.customer.customerId }),
                  type: ENTITY.order,
                  ...order,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: T,
                Item: { ...keys.orderNumber(order.orderNumber), type: ENTITY.orderNumber, orderId: order.orderId, orderNumber: order.orderNumber },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            { Put: { TableName: T, Item: { ...keys.orderLookup(order), type: ENTITY.orderLookup, orderId: order.orderId } } },
            { Put: { TableName: T, Item: timelineItem(order.orderId, at, 'ORDER_PLACED', opts.actor) } },
            { Put: { TableName: T, Item: outboxItem(keys.orderPartition(order.orderId), event, now) } },
            ...customerOrderItems(T, order, match), // keep last: its index is read below
          ],
        });
        try {
          await withConflictRetry(() => ctx.doc.send(transaction));
          return { response: opts.response, replayed: false };
        } catch (err) {
          const reasons = cancellationReasons(err);
          if (!reasons) throw err;
          for (const [i, claim] of opts.claims.entries()) {
            if (!isConditionFailure(reasons[i])) continue;
            return { response: await resolveLostClaim(ctx, claim, reasons[i]), replayed: true };
          }
          const emailClaim = match.isNew ? reasons[transaction.input.TransactItems!.length - 1] : undefined;
          const winner = match.isNew && isConditionFailure(emailClaim) ? (claimWinner(emailClaim) ?? (await customers.idForEmail(placed.customer.email))) : undefined;
          if (!winner || attempt > 1) throw err;
          match = { customerId: winner, isNew: false };
        }
      }
    },

    getRecord,

    /** The whole order: one Query of its partition (order, reservation, timeline). */
    async get(orderId: string): Promise<OrderView | undefined> {
      const items = await queryAll(ctx, {
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.orderPartition(orderId) },
        ConsistentRead: true,
      });
      const orderItem = items.find((i) => orderItemKind(String(i.sk)) === 'order');
      if (!orderItem) return undefined;
      const record = orderFromItem(orderItem);
      const reservation = items.find((i) => orderItemKind(String(i.sk)) === 'reservation');
      const timeline = items
        .filter((i) => orderItemKind(String(i.sk)) === 'timeline')
        .map((i) => TimelineEntry.parse({ at: i.at, type: i.eventType, actor: i.actor, detail: i.detail }));
      return {
        ...record,
        timeline,
        ...(reservation ? { reservations: reservation.lines as Demand[] } : {}),
      };
    },

    /**
     * Reserve stock for a PENDING order, all or nothing, in ONE transaction at ONE
     * location: the first by priority that covers the whole order. Each SKU's demand
     * (summed over lines) moves from `available` to `reserved` at that location and in
     * the SKU's total, under `available >= :q`, with a ledger entry and a hold per SKU;
     * the reservation is recorded with its location, the order becomes IN_REVIEW
     * (version-checked), with timeline entry and StockReserved. If no location covers
     * the order nothing is reserved and the order is REJECTED naming the short SKUs; if
     * a level changed between planning and writing, it plans again. An order that is
     * no longer PENDING (redelivered message) is left alone.
     */
    async reserve(orderId: string, causationId: string, now: Date): Promise<ReserveOutcome> {
      const order = await getRecord(orderId);
      if (!order) throw new Error(`Order ${orderId} not found`);
      if (order.status !== 'PENDING') return { outcome: 'skipped', status: order.status };

      const demand = summarizeDemand(order.lines);
      const at = now.toISOString();
      const event = buildEvent(
        StockReserved,
        { orderId, orderNumber: order.orderNumber, reservations: demand },
        { eventId: newId(now), occurredAt: now, correlationId: orderId, causationId },
      );
      for (let attempt = 1; ; attempt++) {
        const plan = await planReservation(ctx, demand);
        if ('shortages' in plan) return reject(order, plan.shortages, causationId, now);
        const lines = demand.map((d) => ({ ...d, locationId: plan.locationId }));
        const stockItems = reserveItems(T, { orderId, lines, at, actor: SYSTEM_ACTOR });
        const transaction = new TransactWriteCommand({
          TransactItems: [
            ...stockItems,
            {
              Put: {
                TableName: T,
                Item: { ...keys.reservation(orderId), type: ENTITY.reservation, orderId, locationId: plan.locationId, lines, createdAt: at },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            statusChange(order, 'IN_REVIEW', {}, now),
            { Put: { TableName: T, Item: timelineItem(orderId, at, 'STOCK_RESERVED', SYSTEM_ACTOR, `at ${plan.locationId}`) } },
            { Put: { TableName: T, Item: outboxItem(keys.orderPartition(orderId), event, now) } },
          ],
        });
        try {
          await withConflictRetry(() => ctx.doc.send(transaction));
          return { outcome: 'reserved', reservations: demand };
        } catch (err) {
          const reasons = cancellationReasons(err);
          if (!reasons) throw err;
          // the order or its reservation changed meanwhile: another delivery won
          const n = stockItems.length;
          if (isConditionFailure(reasons[n]) || isConditionFailure(reasons[n + 1])) return skipped(orderId);
          // a level moved since it was read: plan again (another location may cover it now)
          if (!reasons.slice(0, n).some(isConditionFailure) || attempt >= 8) throw err;
        }
      }
    },
  };
}
export type OrderRepository = ReturnType<typeof orderRepository>;

export type { IdempotencyClaim, StoredResponse };
