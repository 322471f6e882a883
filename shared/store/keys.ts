// The ONLY module that knows how items are keyed. Repositories build keys through
// these functions; nothing else may spell "ORDER#" or a GSI name. The access
// patterns they serve are listed in keys.md beside this file.
//
// Each format is an export of its own and callers import the module as a namespace
// (`import * as keys from './keys'`), so a function's bundle carries only the formats it
// uses: the bundler drops the rest, which it cannot do with the members of one object.

import type { DayPart } from '../domain/reports';
import type { IndexName } from './table-schema';

/** The table's indexes (declared in table-schema.ts, which the stack reads too). */
export const INDEX = { gsi1: 'gsi1', gsi2: 'gsi2' } as const satisfies { [I in IndexName]: I };

export const ENTITY = {
  product: 'PRODUCT',
  stock: 'STOCK',
  ledger: 'LEDGER',
  order: 'ORDER',
  orderNumber: 'ORDERNO',
  reservation: 'RESERVATION',
  timeline: 'TIMELINE',
  outbox: 'OUTBOX',
  idempotency: 'IDEMPOTENCY',
  counter: 'COUNTER',
  location: 'LOCATION',
  stockHold: 'HOLD',
  customer: 'CUSTOMER',
  customerEmail: 'CUSTOMEREMAIL',
  customerOrder: 'CUSTOMERORDER',
  customerExit: 'CUSTOMEREXIT',
  orderLookup: 'ORDERLOOKUP',
  notification: 'NOTIFICATION',
  settings: 'SETTINGS',
  paymentDue: 'PAYMENTDUE',
  paymentInbox: 'PAYMENTINBOX',

  payment: 'PAYMENT',
  paymentOpen: 'PAYMENTOPEN',
  paymentRef: 'PAYMENTREF',
  moneyEntry: 'MONEY',
  refund: 'REFUND',
  paymentDrift: 'PAYMENTDRIFT',

  tracking: 'TRACKING',
  carrierInbox: 'CARRIERINBOX',

  fulfilment: 'FULFILMENT',
  shipment: 'SHIPMENT',
  fulfilmentRef: 'FULFILMENTREF',
  completionDue: 'COMPLETIONDUE',
  reportTrail: 'REPORTTRAIL',
  reportSeen: 'REPORTSEEN',
  reportDay: 'REPORTDAY',
  reportSku: 'REPORTSKU',

  customerMessage: 'CUSTOMERMESSAGE',
  return: 'RETURN',
  returnRef: 'RETURNREF',
  orderPhone: 'ORDERPHONE',
  feedback: 'FEEDBACK',

  webhook: 'WEBHOOK',
  webhookDelivery: 'WEBHOOKDELIVERY',
  skuMap: 'SKUMAP',
  customerErasure: 'ERASURE',
  stockWait: 'STOCKWAIT',
} as const;
export type Entity = (typeof ENTITY)[keyof typeof ENTITY];

export interface Key {
  pk: string;
  sk: string;
}

const productPk = (sku: string) => `PRODUCT#${sku}`;
const orderPk = (orderId: string) => `ORDER#${orderId}`;

export const product = (sku: string): Key => ({ pk: productPk(sku), sk: 'PRODUCT' });
/** every product, ordered by SKU (catalog and stock listings) */
export const productListing = (sku: string) => ({ gsi1pk: 'PRODUCTS', gsi1sk: sku });
export const productListingPk = 'PRODUCTS';

export const stock = (sku: string): Key => ({ pk: productPk(sku), sk: 'STOCK' });
export const ledger = (sku: string, at: string, id: string): Key => ({ pk: productPk(sku), sk: `LEDGER#${at}#${id}` });
export const ledgerPrefix = (sku: string) => ({ pk: productPk(sku), skPrefix: 'LEDGER#' });
/** ledger entries at or after an instant (sort-key bound for a time window) */
export const ledgerFrom = (at: string) => `LEDGER#${at}`;
/** the SKU's level at one stock location; the plain `STOCK` item is the total over locations */
export const stockAt = (sku: string, locationId: string): Key => ({ pk: productPk(sku), sk: `STOCK#${locationId}` });
/** total and per-location levels share this prefix: one Query reads them all */
export const stockLevelsPrefix = (sku: string) => ({ pk: productPk(sku), skPrefix: 'STOCK' });
/** one item per live reservation of the SKU (an order's hold), so they list without a scan */
export const stockHold = (sku: string, orderId: string): Key => ({ pk: productPk(sku), sk: `HOLD#${orderId}` });
export const stockHoldPrefix = (sku: string) => ({ pk: productPk(sku), skPrefix: 'HOLD#' });
/** sparse gsi2 entry on the total STOCK item while available <= reorderPoint */
export const stockLow = (sku: string) => ({ gsi2pk: 'STOCKLOW', gsi2sk: sku });
export const stockLowPk = 'STOCKLOW';

