import * as z from 'zod';
import { BusinessRuleError, ConflictError } from './errors';
import type { OrderStatus } from './order-status';
import type { CommandType } from './order-transitions';
import { DEFAULT_LOCATION_ID } from './replenishment';
import { lazySchema } from './lazy-schema';

// Outbound work (出庫) as a small aggregate of its own: a fulfilment picks and packs
// some units of an order's lines at the location holding their reservation, OPEN ->
// PACKED -> SHIPPED | CANCELLED. The order's per-line quantities and its status are
// derived from its fulfilments and shipments, never kept as separate counters, so
// they cannot disagree with the items they sum.

export const FULFILMENT_STATUSES = ['OPEN', 'PACKED', 'SHIPPED', 'CANCELLED'] as const;
export const FulfilmentStatus = z.enum(FULFILMENT_STATUSES);
export type FulfilmentStatus = z.infer<typeof FulfilmentStatus>;

export const FulfilmentLine = lazySchema(() =>
  z.object({
    sku: z.string(),
    name: z.string(),
    quantity: z.int().min(1),
    /** where the units are picked: the location holding the order's reservation */
    locationId: z.string(),
    /** units of this line that left in shipments */
    shipped: z.int().min(0),
  }),
);
export type FulfilmentLine = z.infer<typeof FulfilmentLine>;

export const Fulfilment = lazySchema(() =>
  z.object({
    fulfillmentId: z.string(),
    orderId: z.string(),
    orderNumber: z.string(),
    status: FulfilmentStatus,
    lines: z.array(FulfilmentLine).min(1),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    packedAt: z.iso.datetime().optional(),
    cancelledAt: z.iso.datetime().optional(),
    version: z.int().min(1),
  }),
);
export type Fulfilment = z.infer<typeof Fulfilment>;

/** What a shipment contributes to the order's lines (the full shape is in shipment.ts). */
export interface ShippedUnits {
  lines: readonly { sku: string; quantity: number }[];
  /** the carrier says the parcel arrived: `delivered`, or a shipment's status DELIVERED */
  delivered?: boolean;
  status?: string;
}

const isDelivered = (s: ShippedUnits) => s.delivered ?? s.status === 'DELIVERED';

/** One line of the order as outbound sees it: every quantity in units, per SKU. */
export const LineQuantities = lazySchema(() =>
  z.object({
    sku: z.string(),
    name: z.string(),
    ordered: z.int(),
    /** in fulfilments that are not cancelled (open, packed or shipped) */
    allocated: z.int(),
    /** packed (picked) in fulfilments that are packed or shipped */
    picked: z.int(),
    shipped: z.int(),
    delivered: z.int(),
    /** taken by returns and claims that are not rejected (0 here; the callers that read returns fill it in) */
    returned: z.int(),
  }),
);
export type LineQuantities = z.infer<typeof LineQuantities>;

const live = (f: Pick<Fulfilment, 'status'>) => f.status !== 'CANCELLED';
const packed = (f: Pick<Fulfilment, 'status'>) => f.status === 'PACKED' || f.status === 'SHIPPED';

/** Per SKU (lines of one SKU summed, in first-seen order): ordered, allocated, picked, shipped, delivered, returned. */
export function lineQuantities(
  orderLines: readonly { sku: string; name: string; quantity: number }[],
  fulfilments: readonly Pick<Fulfilment, 'status' | 'lines'>[],
  shipments: readonly ShippedUnits[],
): LineQuantities[] {
  const bySku = new Map<string, LineQuantities>();
  for (const l of orderLines) {
    const q = bySku.get(l.sku) ?? { sku: l.sku, name: l.name, ordered: 0, allocated: 0, picked: 0, shipped: 0, delivered: 0, returned: 0 };
    q.ordered += l.quantity;
    bySku.set(l.sku, q);
  }
  const add = (sku: string, field: 'allocated' | 'picked' | 'shipped' | 'delivered', n: number) => {
    const q = bySku.get(sku);
    if (q) q[field] += n;
  };
  for (const f of fulfilments) {
    for (const l of f.lines) {
      if (live(f)) add(l.sku, 'allocated', l.quantity);
      if (packed(f)) add(l.sku, 'picked', l.quantity);
    }
  }
  for (const s of shipments) {
    for (const l of s.lines) {
      add(l.sku, 'shipped', l.quantity);
      if (isDelivered(s)) add(l.sku, 'delivered', l.quantity);
    }
  }
  return [...bySku.values()];
}

