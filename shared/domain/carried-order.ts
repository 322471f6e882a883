import type { Demand } from './inventory';
import type { LifecycleOrder } from './lifecycle';
import type { Money } from './money';
import type { Channel } from './order-fields';

// The order as the events of its path carry it. A step that an event triggers can decide
// on the event's copy instead of reading the order again: every decision is written
// conditioned on the order's version and status, so a copy that went stale (the order
// moved meanwhile) only fails its condition, and the step reads the order and decides
// again. The customer's email and address never travel in an event.

/** The part of an order the reservation decides on (and tells review); an OrderRecord fits. */
export interface PlacedOrder extends LifecycleOrder {
  lines: readonly Demand[];
  createdAt: string;
  channel: Channel;
  totals: { total: Money };
  customer: { customerId: string };
  /** absent on an OrderPlaced published before it carried the country */
  shippingAddress?: { country: string };
}

/** What an OrderPlaced says of its order (its data, as the contract reads it). */
export interface PlacedData {
  orderId: string;
  orderNumber: string;
  channel: Channel;
  customerId: string;
  lines: readonly Demand[];
  totals: { total: Money };
  placedAt: string;
  shippingCountry?: string | undefined;
}

/**
 * The order as OrderPlaced describes it: placed orders are PENDING at version 1
 * (placedChangeSet), and nothing changes an order's lines after placement.
 */
export function placedOrder(data: PlacedData): PlacedOrder {
  return {
    orderId: data.orderId,
    orderNumber: data.orderNumber,
    status: 'PENDING',
    version: 1,
    lines: data.lines.map(({ sku, quantity }) => ({ sku, quantity })),
    createdAt: data.placedAt,
    channel: data.channel,
    totals: { total: data.totals.total },
    customer: { customerId: data.customerId },
    ...(data.shippingCountry !== undefined ? { shippingAddress: { country: data.shippingCountry } } : {}),
  };
}

/** What StockReserved tells review of the order besides its version (see the event's contract). */
export interface ReservedFacts {
  channel: Channel;
  total: Money;
  customerId: string;
  shippingCountry: string;
  skus: string[];
  placedAt: string;
}

/** The facts review decides on, or none when the order's copy lacks one (review then reads the order). */
export function reservedFacts(order: PlacedOrder): ReservedFacts | undefined {
  if (!order.shippingAddress) return undefined;
  return {
    channel: order.channel,
    total: order.totals.total,
    customerId: order.customer.customerId,
    shippingCountry: order.shippingAddress.country,
    skus: [...new Set(order.lines.map((l) => l.sku))],
    placedAt: order.createdAt,
  };
}

/** The part of an order review decides on; an OrderRecord fits. The email only when read from the order. */
export interface ReviewedOrder extends LifecycleOrder {
  createdAt: string;
  channel: Channel;
  totals: { total: Money };
  customer: { customerId: string; email?: string };
  shippingAddress: { country: string };
  lines: readonly { sku: string }[];
}

/** What a StockReserved says of its order (its data, as the contract reads it). */
export interface ReservedData extends Partial<ReservedFacts> {
  orderId: string;
  orderNumber: string;
  version?: number | undefined;
}

/**
 * The order as StockReserved describes it: IN_REVIEW at the version the reservation
 * wrote, not reviewed yet. Undefined for an event without every fact review needs (one
 * published before they were carried).
 */
export function reservedOrder(data: ReservedData): ReviewedOrder | undefined {
  const { version, channel, total, customerId, shippingCountry, skus, placedAt } = data;
  if (version === undefined || channel === undefined || total === undefined || customerId === undefined
    || shippingCountry === undefined || skus === undefined || placedAt === undefined) return undefined;
  return {
    orderId: data.orderId,
    orderNumber: data.orderNumber,
    status: 'IN_REVIEW',
    version,
    createdAt: placedAt,
    channel,
    totals: { total },
    customer: { customerId },
    shippingAddress: { country: shippingCountry },
    lines: skus.map((sku) => ({ sku })),
  };
}