export const location = (locationId: string): Key => ({ pk: `LOCATION#${locationId}`, sk: 'LOCATION' });
/** every stock location, by priority then id */
export const locationListing = (priority: number, locationId: string) => ({
  gsi1pk: 'LOCATIONS',
  gsi1sk: `${String(priority).padStart(7, '0')}#${locationId}`,
});
export const locationListingPk = 'LOCATIONS';

export const order = (orderId: string): Key => ({ pk: orderPk(orderId), sk: 'ORDER' });
export const orderPartition = (orderId: string) => orderPk(orderId);
/** gsi1: a customer's orders by date; gsi2: orders in a status by date */
export const orderIndexes = (o: { customerId: string; status: string; createdAt: string; orderId: string }) => ({
  gsi1pk: `CUSTOMER#${o.customerId}`,
  gsi1sk: `ORDER#${o.createdAt}#${o.orderId}`,
  gsi2pk: `STATUS#${o.status}`,
  gsi2sk: `${o.createdAt}#${o.orderId}`,
});
export const orderStatusIndex = (status: string, createdAt: string, orderId: string) => ({
  gsi2pk: `STATUS#${status}`,
  gsi2sk: `${createdAt}#${orderId}`,
});
export const orderNumber = (orderNumber: string): Key => ({ pk: `ORDERNO#${orderNumber}`, sk: 'ORDERNO' });
export const reservation = (orderId: string): Key => ({ pk: orderPk(orderId), sk: 'RESERVATION' });
export const timeline = (orderId: string, at: string, id: string): Key => ({ pk: orderPk(orderId), sk: `EVENT#${at}#${id}` });
/** a timeline entry in any aggregate's partition (the order's is `timeline`) */
export const timelineIn = (partition: string, at: string, id: string): Key => ({ pk: partition, sk: `EVENT#${at}#${id}` });
/**
 * Sparse item that exists only while the order is AWAITING_PAYMENT: gsi2 sorted by
 * the payment deadline, so the expiry job reads exactly the due orders (Query
 * `gsi2sk <= now`) without a scan and without disturbing the status-by-date index.
 */
export const paymentDue = (o: { orderId: string; dueAt: string }) => ({
  pk: orderPk(o.orderId),
  sk: 'PAYMENTDUE',
  gsi2pk: 'PAYMENTDUE',
  gsi2sk: `${o.dueAt}#${o.orderId}`,
});
export const paymentDueKey = (orderId: string): Key => ({ pk: orderPk(orderId), sk: 'PAYMENTDUE' });
export const paymentDuePk = 'PAYMENTDUE';
/** upper bound of the due sort keys: everything due at or before `at` */
export const paymentDueUntil = (at: string) => `${at}#~`;

/** Outbox items live in the partition of the aggregate they describe. */
export const outbox = (aggregatePk: string, eventId: string): Key => ({ pk: aggregatePk, sk: `OUTBOX#${eventId}` });
export const outboxPrefix = 'OUTBOX#';
/**
 * Sparse gsi2 entry on an outbox item until the relay (or the sweeper) has seen
 * EventBridge accept it: oldest first, so the sweeper reads exactly the items
 * still unpublished past a threshold with one Query.
 */
export const outboxUnpublished = (createdAt: string, eventId: string) => ({ gsi2pk: 'UNPUBLISHED', gsi2sk: `${createdAt}#${eventId}` });
export const outboxUnpublishedPk = 'UNPUBLISHED';
/** upper bound of the unpublished sort keys: everything written before `at` */
export const outboxUnpublishedBefore = (at: string) => `${at}#`;

export const idempotency = (scope: string, key: string): Key => ({ pk: `IDEMPOTENCY#${scope}#${key}`, sk: 'IDEMPOTENCY' });
export const orderNumberCounter = (day: string): Key => ({ pk: `COUNTER#ORDERNO#${day}`, sk: 'COUNTER' });