/** Units of a line that no fulfilment covers yet: ordered - allocated to open/packed fulfilments - shipped. */
export const toFulfil = (q: LineQuantities): number => q.ordered - q.allocated;

/**
 * The order's status as its lines say: everything delivered DELIVERED, some delivered
 * PARTIALLY_DELIVERED, everything shipped SHIPPED, some shipped PARTIALLY_SHIPPED;
 * nothing shipped yet: the status it has (FULFILLING).
 */
export function orderStatusOf(lines: readonly LineQuantities[], current: OrderStatus): OrderStatus {
  const all = (f: (q: LineQuantities) => boolean) => lines.length > 0 && lines.every(f);
  const some = (f: (q: LineQuantities) => boolean) => lines.some(f);
  if (all((q) => q.delivered >= q.ordered)) return 'DELIVERED';
  if (some((q) => q.delivered > 0)) return 'PARTIALLY_DELIVERED';
  if (all((q) => q.shipped >= q.ordered)) return 'SHIPPED';
  if (some((q) => q.shipped > 0)) return 'PARTIALLY_SHIPPED';
  return current;
}

/** The lifecycle command that moves an order from its status to the one its lines now say (none: it stays). */
export function commandFor(from: OrderStatus, to: OrderStatus): CommandType | undefined {
  if (from === to) return undefined;
  switch (to) {
    case 'PARTIALLY_SHIPPED': return 'ship-part';
    case 'SHIPPED': return 'ship';
    case 'PARTIALLY_DELIVERED': return 'deliver-part';
    case 'DELIVERED': return 'deliver';
    default: throw new Error(`No shipment moves an order to ${to}`);
  }
}

/** Order statuses in which outbound work may be opened, packed, cancelled or shipped. */
export const OUTBOUND_STATUSES: readonly OrderStatus[] = ['FULFILLING', 'PARTIALLY_SHIPPED', 'PARTIALLY_DELIVERED'];

export function assertOutbound(order: { orderId: string; orderNumber?: string; status: OrderStatus; version: number }, what: string): void {
  if (!OUTBOUND_STATUSES.includes(order.status)) {
    throw new ConflictError(
      `Order ${order.orderNumber ?? order.orderId} is ${order.status}; ${what} needs it in fulfilment`,
      { status: order.status, version: order.version },
      'illegal-transition',
      'Illegal state transition',
    );
  }
}

export interface FulfilmentRequest {
  /** units per SKU; absent: everything not yet covered */
  lines?: readonly { sku: string; quantity: number }[] | undefined;
}

/**
 * The lines of a new fulfilment: what was asked (or everything left to fulfil), each
 * at the location its reservation holds. Asking for an SKU the order lacks is a 422,
 * for more than is left a 409 naming what is left, for nothing when all is covered a 409.
 */
