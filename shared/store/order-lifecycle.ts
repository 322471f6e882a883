import { GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import {
  EVENTS, OrderApproved, OrderRejected, ReviewRequired,
} from '../../events/catalog';
import { buildEvent, type OutgoingEvent } from '../../events/define-event';
import { ConflictError, NotFoundError } from '../domain/errors';
import {
  alreadyApplied, decide, type Decision, type LifecycleCommand, type LifecycleEvent,
} from '../domain/lifecycle';
import type { OrderRecord } from '../domain/order';
import { newId } from './ids';
import { ENTITY, INDEX, keys } from './keys';
import { orderRepository, orderStatusUpdate } from './order-repository';
import { outboxItem } from './outbox';
import { commitItems, releaseItems, type ReservedLine } from './stock-repository';
import { cancellationReasons, isConditionFailure, withConflictRetry, type TableContext } from './table';

type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

export interface TransitionOptions {
  /** request id or event id that caused the change */
  causationId: string;
  now: Date;
  /** needed by approvals: how long the customer has to pay */
  paymentDeadlineMinutes?: number;
}

export interface TransitionResult {
  order: OrderRecord;
  decision: Decision;
}

export type ReviewRecord =
  | { outcome: 'review-required'; order: OrderRecord }
  | { outcome: 'skipped'; status: OrderRecord['status'] };

/** Tries before a command whose order keeps changing underneath is answered with 409. */
const MAX_ATTEMPTS = 4;

const byDetailType = new Map(EVENTS.map((e) => [e.detailType as string, e]));

/**
 * Order status changes after placement, each ONE transaction written from a
 * lifecycle decision: the order (conditioned on the version and status it was
 * decided on) with its new status, status index key and version, the timeline
 * entry, the outbox events and the stock movement. Stock is released or committed
 * only in the same transaction as the status change that owns it, so a repeated or
 * racing command can never move it twice: the loser's order condition fails.
 */
export function orderLifecycle(ctx: TableContext) {
  const T = ctx.tableName;
  const orders = orderRepository(ctx);

  async function reservedLines(orderId: string): Promise<ReservedLine[]> {
    const res = await ctx.doc.send(new GetCommand({ TableName: T, Key: keys.reservation(orderId), ConsistentRead: true }));
    if (!res.Item) throw new Error(`Order ${orderId} holds stock by its status but has no reservation`);
    return res.Item.lines as ReservedLine[];
  }

  function outgoing(order: OrderRecord, e: LifecycleEvent, extra: Record<string, unknown>, opts: TransitionOptions): OutgoingEvent {
    const def = byDetailType.get(e.detailType);
    if (!def) throw new Error(`Event ${e.detailType} is not in the catalog`);
    const data: Record<string, unknown> = { ...e.data, orderNumber: order.orderNumber };
    if (def === OrderApproved) data.paymentDueAt = extra.paymentDueAt;
    if (def === OrderRejected) Object.assign(data, { shortages: [], reason: e.data.reason ?? 'Rejected' });
    return buildEvent(def, data as never, {
      eventId: newId(opts.now), occurredAt: opts.now, correlationId: order.orderId, causationId: opts.causationId,
    });
  }

  function orderUpdate(order: OrderRecord, decision: Decision, set: Record<string, unknown>, at: string): TransactItem {
    return orderStatusUpdate(T, order, decision.status, decision.version, set, at);
  }

  function timelinePut(orderId: string, entry: { at: string; type: string; actor: string; detail?: string }): TransactItem {
    return {
      Put: {
        TableName: T,
        Item: {
          ...keys.timeline(orderId, entry.at, newId(new Date(entry.at))), type: ENTITY.timeline,
          at: entry.at, eventType: entry.type, actor: entry.actor, detail: entry.detail,
        },
      },
    };
  }

  async function attempt(order: OrderRecord, command: LifecycleCommand, opts: TransitionOptions): Promise<TransitionResult> {
    const decision = decide(order, command, opts.now);
    const at = opts.now.toISOString();
    const reason = decision.timeline.detail;
    const set: Record<string, unknown> = {};
    const items: TransactItem[] = [];

    if (decision.status === 'AWAITING_PAYMENT') {
      if (opts.paymentDeadlineMinutes === undefined) throw new Error('An approval needs the payment deadline');
      const dueAt = new Date(opts.now.getTime() + opts.paymentDeadlineMinutes * 60_000).toISOString();
      set.paymentDueAt = dueAt;
      items.push({ Put: { TableName: T, Item: { ...keys.paymentDue({ orderId: order.orderId, dueAt }), type: ENTITY.paymentDue, orderId: order.orderId, dueAt } } });
    }
    if (decision.previousStatus === 'AWAITING_PAYMENT') {
      items.push({ Delete: { TableName: T, Key: keys.paymentDueKey(order.orderId) } });
    }
    if (command.type === 'reject') set.rejectionReason = reason;
    if (command.type === 'cancel') set.cancellationReason = reason;

    if (decision.stock === 'release' || decision.stock === 'commit') {
      const move = { orderId: order.orderId, lines: await reservedLines(order.orderId), at, actor: decision.timeline.actor };
      items.push(...(decision.stock === 'release' ? releaseItems(T, move, decision.timeline.type) : commitItems(T, move, decision.timeline.type)));
    }

    const events = decision.events.map((e) => outgoing(order, e, set, opts));
    const transaction = new TransactWriteCommand({
      TransactItems: [
        orderUpdate(order, decision, set, at),
        timelinePut(order.orderId, decision.timeline),
        ...events.map((e) => ({ Put: { TableName: T, Item: outboxItem(keys.orderPartition(order.orderId), e, opts.now) } })),
        ...items,
      ],
    });
    await withConflictRetry(() => ctx.doc.send(transaction));
    const after: OrderRecord = { ...order, ...set, status: decision.status, version: decision.version, updatedAt: at };
    return { order: after, decision };
  }

  async function load(orderId: string): Promise<OrderRecord> {
    const order = await orders.getRecord(orderId);
    if (!order) throw new NotFoundError(`No order ${orderId}`, { orderId });
    return order;
  }

  /**
   * Apply one lifecycle command. Throws what decide() throws (400 no reason, 403,
   * 409 illegal or stale, with the current status); an order that changes between
   * the read and the write is read again and decided again, so the answer always
   * reflects the order as it is now.
   */
  async function transition(orderId: string, command: LifecycleCommand, opts: TransitionOptions): Promise<TransitionResult> {
    for (let i = 1; ; i++) {
      const order = await load(orderId);
      try {
        return await attempt(order, command, opts);
      } catch (err) {
        const reasons = cancellationReasons(err);
        // anything but "the order moved meanwhile" is a real failure (e.g. a hold already gone)
        if (!reasons || !isConditionFailure(reasons[0])) throw err;
        if (i >= MAX_ATTEMPTS) {
          const current = await load(orderId);
          throw new ConflictError(`Order ${orderId} keeps changing; it is ${current.status}`, { status: current.status, version: current.version }, 'stale-version', 'Order changed');
        }
      }
    }
  }

  return {
    transition,

    /**
     * The workflow settings want a person to look at the order: record why (timeline,
     * order, ReviewRequired for the notification rules) without changing its status.
     * Done once: a redelivered review, or an order someone already acted on, is skipped.
     */
    async requireReview(orderId: string, review: { rules: string[]; reasons: string[] }, opts: TransitionOptions): Promise<ReviewRecord> {
      const order = await load(orderId);
      if (order.status !== 'IN_REVIEW' || order.reviewReasons !== undefined) return { outcome: 'skipped', status: order.status };
      const at = opts.now.toISOString();
      const event = buildEvent(
        ReviewRequired,
        { orderId, orderNumber: order.orderNumber, rules: review.rules, reasons: review.reasons },
        { eventId: newId(opts.now), occurredAt: opts.now, correlationId: orderId, causationId: opts.causationId },
      );
      try {
        await withConflictRetry(() =>
          ctx.doc.send(
            new TransactWriteCommand({
              TransactItems: [
                {
                  Update: {
                    TableName: T,
                    Key: keys.order(orderId),
                    UpdateExpression: 'SET reviewReasons = :r, version = :next, updatedAt = :at',
                    ConditionExpression: 'version = :v AND #s = :inReview AND attribute_not_exists(reviewReasons)',
                    ExpressionAttributeNames: { '#s': 'status' },
                    ExpressionAttributeValues: { ':r': review.reasons, ':next': order.version + 1, ':v': order.version, ':at': at, ':inReview': 'IN_REVIEW' },
                  },
                },
                timelinePut(orderId, { at, type: 'REVIEW_REQUIRED', actor: 'system:review-order', detail: review.reasons.join('; ') }),
                { Put: { TableName: T, Item: outboxItem(keys.orderPartition(orderId), event, opts.now) } },
              ],
            }),
          ),
        );
      } catch (err) {
        const reasons = cancellationReasons(err);
        if (reasons && isConditionFailure(reasons[0])) {
          const current = await load(orderId);
          return { outcome: 'skipped', status: current.status };
        }
        throw err;
      }
      return { outcome: 'review-required', order: { ...order, reviewReasons: review.reasons, version: order.version + 1, updatedAt: at } };
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
    async hasEarlierOrder(order: Pick<OrderRecord, 'orderId' | 'createdAt' | 'customer'>): Promise<boolean> {
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

    /** Whether the order already shows the command's outcome (a worker then acknowledges a redelivery). */
    alreadyApplied,
  };
}
export type OrderLifecycle = ReturnType<typeof orderLifecycle>;
