import { ORDER_STATUS_EVENTS } from '../../events/orders';
import { ConflictError, NotFoundError } from '../domain/errors';
import {
  alreadyApplied, decide, type DecideFacts, type Decision, type LifecycleCommand, type LifecycleOrder, type ReviewCommand,
} from '../domain/lifecycle';
import type { OrderRecord } from '../domain/order';
import { orderChangeSet } from '../domain/order-changes';
import { systemActor } from '../domain/actor';
import { orderRepository, type EarlierOrderQuery, type OrderRepository } from '../store/order-repository';
import type { Store } from '../store';
import { settingsRepository } from '../store/settings-repository';
import { stockRepository } from '../store/stock-repository';
import type { TableContext } from '../store/table';
import { ConditionFailed, makeWriter, type Writer } from '../store/writer';
import { stamper } from './events';
import { makeSettleHolds } from './reserve-stock';
import { staged } from '../domain/stock-changes';

/** The events these use cases publish, stamped for the outbox. */
const stamped = stamper(ORDER_STATUS_EVENTS);

type SettleHolds = ReturnType<typeof makeSettleHolds>;
import { settingsService } from './settings';

export interface TransitionOptions<O extends LifecycleOrder = OrderRecord> {
  /** request id or event id that caused the change */
  causationId: string;
  now: Date;
  /** needed by approvals: how long the customer has to pay */
  paymentDeadlineMinutes?: number;
  /** pay: the order's total is zero (nothing to collect) */
  nothingDue?: boolean;
  /**
   * the order as the caller just read it, or as the event that triggered the step
   * describes it: the first attempt decides on it instead of reading it again; the
   * write is conditioned on its version and status, so a stale copy only costs a
   * re-read and another attempt
   */
  read?: O;
}

export interface TransitionResult<O extends LifecycleOrder = OrderRecord> {
  /** the order after the change: the copy decided on (`read`, or the order as read) with what changed */
  order: O;
  decision: Decision;
}

export type ReviewRecord<O extends LifecycleOrder = OrderRecord> =
  | { outcome: 'review-required'; order: O }
  | { outcome: 'skipped'; status: OrderRecord['status'] };

export interface LifecycleDeps {
  orders: Pick<OrderRepository, 'getRecord' | 'reservedLines' | 'dueForExpiry' | 'hasEarlierOrder'>;
  writer: Pick<Writer, 'commit'>;
  /** ends, in stages, the holds of an order of more SKUs than one transaction moves */
  settleHolds?: SettleHolds;
}

/** Tries before a command whose order keeps changing underneath is answered with 409. */
const MAX_ATTEMPTS = 4;

export const REVIEWER = systemActor('review-order');

/**
 * Order status changes after placement: load the order (and what it holds), let
 * lifecycle.decide() decide, commit the decision's change set as one transaction. A
 * repeated or racing command loses on the order's version condition, so stock moves
 * at most once; an order that changed between the read and the write is read and
 * decided again, so the answer always reflects the order as it is now.
 */
