// The ONLY module that knows how items are keyed. Repositories build keys through
// these functions; nothing else may spell "ORDER#" or a GSI name. The access
// patterns they serve are listed in keys.md beside this file.

export const INDEX = {
  gsi1: 'gsi1',
  gsi2: 'gsi2',
} as const;

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
} as const;
export type Entity = (typeof ENTITY)[keyof typeof ENTITY];

export interface Key {
  pk: string;
  sk: string;
}

const productPk = (sku: string) => `PRODUCT#${sku}`;
const orderPk = (orderId: string) => `ORDER#${orderId}`;

export const keys = {
  product: (sku: string): Key => ({ pk: productPk(sku), sk: 'PRODUCT' }),
  /** every product, ordered by SKU (catalog and stock listings) */
  productListing: (sku: string) => ({ gsi1pk: 'PRODUCTS', gsi1sk: sku }),
  productListingPk: 'PRODUCTS',

  stock: (sku: string): Key => ({ pk: productPk(sku), sk: 'STOCK' }),
  ledger: (sku: string, at: string, id: string): Key => ({ pk: productPk(sku), sk: `LEDGER#${at}#${id}` }),
  ledgerPrefix: (sku: string) => ({ pk: productPk(sku), skPrefix: 'LEDGER#' }),

  order: (orderId: string): Key => ({ pk: orderPk(orderId), sk: 'ORDER' }),
  orderPartition: (orderId: string) => orderPk(orderId),
  /** gsi1: a customer's orders by date; gsi2: orders in a status by date */
  orderIndexes: (o: { customerId: string; status: string; createdAt: string; orderId: string }) => ({
    gsi1pk: `CUSTOMER#${o.customerId}`,
    gsi1sk: `ORDER#${o.createdAt}#${o.orderId}`,
    gsi2pk: `STATUS#${o.status}`,
    gsi2sk: `${o.createdAt}#${o.orderId}`,
  }),
  orderStatusIndex: (status: string, createdAt: string, orderId: string) => ({
    gsi2pk: `STATUS#${status}`,
    gsi2sk: `${createdAt}#${orderId}`,
  }),
  orderNumber: (orderNumber: string): Key => ({ pk: `ORDERNO#${orderNumber}`, sk: 'ORDERNO' }),
  reservation: (orderId: string): Key => ({ pk: orderPk(orderId), sk: 'RESERVATION' }),
  timeline: (orderId: string, at: string, id: string): Key => ({ pk: orderPk(orderId), sk: `EVENT#${at}#${id}` }),

  /** Outbox items live in the partition of the aggregate they describe. */
  outbox: (aggregatePk: string, eventId: string): Key => ({ pk: aggregatePk, sk: `OUTBOX#${eventId}` }),
  outboxPrefix: 'OUTBOX#',

  idempotency: (scope: string, key: string): Key => ({ pk: `IDEMPOTENCY#${scope}#${key}`, sk: 'IDEMPOTENCY' }),
  orderNumberCounter: (day: string): Key => ({ pk: `COUNTER#ORDERNO#${day}`, sk: 'COUNTER' }),
} as const;

/** Which kind of item a query returned, from its sort key (order partition only). */
export function orderItemKind(sk: string): 'order' | 'reservation' | 'timeline' | 'outbox' | 'other' {
  if (sk === 'ORDER') return 'order';
  if (sk === 'RESERVATION') return 'reservation';
  if (sk.startsWith('EVENT#')) return 'timeline';
  if (sk.startsWith('OUTBOX#')) return 'outbox';
  return 'other';
}
