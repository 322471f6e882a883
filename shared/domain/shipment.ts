import * as z from 'zod';
import type { Carrier as PortCarrier, ShipmentStatus as PortShipmentStatus } from '../shipping/port';
import { BusinessRuleError, ConflictError } from './errors';
import type { Fulfilment } from './fulfilment';
import { unshipped } from './fulfilment';
import { SKUS_PER_TRANSACTION } from './stock-changes';
import { lazySchema } from './lazy-schema';

// A shipment (發貨) is a parcel of packed units handed to a carrier with a tracking
// number. It draws its units from packed fulfilments; its own status mirrors the
// carrier's normalized one where outbound acts on it (LABEL_CREATED at booking,
// DELIVERED when the carrier says so).

// The carriers and normalized statuses of the shipping contract (shared/shipping/port.ts),
// spelled here as plain lists so that the HTTP functions' bundles, which all carry the
// route schemas, do not carry the contract's other schemas too. The types below keep
// both lists equal to the contract's.
const CARRIER_NAMES = ['aftership', 'easypost', 'kuaidi100', '17track', 'sandbox'] as const;
const SHIPMENT_STATUS_NAMES = [
  'LABEL_CREATED', 'PICKED_UP', 'IN_TRANSIT', 'EXCEPTION', 'DELIVERY_FAILED', 'OUT_FOR_DELIVERY', 'READY_FOR_PICKUP', 'RETURNING', 'DELIVERED', 'RETURNED',
] as const;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Holds<T extends true> = T;
/** compile-time checks only: both lists equal the contract's */
export type ContractLists = [Holds<Same<(typeof CARRIER_NAMES)[number], PortCarrier>>, Holds<Same<(typeof SHIPMENT_STATUS_NAMES)[number], PortShipmentStatus>>];

export const Carrier = z.enum(CARRIER_NAMES);
export type Carrier = z.infer<typeof Carrier>;
export const ShipmentStatus = z.enum(SHIPMENT_STATUS_NAMES);

export const ShipmentLine = lazySchema(() =>
  z.object({
    sku: z.string(),
    quantity: z.int().min(1),
    fulfillmentId: z.string(),
    locationId: z.string(),
  }),
);
export type ShipmentLine = z.infer<typeof ShipmentLine>;

export const Shipment = lazySchema(() =>
  z.object({
    shipmentId: z.string(),
    orderId: z.string(),
    orderNumber: z.string(),
    carrier: Carrier,
    /** Kuaidi100's code of the courier company (shunfeng, yuantong…), for a kuaidi100 parcel's subscription */
    courier: z.string().optional(),
    trackingNumber: z.string(),
    status: ShipmentStatus,
    lines: z.array(ShipmentLine).min(1),
    providerRef: z.string().optional(),
    labelUrl: z.string().optional(),
    estimatedDelivery: z.string().optional(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    deliveredAt: z.iso.datetime({ offset: true }).optional(),
    version: z.int().min(1),
  }),
);
export type Shipment = z.infer<typeof Shipment>;

/**
 * Actions one shipment's transaction needs besides its stock: the shipment, the order,
 * the tracking record, the timeline entry, up to two outbox events and an
 * Idempotency-Key claim.
 */
const FIXED_ACTIONS = 7;
/** Each SKU at a location moves four items (level, total, ledger entry, the order's hold). */
const ACTIONS_PER_SKU = 4;
const MAX_ACTIONS = 100;

/**
 * A shipment's stock commit happens in its own transaction, so one shipment carries at
 * most what fits one: 20 SKUs from a handful of fulfilments. A bigger parcel is
 * shipped as several shipments (a 422 says so).
 */
export function assertFitsOneTransaction(lines: readonly ShipmentLine[]): void {
  const skus = new Set(lines.map((l) => `${l.sku}@${l.locationId}`)).size;
  const fulfilments = new Set(lines.map((l) => l.fulfillmentId)).size;
  const actions = FIXED_ACTIONS + ACTIONS_PER_SKU * skus + fulfilments;
  if (skus > SKUS_PER_TRANSACTION || actions > MAX_ACTIONS) {
    throw new BusinessRuleError(
      `A shipment of ${skus} SKUs from ${fulfilments} fulfilments is too big for one transaction; ship it as several shipments (at most 20 SKUs each)`,
      { skus, fulfilments },
      'shipment-too-large',
    );
  }
}

export interface ShipmentRequest {
  lines?: readonly { sku: string; quantity: number }[] | undefined;
  fulfillmentId?: string | undefined;
}

/**
 * Which packed units a shipment takes: the named fulfilment's (or every packed
 * fulfilment's, oldest first) unshipped units, all of them or as many of each SKU as
 * asked. Nothing packed is a 409; more than is packed a 409 naming what is.
 */
export function planShipment(fulfilments: readonly Fulfilment[], request: ShipmentRequest): ShipmentLine[] {
  const named = request.fulfillmentId;
  const sources = [...fulfilments]
    .filter((f) => named === undefined || f.fulfillmentId === named)
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.fulfillmentId.localeCompare(b.fulfillmentId));
  if (named !== undefined && sources.length === 0) throw new BusinessRuleError(`The order has no fulfilment ${named}`, { fulfillmentId: named }, 'unknown-fulfilment');
  const available = sources.flatMap((f) => unshipped(f).map((u) => ({ ...u, fulfillmentId: f.fulfillmentId })));
  if (available.length === 0) {
    throw new ConflictError(
      named !== undefined ? `Fulfilment ${named} has nothing packed left to ship` : 'Nothing packed is left to ship: pack a fulfilment first',
      {},
      'nothing-packed',
      'Nothing packed to ship',
    );
  }
  if (!request.lines) return available;

  const wanted = new Map<string, number>();
  for (const l of request.lines) wanted.set(l.sku, (wanted.get(l.sku) ?? 0) + l.quantity);
  const lines: ShipmentLine[] = [];
  const short: { sku: string; requested: number; packed: number }[] = [];
  for (const [sku, requested] of wanted) {
    let left = requested;
    for (const a of available.filter((u) => u.sku === sku)) {
      if (left === 0) break;
      const n = Math.min(left, a.quantity);
      lines.push({ sku, quantity: n, fulfillmentId: a.fulfillmentId, locationId: a.locationId });
      left -= n;
    }
    if (left > 0) short.push({ sku, requested, packed: requested - left });
  }
  if (short.length) {
    throw new ConflictError(
      `More than is packed: ${short.map((s) => `${s.sku} asked ${s.requested}, packed ${s.packed}`).join('; ')}`,
      { short },
      'not-packed',
      'Not packed',
    );
  }
  return lines;
}

/** Units per SKU and location (a transaction touches each stock item once). */
export function unitsBySkuAndLocation(lines: readonly ShipmentLine[]): { sku: string; locationId: string; quantity: number }[] {
  const out = new Map<string, { sku: string; locationId: string; quantity: number }>();
  for (const l of lines) {
    const k = `${l.sku}@${l.locationId}`;
    const e = out.get(k) ?? { sku: l.sku, locationId: l.locationId, quantity: 0 };
    e.quantity += l.quantity;
    out.set(k, e);
  }
  return [...out.values()];
}