export const customer = (customerId: string): Key => ({ pk: `CUSTOMER#${customerId}`, sk: 'PROFILE' });
/** email (lower-cased) -> customerId: claimed with attribute_not_exists by the first order */
export const customerEmail = (email: string): Key => ({ pk: `CUSTOMEREMAIL#${email.trim().toLowerCase()}`, sk: 'CUSTOMEREMAIL' });
/** marks an order as already counted in its customer's stats (redelivery guard) */
export const customerOrder = (customerId: string, orderId: string): Key => ({ pk: `CUSTOMER#${customerId}`, sk: `ORDER#${orderId}` });
/** marks an order's exit as already subtracted from its customer's stats (redelivery guard) */
export const customerExit = (customerId: string, orderId: string): Key => ({ pk: `CUSTOMER#${customerId}`, sk: `EXIT#${orderId}` });
/** gsi1 of ORDER items: a customer's orders by date */
export const customerOrdersPk = (customerId: string) => `CUSTOMER#${customerId}`;
export const customerOrdersSk = (createdAt: string, orderId = '') => `ORDER#${createdAt}#${orderId}`;
/** gsi2 of ORDER items: orders in a status by date */
export const statusPk = (status: string) => `STATUS#${status}`;
/**
 * A second item per order, written with it, that indexes what never changes:
 * gsi1 = channel by date, gsi2 = month by date (the plain date-range listing).
 */
export const orderLookup = (o: { orderId: string; channel: string; createdAt: string }) => ({
  pk: orderPk(o.orderId),
  sk: 'LOOKUP',
  gsi1pk: `CHANNEL#${o.channel}`,
  gsi1sk: `${o.createdAt}#${o.orderId}`,
  gsi2pk: `ORDERS#${o.createdAt.slice(0, 7)}`,
  gsi2sk: `${o.createdAt}#${o.orderId}`,
});
export const channelPk = (channel: string) => `CHANNEL#${channel}`;
export const monthPk = (yyyyMm: string) => `ORDERS#${yyyyMm}`;
/** sort key bound of the date-ordered indexes (`<createdAt>#<orderId>`) */
export const dateSk = (createdAt: string, orderId = '') => `${createdAt}#${orderId}`;

export const notification = (department: string, at: string, eventId: string): Key => ({ pk: `NOTIFICATION#${department}`, sk: `${at}#${eventId}` });
export const notificationPk = (department: string) => `NOTIFICATION#${department}`;

/** current settings document of a kind, and one history item per version */
export const settings = (kind: string): Key => ({ pk: `SETTINGS#${kind}`, sk: 'CURRENT' });
export const settingsVersion = (kind: string, version: number): Key => ({ pk: `SETTINGS#${kind}`, sk: `V#${String(version).padStart(6, '0')}` });

/** one provider callback event (the provider's identity of it): put once, kept past every retry window */
export const paymentInbox = (provider: string, eventKey: string): Key => ({ pk: `PAYMENTINBOX#${provider}#${eventKey}`, sk: 'PAYMENTINBOX' });

// Payments live in their order's partition under one prefix, so the order's money
// (attempts, refunds, ledger, the open-attempt marker) is one Query.
/** one payment attempt */
export const payment = (orderId: string, paymentId: string): Key => ({ pk: orderPk(orderId), sk: `PAY#ATTEMPT#${paymentId}` });
/** exists while the order has an open (PENDING) attempt; holds its paymentId */
export const paymentOpen = (orderId: string): Key => ({ pk: orderPk(orderId), sk: 'PAY#OPEN' });
/** one ledger entry, keyed by what caused it (charge: paymentId, refund: refundId), so it is written once */
export const moneyEntry = (orderId: string, kind: string, sourceId: string): Key => ({ pk: orderPk(orderId), sk: `PAY#LEDGER#${kind}#${sourceId}` });
/** one refund */
export const refund = (orderId: string, refundId: string): Key => ({ pk: orderPk(orderId), sk: `PAY#REFUND#${refundId}` });
/** every payment item of an order */
export const paymentsPrefix = (orderId: string) => ({ pk: orderPk(orderId), skPrefix: 'PAY#' });
/** paymentId -> orderId, written with the attempt: provider callbacks name only the payment */
export const paymentRef = (paymentId: string): Key => ({ pk: `PAYMENT#${paymentId}`, sk: 'PAYMENT' });
/**
 * Sparse gsi2 entry on the open-attempt marker (it exists only while the attempt is
 * PENDING): oldest first, so reconciliation reads the attempts pending past a
 * threshold with one Query.
 */
