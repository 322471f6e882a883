import type { Actor } from './actor';
import { actorLabel } from './actor';
import type { Change, ChangeSet, DomainEvent, StockMovement } from './decision';
import {
  assertOutbound, cancelFulfilment, commandFor, lineQuantities, orderStatusOf, pack, shipFrom, type Fulfilment, type FulfilmentLine,
} from './fulfilment';
import { decide } from './lifecycle';
import type { OrderRecord } from './order';
import { orderChangeSet, type ReservedLine } from './order-changes';
import { DEFAULT_LOCATION_ID } from './replenishment';
import { assertFitsOneTransaction, unitsBySkuAndLocation, type Shipment } from './shipment';
import { timelineEntry } from './timeline';

// Outbound decisions as change sets for the one writer: a fulfilment opened, packed
// or cancelled, a shipment (with its stock commit and initial tracking record), a
// delivery, and completion. Each is one transaction in the order's partition; the
// order's status moves only when its lines say so, through the lifecycle's table.

/** What an outbound decision reads of the order's partition. */
export interface OutboundState {
  order: OrderRecord;
  fulfilments: readonly Fulfilment[];
  shipments: readonly Shipment[];
}


/**
 * The order's own part of an outbound change: when its lines now say another status,
 * the lifecycle's row for that move (decide() checks who may, and emits the status
 * event); otherwise a version bump, so concurrent outbound commands on one order
 * serialize on its version and each decides on what the others wrote.
 */
function orderPart(order: OrderRecord, to: OrderRecord['status'], actor: Actor, now: Date, timelineType: string, detail: string): ChangeSet {
  const command = commandFor(order.status, to);
  if (command) {
    const d = decide(order, { type: command, actor }, now);
    // shipments commit their own lines (below), never the order's whole reservation here
    const set = orderChangeSet(order, { ...d, stock: 'none' });
    return { ...set, timeline: timelineEntry(now, d.timeline.type, actor, detail) };
  }
  const at = now.toISOString();
  return {
    aggregate: { entity: 'order', id: order.orderId },
    at,
    changes: [{
      op: 'update', entity: 'order', id: [order.orderId], tag: 'order',
      expect: { equals: { version: order.version, status: order.status } },
      set: { version: order.version + 1, updatedAt: at },
    }],
    timeline: timelineEntry(now, timelineType, actor, detail),
    events: [],
    movements: [],
  };
}

const linesText = (lines: readonly { sku: string; quantity: number }[]) => lines.map((l) => `${l.quantity} × ${l.sku}`).join(', ');

/**
 * A new fulfilment: PAID (or a cash-on-delivery order AWAITING_PAYMENT) -> FULFILLING
 * with FulfillmentStarted; in fulfilment already, a version bump. FulfillmentCreated
 * tells the warehouse of the work.
 */
export function fulfilmentCreatedChangeSet(
  s: OutboundState,
  f: { fulfillmentId: string; lines: FulfilmentLine[] },
  actor: Actor,
  now: Date,
  facts: { cashOnDelivery?: boolean } = {},
): { set: ChangeSet; fulfilment: Fulfilment } {
  const { order } = s;
  const at = now.toISOString();
  const detail = `fulfilment ${f.fulfillmentId}: ${linesText(f.lines)}`;
  let set: ChangeSet;
  if (order.status === 'PAID' || order.status === 'AWAITING_PAYMENT') {
    const d = decide(order, { type: 'start-fulfilment', actor }, now, facts.cashOnDelivery ? { cashOnDelivery: true } : {});
    set = { ...orderChangeSet(order, d), timeline: timelineEntry(now, d.timeline.type, actor, detail) };
  } else {
    assertOutbound(order, 'a new fulfilment');
    set = orderPart(order, order.status, actor, now, 'FULFILMENT_CREATED', detail);
  }
  const fulfilment: Fulfilment = {
    fulfillmentId: f.fulfillmentId, orderId: order.orderId, orderNumber: order.orderNumber, status: 'OPEN', lines: f.lines,
    createdAt: at, updatedAt: at, version: 1,
  };
  set.changes.push(
    { op: 'put', entity: 'fulfilment', id: [order.orderId, f.fulfillmentId], tag: 'fulfilment', expect: { exists: false }, item: { ...fulfilment } },
    { op: 'put', entity: 'fulfilmentRef', id: [f.fulfillmentId], expect: { exists: false }, item: { fulfillmentId: f.fulfillmentId, orderId: order.orderId } },
  );
  set.events = [...set.events, {
    detailType: 'FulfillmentCreated',
    data: {
      orderId: order.orderId, orderNumber: order.orderNumber, fulfillmentId: f.fulfillmentId,
      lines: f.lines.map(({ sku, quantity, locationId }) => ({ sku, quantity, locationId })), actor: actorLabel(actor),
    },
  }];
  return { set, fulfilment };
}

