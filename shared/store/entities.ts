import type { DayPart } from '../domain/reports';
import * as keys from './keys';
import { ENTITY, type Key } from './keys';

// How a decision's entity names become items: the key from the natural id, the
// entity type stored on the item, the aggregate's partition (timeline and outbox
// live there), and index keys derived from the item's own fields. A new aggregate
// (payment, shipment, return) adds one entry here and its formats to keys.ts.

export interface EntityMapping {
  type: string;
  key(id: readonly string[]): Key;
  /** partition of the aggregate, where its timeline entries and outbox items are written */
  partition?(id: string): string;
  /** index keys of a new item (from its fields) */
  createIndexes?(item: Record<string, unknown>, id: readonly string[]): IndexKeys;
  /** index keys that move with an update (e.g. the status index with the status) */
  updateIndexes?(set: Record<string, unknown>, id: readonly string[]): IndexKeys;
  /** index attributes that go with removed fields (a sparse index entry leaves with its flag) */
  removedIndexes?(remove: readonly string[]): string[];
}

export type IndexKeys = Readonly<Record<string, string | undefined>>;

export type EntityMap = Readonly<Record<string, EntityMapping>>;

const one = (id: readonly string[], n = 1): string[] => {
  if (id.length !== n || id.some((p) => typeof p !== 'string' || p === '')) throw new Error(`Expected an id of ${n} part(s), got ${JSON.stringify(id)}`);
  return [...id];
};