export const paymentPending = (o: { openedAt: string; orderId: string; paymentId: string }) => ({ gsi2pk: 'PAYPENDING', gsi2sk: `${o.openedAt}#${o.orderId}#${o.paymentId}` });
export const paymentPendingPk = 'PAYPENDING';
/** upper bound of the pending sort keys: everything opened before `at` */
export const paymentPendingBefore = (at: string) => `${at}#`;
/** gsi2 entry on a charge ledger entry (written once): the day's settled payments */
export const paymentSettled = (o: { at: string; orderId: string; paymentId: string }) => ({
  gsi2pk: `PAYSETTLED#${o.at.slice(0, 10)}`,
  gsi2sk: `${o.at}#${o.orderId}#${o.paymentId}`,
});
export const paymentSettledPk = (day: string) => `PAYSETTLED#${day}`;
/** one reported drift of an attempt (its fingerprint): put once, so a rerun does not report it again */
export const paymentDrift = (orderId: string, paymentId: string, fingerprint: string): Key => ({ pk: orderPk(orderId), sk: `PAY#DRIFT#${paymentId}#${fingerprint}` });

/**
 * A parcel's tracking, by its tracking number (what carriers' callbacks and the public
 * lookup name): written with the shipment, moved by tracking reports. It holds no
 * personal data, so the public route can return it as it is.
 */
export const tracking = (trackingNumber: string): Key => ({ pk: `TRACKING#${trackingNumber}`, sk: 'TRACKING' });
/** one carrier tracking callback event (the provider's identity of it): put once, kept past every retry window */
export const carrierInbox = (provider: string, eventKey: string): Key => ({ pk: `CARRIERINBOX#${provider}#${eventKey}`, sk: 'CARRIERINBOX' });

// Outbound lives in the order's partition under one prefix, so the whole-order Query
// returns fulfilments and shipments with the order.
/** one fulfilment (pick/pack work) of an order */
export const fulfilment = (orderId: string, fulfillmentId: string): Key => ({ pk: orderPk(orderId), sk: `OUT#FUL#${fulfillmentId}` });
/** one shipment (parcel) of an order */
export const shipment = (orderId: string, shipmentId: string): Key => ({ pk: orderPk(orderId), sk: `OUT#SHP#${shipmentId}` });
/** fulfillmentId -> orderId, written with the fulfilment: its routes name only the fulfilment */
export const fulfilmentRef = (fulfillmentId: string): Key => ({ pk: `FULFILMENT#${fulfillmentId}`, sk: 'FULFILMENT' });
/** every fulfilment and shipment of an order */
export const outboundPrefix = (orderId: string) => ({ pk: orderPk(orderId), skPrefix: 'OUT#' });
export const outboundKind = (sk: string): 'fulfilment' | 'shipment' | undefined => (sk.startsWith('OUT#FUL#') ? 'fulfilment' : sk.startsWith('OUT#SHP#') ? 'shipment' : undefined);
/** gsi1 entry on a shipment: staff find the order by tracking number (Query, never a scan) */
export const shipmentTracking = (trackingNumber: string, orderId: string, shipmentId: string) => ({ gsi1pk: `TRACKINGNO#${trackingNumber}`, gsi1sk: `${orderId}#${shipmentId}` });
export const shipmentTrackingPk = (trackingNumber: string) => `TRACKINGNO#${trackingNumber}`;
/**
 * Sparse item that exists only while a DELIVERED order waits for its return window to
 * close: gsi2 sorted by that time, so the completion job reads exactly the due orders.
 */
export const completionDue = (o: { orderId: string; dueAt: string }) => ({ pk: orderPk(o.orderId), sk: 'COMPLETIONDUE', gsi2pk: 'COMPLETIONDUE', gsi2sk: `${o.dueAt}#${o.orderId}` });
export const completionDueKey = (orderId: string): Key => ({ pk: orderPk(orderId), sk: 'COMPLETIONDUE' });
export const completionDuePk = 'COMPLETIONDUE';
/** upper bound of the due sort keys: everything due at or before `at` */
export const completionDueUntil = (at: string) => `${at}#~`;
/** what the report aggregation keeps of an order between its events (placement facts, stage times, version) */
export const reportTrail = (orderId: string): Key => ({ pk: `REPORTORDER#${orderId}`, sk: 'TRAIL' });
/** an event (or one part of it) counted into the reports: put in the same transaction as its counters */
export const reportSeen = (orderId: string, eventId: string): Key => ({ pk: `REPORTORDER#${orderId}`, sk: `SEEN#${eventId}` });
/**
 * one shard of a business day's counters; a month's days of one shard share a partition.
 * `generation` names a separate set of counters (rebuild-reports writes one); absent: the live set.
 */