/** A fulfilment's own change (pack, cancel), written only while the order is still in fulfilment as read. */
function fulfilmentStep(s: OutboundState, before: Fulfilment, after: Fulfilment, actor: Actor, now: Date, type: string): ChangeSet {
  assertOutbound(s.order, `fulfilment ${before.fulfillmentId}`);
  return {
    aggregate: { entity: 'order', id: s.order.orderId },
    at: now.toISOString(),
    changes: [
      { op: 'check', entity: 'order', id: [s.order.orderId], tag: 'order', expect: { equals: { status: s.order.status } } },
      fulfilmentUpdate(before, after),
    ],
    timeline: timelineEntry(now, type, actor, `fulfilment ${before.fulfillmentId}: ${linesText(before.lines)}`),
    events: [],
    movements: [],
  };
}

function fulfilmentUpdate(before: Fulfilment, after: Fulfilment): Change {
  const { fulfillmentId: _id, orderId: _o, orderNumber: _n, createdAt: _c, ...set } = after;
  return { op: 'update', entity: 'fulfilment', id: [before.orderId, before.fulfillmentId], tag: `fulfilment:${before.fulfillmentId}`, expect: { equals: { version: before.version } }, set };
}

export function packedChangeSet(s: OutboundState, f: Fulfilment, actor: Actor, now: Date): { set: ChangeSet; fulfilment: Fulfilment } {
  const after = pack(f, now);
  return { set: fulfilmentStep(s, f, after, actor, now, 'FULFILMENT_PACKED'), fulfilment: after };
}

export function fulfilmentCancelledChangeSet(s: OutboundState, f: Fulfilment, actor: Actor, now: Date): { set: ChangeSet; fulfilment: Fulfilment } {
  const after = cancelFulfilment(f, now);
  return { set: fulfilmentStep(s, f, after, actor, now, 'FULFILMENT_CANCELLED'), fulfilment: after };
}

/**
 * Stock the shipment commits: per SKU and location, on-hand and reserved both fall
 * (ledger movement COMMIT, reason SHIPPED), and the order's hold shrinks by as much,
 * ending with the shipment that takes its last units.
 */
export function shipmentMovements(order: Pick<OrderRecord, 'orderId'>, reserved: readonly ReservedLine[], earlier: readonly Shipment[], shipment: Shipment, actor: string): StockMovement[] {
  const heldOf = (sku: string) => reserved.filter((r) => r.sku === sku).reduce((a, r) => a + r.quantity, 0)
    - earlier.flatMap((e) => e.lines).filter((l) => l.sku === sku).reduce((a, l) => a + l.quantity, 0);
  return unitsBySkuAndLocation(shipment.lines).map((u) => ({
    sku: u.sku, locationId: u.locationId ?? DEFAULT_LOCATION_ID, movement: 'COMMIT' as const, quantity: u.quantity, actor,
    cause: { orderId: order.orderId, shipmentId: shipment.shipmentId, reason: 'SHIPPED' },
    hold: u.quantity >= heldOf(u.sku) ? 'end' as const : 'reduce' as const,
  }));
}

/**
 * A shipment of packed units, ONE transaction: the shipment (with its tracking-number
 * index entry), the fulfilments it draws from (conditioned on their versions, so two
 * shipments of the same packed units cannot both ship), the stock commit, the order's
 * status as its lines now say, the initial tracking record (LABEL_CREATED; a tracking
 * number already in use fails its condition), ShipmentCreated and the status event.
 */