export function makeOrderLifecycle(deps: LifecycleDeps) {
  async function load(orderId: string): Promise<OrderRecord> {
    const order = await deps.orders.getRecord(orderId);
    if (!order) throw new NotFoundError(`No order ${orderId}`, { orderId });
    return order;
  }

  async function apply<O extends LifecycleOrder>(order: O, command: LifecycleCommand | ReviewCommand, facts: DecideFacts, opts: { causationId: string; now: Date }): Promise<TransitionResult<O>> {
    const decision = decide(order, command, opts.now, facts);
    const reservedLines = decision.stock === 'release' || decision.stock === 'commit' ? await deps.orders.reservedLines(order.orderId) : undefined;
    const set = orderChangeSet(order, decision, { ...(reservedLines ? { reservedLines } : {}) });
    await deps.writer.commit(stamped(set, { now: opts.now, correlationId: order.orderId, causationId: opts.causationId }));
    const after = { ...order, ...decision.set, status: decision.status, version: decision.version, updatedAt: decision.timeline.at } as O;
    // too many SKUs to move with the order: its holds end now that it has moved
    if (reservedLines && staged(reservedLines.length)) {
      if (!deps.settleHolds) throw new Error(`Order ${order.orderId} holds too many SKUs for one transaction and nothing ends them`);
      await deps.settleHolds({ orderId: order.orderId, status: decision.status, lines: reservedLines }, { causationId: opts.causationId, now: opts.now, actor: decision.timeline.actor });
    }
    return { order: after, decision };
  }

  /**
   * Apply one lifecycle command. Throws what decide() throws (400 no reason, 403,
   * 409 illegal or stale, with the current status).
   */
  async function transition<O extends LifecycleOrder = OrderRecord>(orderId: string, command: LifecycleCommand, opts: TransitionOptions<O>): Promise<TransitionResult<O | OrderRecord>> {
    const approving = command.type === 'approve' || command.type === 'auto-approve';
    if (approving && opts.paymentDeadlineMinutes === undefined) throw new Error('An approval needs the payment deadline');
    const facts: DecideFacts = {
      ...(opts.paymentDeadlineMinutes !== undefined ? { paymentDeadlineMinutes: opts.paymentDeadlineMinutes } : {}),
      ...(opts.nothingDue ? { nothingDue: true } : {}),
    };
    for (let i = 1; ; i++) {
      const order: O | OrderRecord = i === 1 && opts.read?.orderId === orderId ? opts.read : await load(orderId);
      try {
        return await apply(order, command, facts, opts);
      } catch (err) {
        // anything but "the order moved meanwhile" is a real failure (e.g. a hold already gone)
        if (!(err instanceof ConditionFailed) || !err.find('order')) throw err;
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
     * Like a transition, it decides on `read` if given; its write is conditioned on the
     * order's version and status and on no reasons recorded yet, so a stale copy only
     * means reading the order and deciding again.
     */
    async requireReview<O extends LifecycleOrder = OrderRecord>(
      orderId: string, review: { rules: string[]; reasons: string[] }, opts: TransitionOptions<O>,
    ): Promise<ReviewRecord<O | OrderRecord>> {
      for (let i = 1; ; i++) {
        const order: O | OrderRecord = i === 1 && opts.read?.orderId === orderId ? opts.read : await load(orderId);
        if (order.status !== 'IN_REVIEW' || order.reviewReasons !== undefined) return { outcome: 'skipped', status: order.status };
        try {
          const { order: after } = await apply(order, { type: 'require-review', actor: REVIEWER, ...review }, {}, opts);
          return { outcome: 'review-required', order: after };
        } catch (err) {
          if (!(err instanceof ConditionFailed) || !err.find('order')) throw err;
          if (i >= MAX_ATTEMPTS) return { outcome: 'skipped', status: (await load(orderId)).status };
        }
      }
    },

    dueForExpiry: (now: Date, limit?: number) => deps.orders.dueForExpiry(now, limit),
    hasEarlierOrder: (order: EarlierOrderQuery) => deps.orders.hasEarlierOrder(order),

    /** Whether the order already shows the command's outcome (a worker then acknowledges a redelivery). */
    alreadyApplied,
  };
}

/** The lifecycle over one table. */
export const orderLifecycle = (ctx: TableContext | Pick<Store, 'orders' | 'stock'> & { writer: Writer }) => {
  const store = 'writer' in ctx ? ctx : lifecycleStore(ctx);
  return makeOrderLifecycle({ orders: store.orders, writer: store.writer, settleHolds: makeSettleHolds(store) });
};
export type OrderLifecycle = ReturnType<typeof makeOrderLifecycle>;

/** What the review and staff-action steps use, wired over one table without the other use cases. */
export function lifecycleSteps(ctx: TableContext) {
  const store = lifecycleStore(ctx);
  return { orders: store.orders, lifecycle: orderLifecycle(store), settings: settingsService(store) };
}

/**
 * Only the repositories the lifecycle uses, built directly rather than through
 * storeFor(): a function bundle then holds none of the others (bundles stay small).
 */
function lifecycleStore(ctx: TableContext) {
  return { orders: orderRepository(ctx), stock: stockRepository(ctx), settings: settingsRepository(ctx), writer: makeWriter(ctx) };
}