export const reportDay = (day: string, shard: number, generation?: string, part: DayPart = 'sales'): Key =>
  ({ pk: reportPk(day.slice(0, 7), shard, generation), sk: `${DAY_PART_SK[part]}#${day}` });
/** one shard of a business day's counters of one SKU */
export const reportSku = (day: string, shard: number, sku: string, generation?: string): Key => ({ pk: reportPk(day.slice(0, 7), shard, generation), sk: `SKU#${day}#${sku}` });
/** the items of one part of the day counters (or the SKU items) of one month's shard from day `from` to day `to` */
export const reportRange = (kind: DayPart | 'sku', month: string, shard: number, from: string, to: string, generation?: string) => {
  const prefix = kind === 'sku' ? 'SKU' : DAY_PART_SK[kind];
  return { pk: reportPk(month, shard, generation), skFrom: `${prefix}#${from}`, skTo: kind === 'sku' ? `SKU#${to}#\uffff` : `${prefix}#${to}` };
};

/** an e-mail sent to the customer for one event: put once after the send, so a redelivered event is not sent again */
export const customerMessageSent = (eventId: string): Key => ({ pk: `CUSTOMERMESSAGE#${eventId}`, sk: 'SENT' });
/** a delivery sending the event's e-mail now: taken before the send, so two copies of the event in two containers send it once */
export const customerMessageClaim = (eventId: string): Key => ({ pk: `CUSTOMERMESSAGE#${eventId}`, sk: 'SENDING' });

// After-sales: a return (or claim) lives in the order's partition beside outbound, so
// the same consistent Query that reads fulfilments and shipments reads the returns.
/** one return or claim of an order */
const returnKey = (orderId: string, returnId: string): Key => ({ pk: orderPk(orderId), sk: `OUT#RET#${returnId}` });
export { returnKey as return };
/** returnId -> orderId, written with the return: its routes name only the return */
export const returnRef = (returnId: string): Key => ({ pk: `RETURN#${returnId}`, sk: 'RETURN' });
export const isReturn = (sk: string): boolean => sk.startsWith('OUT#RET#');
/**
 * gsi2 of RETURN items: the returns in a status, oldest first (the after-sales queues).
 * Put with the return; the partition key moves with every status change, in its transaction.
 */
export const returnStatusIndex = (o: { status: string; createdAt: string; returnId: string }) => ({ gsi2pk: `RETURNS#${o.status}`, gsi2sk: `${o.createdAt}#${o.returnId}` });
export const returnStatusPk = (status: string) => `RETURNS#${status}`;

// Customer service: look-ups by phone and payment reference, feedback.
/**
 * A second look-up item of an order with a phone (written with it, never changed):
 * gsi1 = the phone's digits by date, so staff find a caller's orders with one Query.
 */
export const orderPhone = (o: { orderId: string; phone: string; createdAt: string }) => ({
  pk: orderPk(o.orderId),
  sk: 'LOOKUP#PHONE',
  gsi1pk: `PHONE#${phoneDigits(o.phone)}`,
  gsi1sk: `${o.createdAt}#${o.orderId}`,
});
export const phonePk = (phone: string) => `PHONE#${phoneDigits(phone)}`;
/** gsi1 entry on a payment attempt once the provider named it: staff find the order by the provider's reference */
export const paymentProviderRef = (o: { providerRef: string; orderId: string; paymentId: string }) => ({
  gsi1pk: `PAYREF#${o.providerRef}`,
  gsi1sk: `${o.orderId}#${o.paymentId}`,
});
export const paymentProviderRefPk = (providerRef: string) => `PAYREF#${providerRef}`;
/** gsi1 entry on a notification about an order: the order's story lists what was sent about it */
export const orderNotification = (o: { orderId: string; recordedAt: string; department: string; eventId: string }) => ({
  gsi1pk: `NOTIFIED#${o.orderId}`,
  gsi1sk: `${o.recordedAt}#${o.department}#${o.eventId}`,
});
export const orderNotificationPk = (orderId: string) => `NOTIFIED#${orderId}`;
/** An order's feedback: put once (a second is refused); the averages are counters on the profile and the product */
export const feedback = (orderId: string): Key => ({ pk: orderPk(orderId), sk: 'FEEDBACK' });

