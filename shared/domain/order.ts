import { createHash } from 'node:crypto';
import * as z from 'zod';
import { BusinessRuleError } from './errors';
import { Money, multiply, sum } from './money';
import { Sku, type CatalogView } from './product';
import { PLACED_CHANNELS } from './order-number';
import { Channel, CountryCode } from './order-fields';
import { OrderStatus } from './order-status';
import { lazySchema } from './lazy-schema';
import { humanText } from './text';
import type { Shortage } from './inventory';

// Defined beside the order in order-fields.ts, which modules needing only them import (it builds two schemas).
// The order's own schemas are built on first use (lazySchema): nearly every bundle loads this module.
export { Channel, CountryCode };

const text = (max: number) => humanText({ max });

export const Address = lazySchema(() =>
  z.strictObject({
    name: text(200),
    phone: text(40).optional(),
    line1: text(200),
    line2: text(200).optional(),
    city: text(100),
    region: text(100).optional(),
    postalCode: text(20),
    country: CountryCode,
  }),
);
export type Address = z.infer<typeof Address>;

export const MAX_LINES = 100;
export const MAX_QUANTITY = 10_000;

export const PlaceOrderRequest = lazySchema(() =>
  z.strictObject({
    channel: z.enum(PLACED_CHANNELS),
    externalRef: text(100).optional(),
    customer: z.strictObject({
      email: z.email().max(254),
      phone: text(40).optional(),
      name: text(200),
    }),
    lines: z
      .array(z.strictObject({ sku: Sku, quantity: z.int().min(1).max(MAX_QUANTITY) }))
      .min(1)
      .max(MAX_LINES),
    shippingAddress: Address,
    notes: humanText({ max: 2000, multiline: true }).optional(),
  }),
);
export type PlaceOrderRequest = z.infer<typeof PlaceOrderRequest>;

export const OrderLine = lazySchema(() =>
  z.object({
    sku: Sku,
    name: z.string(),
    quantity: z.int(),
    unitPrice: Money,
    lineTotal: Money,
    /** the catalog cost when the order was placed (cost of goods in reports); staff only */
    unitCost: Money.optional(),
  }),
);
export type OrderLine = z.infer<typeof OrderLine>;

export const OrderTotals = lazySchema(() =>
  z.object({
    subtotal: Money,
    /** a replacement order's credit: what the returned (or claimed) units were worth; total = subtotal - credit, never below zero */
    credit: Money.optional(),
    total: Money,
  }),
);
export type OrderTotals = z.infer<typeof OrderTotals>;

export const TimelineEntry = lazySchema(() =>
  z.object({
    at: z.iso.datetime(),
    type: z.string(),
    actor: z.string(),
    detail: z.string().optional(),
  }),
);
export type TimelineEntry = z.infer<typeof TimelineEntry>;

export const ShortageSchema = lazySchema(() =>
  z.object({ sku: z.string(), requested: z.int(), available: z.int() }),
);

/** An order linked to another through a return: an exchange's or a claim's replacement. */
export const OrderLink = lazySchema(() =>
  z.object({ orderId: z.string(), orderNumber: z.string(), returnId: z.string() }),
);
export type OrderLink = z.infer<typeof OrderLink>;