export const ENTITIES: EntityMap = {
  order: {
    type: ENTITY.order,
    key: (id) => keys.order(one(id)[0]!),
    partition: (orderId) => keys.orderPartition(orderId),
    createIndexes: (o) =>
      keys.orderIndexes({
        customerId: String((o.customer as { customerId: string }).customerId), status: String(o.status),
        createdAt: String(o.createdAt), orderId: String(o.orderId),
      }),
    updateIndexes: (set) => (set.status === undefined ? {} : { gsi2pk: keys.statusPk(String(set.status)) }),
  },
  orderNumber: { type: ENTITY.orderNumber, key: (id) => keys.orderNumber(one(id)[0]!) },
  orderLookup: {
    type: ENTITY.orderLookup,
    key: (id) => {
      const { pk, sk } = keys.orderLookup({ orderId: one(id)[0]!, channel: '', createdAt: '' });
      return { pk, sk };
    },
    createIndexes: (o) => {
      const { pk: _pk, sk: _sk, ...indexes } = keys.orderLookup({ orderId: String(o.orderId), channel: String(o.channel), createdAt: String(o.createdAt) });
      return indexes;
    },
  },
  reservation: { type: ENTITY.reservation, key: (id) => keys.reservation(one(id)[0]!) },
  paymentDue: {
    type: ENTITY.paymentDue,
    key: (id) => keys.paymentDueKey(one(id)[0]!),
    createIndexes: (item) => {
      const { gsi2pk, gsi2sk } = keys.paymentDue({ orderId: String(item.orderId), dueAt: String(item.dueAt) });
      return { gsi2pk, gsi2sk };
    },
  },
  idempotency: { type: ENTITY.idempotency, key: (id) => keys.idempotency(...(one(id, 2) as [string, string])) },
  product: { type: ENTITY.product, key: (id) => keys.product(one(id)[0]!), partition: (sku) => keys.product(sku).pk },
  stock: {
    type: ENTITY.stock,
    key: (id) => keys.stock(one(id)[0]!),
    partition: (sku) => keys.stock(sku).pk,
    // the sparse below-reorder-point index: present while `lowSince` is set
    updateIndexes: (set, id) => (set.lowSince === undefined ? {} : keys.stockLow(id[0]!)),
    removedIndexes: (remove) => (remove.includes('lowSince') ? Object.keys(keys.stockLow('')) : []),
  },
  location: { type: ENTITY.location, key: (id) => keys.location(one(id)[0]!) },
  customer: { type: ENTITY.customer, key: (id) => keys.customer(one(id)[0]!), partition: (customerId) => keys.customer(customerId).pk },
  customerEmail: { type: ENTITY.customerEmail, key: (id) => keys.customerEmail(one(id)[0]!) },
  customerOrder: { type: ENTITY.customerOrder, key: (id) => keys.customerOrder(...(one(id, 2) as [string, string])) },
  customerExit: { type: ENTITY.customerExit, key: (id) => keys.customerExit(...(one(id, 2) as [string, string])) },
  settings: { type: ENTITY.settings, key: (id) => keys.settings(one(id)[0]!), partition: (kind) => keys.settings(kind).pk },
  settingsVersion: { type: ENTITY.settings, key: (id) => keys.settingsVersion(one(id, 2)[0]!, Number(id[1])) },
  payment: {
    type: ENTITY.payment,
    key: (id) => keys.payment(...(one(id, 2) as [string, string])),
    // the provider's reference, once known, indexes the attempt (staff look-up)
    createIndexes: (item, id) => (typeof item.providerRef === 'string' ? keys.paymentProviderRef({ providerRef: item.providerRef, orderId: id[0]!, paymentId: id[1]! }) : {}),
    updateIndexes: (set, id) => (typeof set.providerRef === 'string' ? keys.paymentProviderRef({ providerRef: set.providerRef, orderId: id[0]!, paymentId: id[1]! }) : {}),
  },
  paymentOpen: {
    type: ENTITY.paymentOpen,
    key: (id) => keys.paymentOpen(one(id)[0]!),
    // the sparse pending index leaves with the marker (deleted when the attempt moves)
    createIndexes: (item, id) => keys.paymentPending({
      openedAt: new Date(Number(item.openedAt) * 1000).toISOString(), orderId: id[0]!, paymentId: String(item.paymentId),
    }),
  },
  paymentRef: { type: ENTITY.paymentRef, key: (id) => keys.paymentRef(one(id)[0]!) },
  moneyEntry: {
    type: ENTITY.moneyEntry,
    key: (id) => keys.moneyEntry(...(one(id, 3) as [string, string, string])),
    // charges by day, for reconciliation of what settled
    createIndexes: (item, id) => (item.kind === 'charge' ? keys.paymentSettled({ at: String(item.at), orderId: id[0]!, paymentId: id[2]! }) : {}),
  },
  paymentDrift: { type: ENTITY.paymentDrift, key: (id) => keys.paymentDrift(...(one(id, 3) as [string, string, string])) },
  refund: { type: ENTITY.refund, key: (id) => keys.refund(...(one(id, 2) as [string, string])) },
  // a parcel's tracking (written first with its shipment, then moved by the tracking reports): its outbox items (ShipmentStatusChanged) live in its own partition
  tracking: { type: ENTITY.tracking, key: (id) => keys.tracking(one(id)[0]!), partition: (trackingNumber) => keys.tracking(trackingNumber).pk },

  fulfilment: { type: ENTITY.fulfilment, key: (id) => keys.fulfilment(...(one(id, 2) as [string, string])) },
  fulfilmentRef: { type: ENTITY.fulfilmentRef, key: (id) => keys.fulfilmentRef(one(id)[0]!) },
  shipment: {
    type: ENTITY.shipment,
    key: (id) => keys.shipment(...(one(id, 2) as [string, string])),
    createIndexes: (item, id) => keys.shipmentTracking(String(item.trackingNumber), id[0]!, id[1]!),
  },
  completionDue: {
    type: ENTITY.completionDue,
    key: (id) => keys.completionDueKey(one(id)[0]!),
    createIndexes: (item) => {
      const { gsi2pk, gsi2sk } = keys.completionDue({ orderId: String(item.orderId), dueAt: String(item.dueAt) });
      return { gsi2pk, gsi2sk };
    },
  },
  // report aggregation: the order's trail, the counted-once markers, the sharded counters
  reportTrail: { type: ENTITY.reportTrail, key: (id) => keys.reportTrail(one(id)[0]!) },
  reportSeen: { type: ENTITY.reportSeen, key: (id) => keys.reportSeen(...(one(id, 2) as [string, string])) },
  reportDay: { type: ENTITY.reportDay, key: (id) => keys.reportDay(one(id, 3)[0]!, Number(id[1]), undefined, id[2] as DayPart) },
  reportSku: { type: ENTITY.reportSku, key: (id) => keys.reportSku(one(id, 3)[0]!, Number(id[1]), id[2]!) },

  return: {
    type: ENTITY.return,
    key: (id) => keys.return(...(one(id, 2) as [string, string])),
    // the returns-by-status index: put with the return, its partition moves with the status
    createIndexes: (r, id) => keys.returnStatusIndex({ status: String(r.status), createdAt: String(r.createdAt), returnId: id[1]! }),
    updateIndexes: (set) => (set.status === undefined ? {} : { gsi2pk: keys.returnStatusPk(String(set.status)) }),
  },
  returnRef: { type: ENTITY.returnRef, key: (id) => keys.returnRef(one(id)[0]!) },
  orderPhone: {
    type: ENTITY.orderPhone,
    key: (id) => {
      const { pk, sk } = keys.orderPhone({ orderId: one(id)[0]!, phone: '', createdAt: '' });
      return { pk, sk };
    },
    createIndexes: (o) => {
      const { pk: _pk, sk: _sk, ...indexes } = keys.orderPhone({ orderId: String(o.orderId), phone: String(o.phone), createdAt: String(o.createdAt) });
      return indexes;
    },
  },
  feedback: { type: ENTITY.feedback, key: (id) => keys.feedback(one(id)[0]!), partition: (orderId) => keys.orderPartition(orderId) },
  // integrations: a subscription's partition holds its deliveries and the outbox of its pause
  webhook: { type: ENTITY.webhook, key: (id) => keys.webhook(one(id)[0]!), partition: (webhookId) => keys.webhookPartition(webhookId) },

  customerErasure: { type: ENTITY.customerErasure, key: (id) => keys.customerErasure(one(id)[0]!) },

  stockWait: { type: ENTITY.stockWait, key: (id) => keys.stockWait(...(one(id, 2) as [string, string])) },
  notification: {
    type: ENTITY.notification,
    key: (id) => keys.notification(...(one(id, 3) as [string, string, string])),
    // the order's story lists what was sent about it
    createIndexes: (n, id) => (typeof n.orderId === 'string'
      ? keys.orderNotification({ orderId: n.orderId, recordedAt: String(n.recordedAt), department: id[0]!, eventId: id[2]! })
      : {}),
  },
};