// Integrations: a webhook subscription and its deliveries share a partition, so a
// subscription's deliveries are one Query (newest first: event ids are ULIDs).
/** one outbound webhook subscription (its id is the admin's name for the partner) */
export const webhook = (webhookId: string): Key => ({ pk: `WEBHOOK#${webhookId}`, sk: 'WEBHOOK' });
export const webhookPartition = (webhookId: string) => `WEBHOOK#${webhookId}`;
/** gsi1: every subscription, by id (the delivery worker reads them all: a handful) */
export const webhookListing = (webhookId: string) => ({ gsi1pk: 'WEBHOOKS', gsi1sk: webhookId });
export const webhookListingPk = 'WEBHOOKS';
/** one delivery of one event to one subscription: put once, so a redelivered event is not sent twice */
export const webhookDelivery = (webhookId: string, eventId: string): Key => ({ pk: `WEBHOOK#${webhookId}`, sk: `DELIVERY#${eventId}` });
export const webhookDeliveriesPrefix = (webhookId: string) => ({ pk: `WEBHOOK#${webhookId}`, skPrefix: 'DELIVERY#' });
/**
 * Sparse gsi2 entry on a delivery while it is PENDING, sorted by its next attempt: the
 * retry job reads exactly the due deliveries (Query `gsi2sk <= now`), no scan.
 */
export const webhookDue = (o: { nextAttemptAt: string; webhookId: string; eventId: string }) => ({ gsi2pk: 'WEBHOOKDUE', gsi2sk: `${o.nextAttemptAt}#${o.webhookId}#${o.eventId}` });
export const webhookDuePk = 'WEBHOOKDUE';
/** upper bound of the due sort keys: everything due at or before `at` */
export const webhookDueUntil = (at: string) => `${at}#~`;
/** a marketplace channel's SKU map (theirs -> ours) and the machine clients that import its orders */
export const skuMap = (channel: string): Key => ({ pk: `MARKETPLACE#${channel}`, sk: 'SKUMAP' });
// Personal data: a customer's erasure and what was sent to the customer about an order.
/** the audit item of a customer's erasure (who, when, why) and its progress over their orders */
export const customerErasure = (customerId: string): Key => ({ pk: `CUSTOMER#${customerId}`, sk: 'ERASURE' });
/** gsi1 entry on a customer message's sent-marker: what was sent about an order (export) */
export const orderCustomerMessage = (o: { orderId: string; sentAt: string; eventId: string }) => ({ gsi1pk: `MESSAGED#${o.orderId}`, gsi1sk: `${o.sentAt}#${o.eventId}` });
export const orderCustomerMessagePk = (orderId: string) => `MESSAGED#${orderId}`;
// Exchanges and reships: a replacement waiting for stock is found from the SKU that arrives.
/** one SKU a return's replacement waits for: put while it waits, deleted when the replacement is placed */
export const stockWait = (sku: string, returnId: string): Key => ({ pk: `STOCKWAIT#${sku}`, sk: `RETURN#${returnId}` });
export const stockWaitPk = (sku: string) => `STOCKWAIT#${sku}`;

/** Sort key prefixes of the parts of a day's report counters (`DAY#` is the sales totals). */
const DAY_PART_SK: Record<DayPart, string> = { sales: 'DAY', channels: 'CHAN', payments: 'PAY', times: 'TIME', returns: 'RET' };

function reportPk(month: string, shard: number, generation?: string): string {
  return generation === undefined ? `REPORT#${month}#${shard}` : `REPORTGEN#${generation}#${month}#${shard}`;
}

/** A phone number as indexed: its digits only ("+86 138-0000" and "86138 0000" are one number). */
export function phoneDigits(phone: string): string {
  return phone.replace(/\D/g, '');
}

/** Which kind of item a query returned, from its sort key (order partition only). */
export function orderItemKind(sk: string): 'order' | 'reservation' | 'timeline' | 'outbox' | 'payment' | 'other' {
  if (sk === 'ORDER') return 'order';
  if (sk.startsWith('PAY#')) return 'payment';
  if (sk === 'RESERVATION') return 'reservation';
  if (sk.startsWith('EVENT#')) return 'timeline';
  if (sk.startsWith('OUTBOX#')) return 'outbox';
  return 'other';
}
