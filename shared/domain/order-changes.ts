import type { Actor } from './actor';
import type { Change, ChangeSet, StockMovement } from './decision';
import type { OrderRecord } from './order';
import { timelineEntry } from './timeline';
import { DEFAULT_LOCATION_ID } from './replenishment';
import { staged } from './stock-changes';
import type { Decision, LifecycleOrder } from './lifecycle';

// An order decision as the changes it makes: every lifecycle command (reservation
// outcomes, review, approval, cancel, expiry, ...) becomes one change set of this
// shape, which the one writer commits as one transaction.

/** A reserved line as the RESERVATION item records it; lines written before locations existed have none. */
export interface ReservedLine {
  sku: string;
  quantity: number;
  locationId?: string;
}

export interface OrderChangeFacts {
  /** reserve: where the order reserves */
  locationId?: string;
  /**
   * release or commit: what the order holds (from its reservation); reserve: what the
   * stages of a staged reservation already hold, recorded without moving stock again
   */
  reservedLines?: readonly ReservedLine[];
}

const locationOf = (line: ReservedLine) => line.locationId ?? DEFAULT_LOCATION_ID;

/** The stock an order's transition moves: its lines reserved at one location, or its holds released or committed. */
function movements(order: LifecycleOrder, d: Decision, facts: OrderChangeFacts): StockMovement[] {
  const cause = { orderId: order.orderId };
  if (d.stock === 'reserve') {
    if (facts.reservedLines) return [];
    const reservations = (d.events[0]?.data.reservations ?? []) as { sku: string; quantity: number }[];
    if (!facts.locationId) throw new Error('A reservation needs its location');
    return reservations.map((r) => ({
      sku: r.sku, locationId: facts.locationId!, movement: 'RESERVE', quantity: r.quantity, actor: d.timeline.actor, cause, hold: 'create',
    }));
  }
  if (d.stock === 'release' || d.stock === 'commit') {
    if (!facts.reservedLines) throw new Error(`Order ${order.orderId} holds stock by its status but has no reservation`);
    // too many SKUs for one transaction: the holds end in stages once the order has moved
    if (staged(facts.reservedLines.length)) return [];
    return facts.reservedLines.map((line) => ({
      sku: line.sku, locationId: locationOf(line), movement: d.stock === 'release' ? 'RELEASE' : 'COMMIT', quantity: line.quantity,
      actor: d.timeline.actor, cause: { ...cause, reason: d.timeline.type }, hold: 'end',
    }));
  }
  return [];
}

/**
 * The order, conditioned on the version and status it was decided on, takes its new
 * status, version and fields (its status index moves with it); the payment-due item
 * exists exactly while AWAITING_PAYMENT; a reservation records where it reserved.
 */
export function orderChangeSet(order: LifecycleOrder, d: Decision, facts: OrderChangeFacts = {}): ChangeSet {
  const at = d.timeline.at;
  const id = [order.orderId];
  const changes: Change[] = [{
    op: 'update', entity: 'order', id, tag: 'order',
    expect: { equals: { version: order.version, status: order.status }, ...(d.command === 'require-review' ? { missing: ['reviewReasons'] } : {}) },
    set: { status: d.status, version: d.version, updatedAt: at, ...d.set },
  }];
  if (d.status === 'AWAITING_PAYMENT' && d.previousStatus !== 'AWAITING_PAYMENT') {
    const dueAt = d.set.paymentDueAt;
    if (typeof dueAt !== 'string') throw new Error('An approval needs the payment deadline');
    changes.push({ op: 'put', entity: 'paymentDue', id, item: { orderId: order.orderId, dueAt } });
  }
  if (d.previousStatus === 'AWAITING_PAYMENT' && d.status !== 'AWAITING_PAYMENT') changes.push({ op: 'delete', entity: 'paymentDue', id });
  const moved = movements(order, d, facts);
  if (d.stock === 'reserve') {
    changes.push({
      op: 'put', entity: 'reservation', id, tag: 'reservation', expect: { exists: false },
      item: {
        orderId: order.orderId,
        ...(facts.locationId ? { locationId: facts.locationId } : {}),
        lines: facts.reservedLines ?? moved.map((m) => ({ sku: m.sku, quantity: m.quantity, locationId: m.locationId })),
        createdAt: at,
      },
    });
  }
  return { aggregate: { entity: 'order', id: order.orderId }, at, changes, timeline: d.timeline, events: d.events, movements: moved };
}

/**
 * A placed order: the order (version 1, PENDING, created only if absent) with its
 * indexes, its number (unique), its look-up items (channel and date; the phone's
 * digits when it has one), the first timeline entry and
 * OrderPlaced. Claims (idempotency, customer email) are added by the use case.
 */
export function placedChangeSet(order: OrderRecord, actor: Actor | string, now: Date): ChangeSet {
  const id = [order.orderId];
  return {
    aggregate: { entity: 'order', id: order.orderId },
    at: now.toISOString(),
    changes: [
      { op: 'put', entity: 'order', id, tag: 'order', expect: { exists: false }, item: { ...order } },
      { op: 'put', entity: 'orderNumber', id: [order.orderNumber], tag: 'orderNumber', expect: { exists: false }, item: { orderId: order.orderId, orderNumber: order.orderNumber } },
      { op: 'put', entity: 'orderLookup', id, item: { orderId: order.orderId, channel: order.channel, createdAt: order.createdAt } },
      ...(order.customer.phone
        ? [{ op: 'put' as const, entity: 'orderPhone', id, item: { orderId: order.orderId, phone: order.customer.phone, createdAt: order.createdAt } }]
        : []),
    ],
    timeline: timelineEntry(now, 'ORDER_PLACED', actor),
    events: [{
      detailType: 'OrderPlaced',
      data: {
        orderId: order.orderId,
        orderNumber: order.orderNumber,
        channel: order.channel,
        customerId: order.customer.customerId,
        lines: order.lines.map(({ sku, quantity, unitPrice, unitCost }) => ({ sku, quantity, unitPrice, ...(unitCost ? { unitCost } : {}) })),
        totals: order.totals,
        placedAt: order.createdAt,
        shippingCountry: order.shippingAddress.country,
      },
    }],
    movements: [],
  };
}

/** A staff note: a timeline entry, written only if the order exists. */
export function noteChangeSet(orderId: string, text: string, actor: Actor | string, now: Date): ChangeSet {
  return {
    aggregate: { entity: 'order', id: orderId },
    at: now.toISOString(),
    changes: [{ op: 'check', entity: 'order', id: [orderId], tag: 'order', expect: { exists: true } }],
    timeline: timelineEntry(now, 'NOTE', actor, text),
    events: [],
    movements: [],
  };
}