export function planFulfilment(
  quantities: readonly LineQuantities[],
  reserved: readonly { sku: string; locationId?: string | undefined }[],
  request: FulfilmentRequest,
): FulfilmentLine[] {
  const bySku = new Map(quantities.map((q) => [q.sku, q]));
  const locationOf = (sku: string) => reserved.find((r) => r.sku === sku)?.locationId ?? DEFAULT_LOCATION_ID;
  let wanted: { sku: string; quantity: number }[];
  if (request.lines) {
    const summed = new Map<string, number>();
    for (const l of request.lines) summed.set(l.sku, (summed.get(l.sku) ?? 0) + l.quantity);
    const unknown = [...summed.keys()].filter((sku) => !bySku.has(sku));
    if (unknown.length) throw new BusinessRuleError(`The order has no line of ${unknown.join(', ')}`, { skus: unknown }, 'unknown-line');
    const over = [...summed].filter(([sku, n]) => n > toFulfil(bySku.get(sku)!));
    if (over.length) {
      throw new ConflictError(
        `More than is left to fulfil: ${over.map(([sku, n]) => `${sku} asked ${n}, left ${toFulfil(bySku.get(sku)!)}`).join('; ')}`,
        { left: over.map(([sku]) => ({ sku, quantity: toFulfil(bySku.get(sku)!) })) },
        'over-fulfilment',
        'More than is left to fulfil',
      );
    }
    wanted = [...summed].map(([sku, quantity]) => ({ sku, quantity }));
  } else {
    wanted = quantities.map((q) => ({ sku: q.sku, quantity: toFulfil(q) })).filter((l) => l.quantity > 0);
  }
  if (wanted.length === 0) throw new ConflictError('Every unit of the order is already in a fulfilment or shipped', {}, 'nothing-to-fulfil', 'Nothing to fulfil');
  return wanted.map(({ sku, quantity }) => ({ sku, name: bySku.get(sku)!.name, quantity, locationId: locationOf(sku), shipped: 0 }));
}

function illegalFulfilment(f: Fulfilment, action: string): ConflictError {
  return new ConflictError(
    `Fulfilment ${f.fulfillmentId} is ${f.status}; it cannot be ${action}`,
    { status: f.status, version: f.version },
    'illegal-transition',
    'Illegal state transition',
  );
}

/** OPEN -> PACKED: every unit was picked and packed. */
export function pack(f: Fulfilment, now: Date): Fulfilment {
  if (f.status !== 'OPEN') throw illegalFulfilment(f, 'packed');
  const at = now.toISOString();
  return { ...f, status: 'PACKED', packedAt: at, updatedAt: at, version: f.version + 1 };
}

/** OPEN | PACKED -> CANCELLED while nothing of it shipped: its units go back to "to fulfil". */
export function cancelFulfilment(f: Fulfilment, now: Date): Fulfilment {
  if ((f.status !== 'OPEN' && f.status !== 'PACKED') || f.lines.some((l) => l.shipped > 0)) throw illegalFulfilment(f, 'cancelled');
  const at = now.toISOString();
  return { ...f, status: 'CANCELLED', cancelledAt: at, updatedAt: at, version: f.version + 1 };
}

/** Units of a packed fulfilment that have not left yet, per line. */
export const unshipped = (f: Fulfilment) =>
  f.status === 'PACKED' ? f.lines.map((l) => ({ sku: l.sku, locationId: l.locationId, quantity: l.quantity - l.shipped })).filter((l) => l.quantity > 0) : [];

/** A packed fulfilment after some of its units shipped: SHIPPED once every unit left. */
export function shipFrom(f: Fulfilment, units: readonly { sku: string; quantity: number }[], now: Date): Fulfilment {
  if (f.status !== 'PACKED') throw illegalFulfilment(f, 'shipped');
  const lines = f.lines.map((l) => {
    const n = units.filter((u) => u.sku === l.sku).reduce((a, u) => a + u.quantity, 0);
    if (l.shipped + n > l.quantity) throw new Error(`Shipping ${n} of ${l.sku} from ${f.fulfillmentId} exceeds what it packed`);
    return { ...l, shipped: l.shipped + n };
  });
  const done = lines.every((l) => l.shipped === l.quantity);
  return { ...f, lines, status: done ? 'SHIPPED' : 'PACKED', updatedAt: now.toISOString(), version: f.version + 1 };
}
