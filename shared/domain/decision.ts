import type { Movement } from './inventory';
import type { TimelineEntry } from './order';

// One shape for every change the system makes, whatever the aggregate (order,
// stock, settings, customer; payments, shipments and returns later). A decision is
// plain data: the domain (or a use case, from what the domain decided) fills it in,
// a test reads it without a table, and the store's one writer turns it into exactly
// one TransactWriteItems. Items are named by entity and natural id (`order`,
// [orderId]); only the store knows how that becomes a key.

/** What must hold of an item for the change to apply; every listed part must hold. */
export interface Expect {
  /** the item exists (true) or does not (false) */
  exists?: boolean;
  /** attribute = value, e.g. the version and status the decision was made on */
  equals?: Record<string, unknown>;
  /** attribute >= value */
  atLeast?: Record<string, number>;
  /** attribute < value (an expired claim) */
  below?: Record<string, number>;
  /** attributes that must be absent */
  missing?: readonly string[];
  /** attribute absent or <= value (a marker that only moves forward, e.g. a profile's last order) */
  absentOrAtMost?: Record<string, string | number>;
  /** the condition also holds when there is no item at all (first write of a versioned document) */
  orAbsent?: boolean;
}

interface ChangeBase {
  /** entity name the store knows (order, reservation, paymentDue, idempotency, settings, ...) */
  entity: string;
  /** natural id parts, e.g. [orderId] or [scope, key] */
  id: readonly string[];
  expect?: Expect;
  /** names this change in a ConditionFailed, so a use case can tell which condition failed */
  tag?: string;
  /** on a failed condition, return the item as it was (e.g. the winner of a claim race) */
  returnOld?: boolean;
}

export type Change =
  | (ChangeBase & { op: 'put'; item: Record<string, unknown> })
  | (ChangeBase & {
      op: 'update';
      set?: Record<string, unknown>;
      /** set only where the attribute is absent (e.g. a profile's createdAt) */
      setIfAbsent?: Record<string, unknown>;
      /** atomic counters */
      add?: Record<string, number>;
      remove?: readonly string[];
    })
  | (ChangeBase & { op: 'delete' })
  | (ChangeBase & { op: 'check'; expect: Expect });

/**
 * A stock movement at one location: the location's level, the SKU's total and a ledger
 * entry move together; an order's reserve creates its hold, a release or commit ends it.
 */
export interface StockMovement {
  sku: string;
  locationId: string;
  movement: Movement;
  /** units; negative only for an adjustment that removes stock */
  quantity: number;
  actor: string;
  cause: { orderId?: string; adjustmentId?: string; shipmentId?: string; returnId?: string; reason?: string; note?: string };
  /** an order's hold: created by a reservation, ended by a release or the last commit, reduced by a shipment of part of it */
  hold?: 'create' | 'end' | 'reduce';
  /** attributes the SKU's total item must not have, as the decision saw it (e.g. no reorder point) */
  totalMissing?: readonly string[];
}

/** An event as the domain states it; the use case stamps the envelope (ids, causation). */
export interface DomainEvent {
  detailType: string;
  data: Record<string, unknown>;
}

/**
 * Everything one command changes, written all or nothing. `E` is the event form:
 * DomainEvent as decided, the published envelope when handed to the writer.
 */
export interface ChangeSet<E = DomainEvent> {
  /** the aggregate whose partition holds the timeline entry and the outbox items */
  aggregate: { entity: string; id: string };
  /** when it happened: timeline, ledger and outbox timestamps */
  at: string;
  changes: Change[];
  timeline?: TimelineEntry;
  events: E[];
  movements: StockMovement[];
}

export const emptyChangeSet = <E = DomainEvent>(aggregate: ChangeSet['aggregate'], at: string): ChangeSet<E> => ({
  aggregate, at, changes: [], events: [], movements: [],
});
