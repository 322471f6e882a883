import type { Change, ChangeSet } from '../domain/decision';
import { WaitsForEarlierEvent } from '../domain/errors';
import type { OrderRecord } from '../domain/order';
import { storeFor, type Store } from '../store';
import { lastOrderFields, lifetimeValueAttribute } from '../store/customer-repository';
import type { TableContext } from '../store/table';
import type { BatchWriter } from '../store/batch-writer';
import { ConditionFailed } from '../store/writer';

export interface CustomerStatsDeps {
  writer: Pick<BatchWriter, 'commit' | 'commitTogether'>;
}

/** An order event the stats count: the order placed, or its exit (rejected, cancelled, expired). */
export interface StatsEvent {
  kind: 'placed' | 'exit';
  order: OrderRecord;
}

export type StatsOutcome = 'applied' | 'already';

/** One profile change with its applied-once marker, claimed in the same transaction. */
function once(customerId: string, marker: 'customerOrder' | 'customerExit', orderId: string, profile: Change, now: Date): ChangeSet<never> {
  const at = now.toISOString();
  return {
    aggregate: { entity: 'customer', id: customerId },
    at,
    changes: [
      { op: 'put', entity: marker, id: [customerId, orderId], tag: 'marker', expect: { exists: false }, item: { orderId, at } },
      { ...profile, tag: 'profile' },
    ],
    events: [],
    movements: [],
  };
}

/**
 * Customer profiles kept from order events: OrderPlaced adds the order (creating the
 * profile on the first one), an exit (rejected, cancelled, expired) subtracts it. A
 * marker item per order and kind makes a redelivered event change nothing.
 */
export function makeCustomerStats(deps: CustomerStatsDeps) {
  async function commit(set: ChangeSet<never>, orderId: string): Promise<StatsOutcome> {
    try {
      await deps.writer.commit(set);
      return 'applied';
    } catch (err) {
      if (!(err instanceof ConditionFailed)) throw err;
      if (err.find('marker')) return 'already';
      throw new WaitsForEarlierEvent(`Order ${orderId}: its customer profile is not there yet; retry`, { cause: err });
    }
  }

  /**
   * OrderPlaced's change: counts, with its marker; the contact details unless the profile
   * was erased (they come from the order as read, which an erasure may have overtaken);
   * the last order when `last`. The profile as it was comes back when a condition fails.
   */
  function placedSet(order: OrderRecord, now: Date, opts: { last: boolean; contact: boolean }): ChangeSet<never> {
    const { customerId, email, name, phone } = order.customer;
    const last = lastOrderFields({ orderId: order.orderId, orderNumber: order.orderNumber, placedAt: order.createdAt });
    return once(customerId, 'customerOrder', order.orderId, {
      op: 'update', entity: 'customer', id: [customerId], returnOld: true,
      set: { customerId, updatedAt: now.toISOString(), ...(opts.contact ? { email, name, ...(phone ? { phone } : {}) } : {}), ...(opts.last ? last : {}) },
      setIfAbsent: { createdAt: order.createdAt, version: 1 },
      add: { orderCount: 1, [lifetimeValueAttribute(order.totals.total.currency)]: order.totals.total.amount },
      expect: {
        // the last order only moves forward: this order, unless a later one is there already
        ...(opts.last ? { absentOrAtMost: { lastOrderKey: last.lastOrderKey } } : {}),
        // an erased profile never takes contact details again
        ...(opts.contact ? { missing: ['erasedAt'] } : {}),
      },
    }, now);
  }

  /** An exit's change: the order no longer counts, once it was added (the marker of its OrderPlaced). */
  function exitSet(order: Pick<OrderRecord, 'orderId' | 'customer' | 'totals'>, now: Date): ChangeSet<never> {
    const { customerId } = order.customer;
    const set = once(customerId, 'customerExit', order.orderId, {
      op: 'update', entity: 'customer', id: [customerId], expect: { exists: true },
      set: { updatedAt: now.toISOString() },
      add: { orderCount: -1, [lifetimeValueAttribute(order.totals.total.currency)]: -order.totals.total.amount },
    }, now);
    // only once the order was added (the profile itself exists from the first order's transaction)
    set.changes.push({ op: 'check', entity: 'customerOrder', id: [customerId, order.orderId], tag: 'added', expect: { exists: true } });
    return set;
  }

  /**
   * Contact details, order count, lifetime value (counted once per order) and the last
   * order, in one transaction with the marker; the last order only ever moves forward (an
   * older order arriving late is counted in a second transaction that leaves it).
   */
  async function addPlaced(order: OrderRecord, now: Date): Promise<StatsOutcome> {
    try {
      await deps.writer.commit(placedSet(order, now, { last: true, contact: true }));
      return 'applied';
    } catch (err) {
      if (!(err instanceof ConditionFailed)) throw err;
      if (err.find('marker')) return 'already';
      const profile = err.find('profile');
      if (!profile) throw err;
      // a later order is the last already (this one arrived late), or the profile was erased
      // meanwhile: count it, and leave what the profile's own state says to leave
      const lastKey = profile.old?.lastOrderKey;
      const later = typeof lastKey === 'string' && lastKey > lastOrderFields({ orderId: order.orderId, orderNumber: order.orderNumber, placedAt: order.createdAt }).lastOrderKey;
      return commit(placedSet(order, now, { last: profile.old !== undefined && !later, contact: profile.old !== undefined && profile.old.erasedAt === undefined }), order.orderId);
    }
  }

  /** the order left the running: it no longer counts; an exit overtaking its OrderPlaced (not added yet) fails and is retried */
  const subtractExit = (order: Pick<OrderRecord, 'orderId' | 'customer' | 'totals'>, now: Date): Promise<StatsOutcome> =>
    commit(exitSet(order, now), order.orderId);

  return {
    addPlaced,
    subtractExit,

    /**
     * A batch's events written together, in as few transactions as they fit (an order's
     * events and one customer's orders in separate ones, in the batch's order). An event
     * counted before (its marker is there) is 'already'; one whose other condition failed
     * (the profile's last order moved by a later order, an exit ahead of its OrderPlaced)
     * takes the one-event path above, placements before exits. Resolves to each event's
     * outcome, an error for one to retry.
     */
    async applyAll(events: readonly StatsEvent[], now: Date): Promise<(StatsOutcome | Error)[]> {
      const written = await deps.writer.commitTogether(events.map((e) => (e.kind === 'exit' ? exitSet(e.order, now) : placedSet(e.order, now, { last: true, contact: true }))));
      const outcomes: (StatsOutcome | Error | undefined)[] = written.map((err) => {
        if (!err) return 'applied';
        if (!(err instanceof ConditionFailed)) return err;
        return err.find('marker') ? 'already' : undefined;
      });
      // the rest one at a time, placements first: an exit whose OrderPlaced came later in the batch follows it
      for (const kind of ['placed', 'exit'] as const) {
        for (const [i, e] of events.entries()) {
          if (outcomes[i] !== undefined || e.kind !== kind) continue;
          outcomes[i] = await (kind === 'exit' ? subtractExit(e.order, now) : addPlaced(e.order, now)).catch((x: unknown) => (x instanceof Error ? x : new Error(String(x))));
        }
      }
      return outcomes as (StatsOutcome | Error)[];
    },
  };
}
export type CustomerStats = ReturnType<typeof makeCustomerStats>;

/** Customers over one table: the profile reads and the stats use cases. */
export const customerService = (ctx: TableContext | Store) => {
  const store = 'writer' in ctx ? ctx : storeFor(ctx);
  return { ...store.customers, ...makeCustomerStats({ writer: store.writer }) };
};