export function shipmentChangeSet(s: OutboundState, reserved: readonly ReservedLine[], shipment: Shipment, actor: Actor, now: Date): ChangeSet {
  const { order } = s;
  assertOutbound(order, 'a shipment');
  assertFitsOneTransaction(shipment.lines);
  const at = now.toISOString();
  const after = orderStatusOf(lineQuantities(order.lines, s.fulfilments, [...s.shipments, shipment]), order.status);
  const set = orderPart(order, after, actor, now, 'SHIPMENT_CREATED',
    `shipment ${shipment.shipmentId} with ${shipment.carrier}, tracking ${shipment.trackingNumber}: ${linesText(unitsBySkuAndLocation(shipment.lines))}`);

  const touched = [...new Set(shipment.lines.map((l) => l.fulfillmentId))];
  for (const id of touched) {
    const f = s.fulfilments.find((x) => x.fulfillmentId === id);
    if (!f) throw new Error(`Shipment ${shipment.shipmentId} draws from an unknown fulfilment ${id}`);
    set.changes.push(fulfilmentUpdate(f, shipFrom(f, shipment.lines.filter((l) => l.fulfillmentId === id), now)));
  }
  set.changes.push(
    { op: 'put', entity: 'shipment', id: [order.orderId, shipment.shipmentId], tag: 'shipment', expect: { exists: false }, item: { ...shipment } },
    {
      op: 'put', entity: 'tracking', id: [shipment.trackingNumber], tag: 'tracking', expect: { exists: false },
      item: {
        trackingNumber: shipment.trackingNumber, carrier: shipment.carrier, orderId: order.orderId, shipmentId: shipment.shipmentId,
        status: 'LABEL_CREATED', statusAt: at, checkpoints: [],
        // the record keeps a date (carriers may answer a date-time)
        ...(shipment.estimatedDelivery && /^\d{4}-\d{2}-\d{2}/.test(shipment.estimatedDelivery) ? { estimatedDelivery: shipment.estimatedDelivery.slice(0, 10) } : {}),
        ...(shipment.providerRef ? { providerRef: shipment.providerRef } : {}),
        createdAt: at, updatedAt: at, version: 1,
      },
    },
  );
  set.movements = shipmentMovements(order, reserved, s.shipments, shipment, actorLabel(actor));
  const created: DomainEvent = {
    detailType: 'ShipmentCreated',
    data: {
      orderId: order.orderId, orderNumber: order.orderNumber, shipmentId: shipment.shipmentId, carrier: shipment.carrier,
      ...(shipment.courier ? { courier: shipment.courier } : {}), trackingNumber: shipment.trackingNumber, lines: unitsBySkuAndLocation(shipment.lines).map(({ sku, quantity }) => ({ sku, quantity })),
      actor: actorLabel(actor),
    },
  };
  set.events = [created, ...set.events];
  return set;
}

/**
 * The carrier delivered a shipment: its units are delivered, the order PARTIALLY_DELIVERED
 * or DELIVERED (then a completion due item: the return window starts). Undefined when
 * the shipment is delivered already (a redelivered report changes nothing).
 */
export function deliveryChangeSet(
  s: OutboundState,
  shipmentId: string,
  deliveredAt: string,
  actor: Actor,
  now: Date,
  returnWindowDays: number,
): ChangeSet | undefined {
  const { order } = s;
  const shipment = s.shipments.find((x) => x.shipmentId === shipmentId);
  if (!shipment || shipment.status === 'DELIVERED') return undefined;
  const at = now.toISOString();
  const delivered: Shipment = { ...shipment, status: 'DELIVERED', deliveredAt, updatedAt: at, version: shipment.version + 1 };
  const shipments = s.shipments.map((x) => (x.shipmentId === shipmentId ? delivered : x));
  const after = orderStatusOf(lineQuantities(order.lines, s.fulfilments, shipments), order.status);
  const set = orderPart(order, after, actor, now, 'SHIPMENT_DELIVERED', `shipment ${shipmentId} (${shipment.carrier} ${shipment.trackingNumber}) delivered at ${deliveredAt}`);
  set.changes.push({
    op: 'update', entity: 'shipment', id: [order.orderId, shipmentId], tag: 'shipment', expect: { equals: { version: shipment.version } },
    set: { status: 'DELIVERED', deliveredAt, updatedAt: at, version: delivered.version },
  });
  if (after === 'DELIVERED') {
    const dueAt = new Date(now.getTime() + returnWindowDays * 86_400_000).toISOString();
    set.changes.push({ op: 'put', entity: 'completionDue', id: [order.orderId], item: { orderId: order.orderId, dueAt } });
  }
  return set;
}

/** The return window closed with no return open (the use case checks; the order's version guards a racing request): DELIVERED -> COMPLETED, the due item gone. */
export function completionChangeSet(order: OrderRecord, actor: Actor, now: Date): ChangeSet {
  const set = orderChangeSet(order, decide(order, { type: 'complete', actor }, now));
  set.changes.push({ op: 'delete', entity: 'completionDue', id: [order.orderId] });
  return set;
}