/** The order as the API returns it (API.md "Order"). */
export const Order = lazySchema(() =>
  z.object({
    orderId: z.string(),
    orderNumber: z.string(),
    status: OrderStatus,
    channel: Channel,
    externalRef: z.string().optional(),
    customer: z.object({ customerId: z.string(), email: z.string(), name: z.string(), phone: z.string().optional() }),
    lines: z.array(OrderLine),
    totals: OrderTotals,
    shippingAddress: Address,
    notes: z.string().optional(),
    timeline: z.array(TimelineEntry),
    reservations: z.array(z.object({ sku: z.string(), quantity: z.int() })).optional(),
    rejectionReason: z.string().optional(),
    shortages: z.array(ShortageSchema).optional(),
    /** why the workflow settings sent the order to a person (empty or absent: auto-approved) */
    reviewReasons: z.array(z.string()).optional(),
    /** set on approval from the workflow settings: still unpaid then, the order expires */
    paymentDueAt: z.iso.datetime().optional(),
    cancellationReason: z.string().optional(),
    /** a replacement order (channel exchange): the order and the return (exchange or claim) it settles */
    replaces: OrderLink.optional(),
    /** the replacement orders placed for this order's exchanges and claims */
    replacements: z.array(OrderLink).optional(),
    version: z.int(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  }),
);
export type Order = z.infer<typeof Order>;

/** An order as its storefront sees it: what the lines sell for, not what they cost us. */
export const withoutLineCosts = <O extends { lines: OrderLine[] }>(order: O): O => ({
  ...order, lines: order.lines.map(({ unitCost: _cost, ...line }) => line),
});

/** What the store keeps besides the public shape: who placed it (for "own orders only"). */
export type OrderRecord = Omit<Order, 'timeline'> & { placedBy: string };

/**
 * A provisional id derived from the email. The store replaces it when the order is
 * created: with the id already claimed for the email, or a new one it claims.
 */
export function customerIdFor(email: string): string {
  return 'cus_' + createHash('sha256').update(email.trim().toLowerCase()).digest('hex').slice(0, 20);
}

export interface PricedOrder {
  lines: OrderLine[];
  totals: OrderTotals;
}

/**
 * Prices every line from the catalog (never from the client). Unknown SKUs and mixed
 * currencies are business-rule failures (422) that name the offending SKUs.
 */
export function priceOrder(request: Pick<PlaceOrderRequest, 'lines'>, catalog: CatalogView): PricedOrder {
  const unknown = [...new Set(request.lines.map((l) => l.sku).filter((sku) => !catalog.has(sku)))];
  if (unknown.length > 0) {
    throw new BusinessRuleError(`Unknown SKUs: ${unknown.join(', ')}`, { skus: unknown }, 'unknown-sku');
  }
  const lines = request.lines.map(({ sku, quantity }) => {
    const product = catalog.get(sku)!;
    return {
      sku, name: product.name, quantity, unitPrice: product.price, lineTotal: multiply(product.price, quantity),
      ...(product.cost ? { unitCost: product.cost } : {}),
    };
  });
  const currencies = [...new Set(lines.map((l) => l.unitPrice.currency))];
  if (currencies.length > 1) {
    const byCurrency = Object.fromEntries(
      currencies.map((c) => [c, lines.filter((l) => l.unitPrice.currency === c).map((l) => l.sku)]),
    );
    throw new BusinessRuleError(
      `Products are priced in different currencies (${currencies.join(', ')})`,
      { currencies: byCurrency },
      'currency-mismatch',
    );
  }
  const subtotal = sum(
    lines.map((l) => l.lineTotal),
    currencies[0]!,
  );
  return { lines, totals: { subtotal, total: subtotal } };
}

export interface NewOrderContext {
  orderId: string;
  orderNumber: string;
  placedBy: string;
  now: Date;
}

/** An order as placed: by a caller (PlaceOrderRequest), or by the system for an exchange (channel `exchange`). */
export type OrderRequest = Omit<PlaceOrderRequest, 'channel'> & { channel: Channel };

export function newOrder(request: OrderRequest, priced: PricedOrder, ctx: NewOrderContext): OrderRecord {
  const at = ctx.now.toISOString();
  return {
    orderId: ctx.orderId,
    orderNumber: ctx.orderNumber,
    status: 'PENDING',
    channel: request.channel,
    externalRef: request.externalRef,
    customer: {
      customerId: customerIdFor(request.customer.email),
      email: request.customer.email,
      name: request.customer.name,
      phone: request.customer.phone,
    },
    lines: priced.lines,
    totals: priced.totals,
    shippingAddress: request.shippingAddress,
    notes: request.notes,
    placedBy: ctx.placedBy,
    version: 1,
    createdAt: at,
    updatedAt: at,
  };
}

export type { Shortage };
