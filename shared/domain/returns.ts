import * as z from 'zod';
import { BusinessRuleError, ConflictError, ForbiddenError } from './errors';
import type { LineQuantities } from './fulfilment';
import { Money, multiply } from './money';
import type { OrderRecord } from './order';
import { lazySchema } from './lazy-schema';

// After-sales (退換貨) as an aggregate of its own: a return (RMA) or a claim against
// delivered units of an order. REQUESTED -> APPROVED | REJECTED; a return's parcel is
// then RECEIVED and inspected per line (restocked or written off as damaged) and the
// received units refunded (REFUNDED); a claim has no parcel and is refunded on approval.
// Either ends CLOSED. The units a return takes count against the order's lines from the
// moment it is requested (unless rejected), so two requests cannot return one unit twice.

export const RETURN_TYPES = ['return', 'exchange', 'claim'] as const;
export const ReturnKind = z.enum(RETURN_TYPES);
export type ReturnKind = z.infer<typeof ReturnKind>;

export const RETURN_STATUSES = ['REQUESTED', 'APPROVED', 'REJECTED', 'RECEIVED', 'REFUNDED', 'EXCHANGED', 'RESHIPPED', 'CLOSED'] as const;
export const ReturnStatus = z.enum(RETURN_STATUSES);
export type ReturnStatus = z.infer<typeof ReturnStatus>;

export const RETURN_CONDITIONS = ['resellable', 'damaged'] as const;
export const ReturnCondition = z.enum(RETURN_CONDITIONS);
export type ReturnCondition = z.infer<typeof ReturnCondition>;

/** How a claim is settled: the claimed units refunded, or sent again (a replacement order, no payment). */
export const ClaimSettlement = z.enum(['refund', 'reship']);
export type ClaimSettlement = z.infer<typeof ClaimSettlement>;

/**
 * The replacement order of an exchange (after its parcel is received) or of a claim settled
 * by reship (on approval): what it carries, and once placed which order it is, the credit the
 * returned units gave and what is left to pay. While stock is short it waits (`waitingFor`);
 * a replacement order rejected at its reservation is listed in `refused` and it waits again.
 */
export const Replacement = lazySchema(() =>
  z.object({
    lines: z.array(z.object({ sku: z.string(), quantity: z.int().min(1) })).min(1),
    order: z.object({ orderId: z.string(), orderNumber: z.string() }).optional(),
    credit: Money.optional(),
    /** what the customer pays for the replacement (an exchange for something dearer) */
    due: Money.optional(),
    /** not placed yet: the SKUs short of stock, since when (retried when stock arrives) */
    waitingFor: z.object({ reason: z.literal('stock'), skus: z.array(z.string()).min(1), since: z.iso.datetime() }).optional(),
    /** earlier replacement orders rejected at their reservation (stock taken meanwhile): the SKUs short, when */
    refused: z.array(z.object({ orderId: z.string(), orderNumber: z.string(), skus: z.array(z.string()), at: z.iso.datetime() })).optional(),
  }),
);
export type Replacement = z.infer<typeof Replacement>;

export const ReturnLine = lazySchema(() =>
  z.object({
    sku: z.string(),
    name: z.string(),
    quantity: z.int().min(1),
    reason: z.string(),
    unitPrice: Money,
    /** units received back in resellable condition (put back into available stock) */
    restocked: z.int().min(0),
    /** units received back damaged (written off: never available) */
    damaged: z.int().min(0),
  }),
);
export type ReturnLine = z.infer<typeof ReturnLine>;

export const ReturnRecord = lazySchema(() =>
  z.object({
    returnId: z.string(),
    orderId: z.string(),
    orderNumber: z.string(),
    /** return, exchange or claim (`type` in the API; the item's `type` names its entity) */
    kind: ReturnKind,
    status: ReturnStatus,
    lines: z.array(ReturnLine).min(1),
    note: z.string().optional(),
    requestedBy: z.string(),
    /** where the parcel was received */
    locationId: z.string().optional(),
    refund: z.object({ refundId: z.string(), paymentId: z.string(), amount: Money }).optional(),
    /** a claim: refund or reship */
    settlement: ClaimSettlement.optional(),
    /** an exchange's or a reshipped claim's replacement order */
    replacement: Replacement.optional(),
    rejectionReason: z.string().optional(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    approvedAt: z.iso.datetime().optional(),
    rejectedAt: z.iso.datetime().optional(),
    receivedAt: z.iso.datetime().optional(),
    closedAt: z.iso.datetime().optional(),
    version: z.int().min(1),
  }),
);
export type ReturnRecord = z.infer<typeof ReturnRecord>;

/** Still in progress: holds the order's completion until it is closed or rejected. */
/** The return as the API shows it. */
export const returnView = ({ kind, version: _v, ...r }: ReturnRecord) => ({ ...r, type: kind });
export type ReturnView = ReturnType<typeof returnView>;

export const isOpen = (r: Pick<ReturnRecord, 'status'>): boolean => r.status !== 'CLOSED' && r.status !== 'REJECTED';

/** Units of each SKU taken by returns that are not rejected. */
export function returnedUnits(returns: readonly Pick<ReturnRecord, 'status' | 'lines'>[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of returns) {
    if (r.status === 'REJECTED') continue;
    for (const l of r.lines) out.set(l.sku, (out.get(l.sku) ?? 0) + l.quantity);
  }
  return out;
}

/** Order statuses in which after-sales requests may be opened. */
const RETURNABLE: readonly OrderRecord['status'][] = ['PARTIALLY_DELIVERED', 'DELIVERED', 'COMPLETED'];

export interface ReturnRequestInput {
  type: ReturnKind;
  lines: readonly { sku: string; quantity: number; reason: string }[];
  note?: string | undefined;
  replacement?: readonly { sku: string; quantity: number }[] | undefined;
  settlement?: ClaimSettlement | undefined;
}

/**
 * What a request settles with besides its lines: an exchange's replacement (the SKUs asked
 * for, default the returned ones, summed per SKU), a claim's settlement (refund unless
 * reship, whose replacement is the claimed units). Either field on another type is a 422.
 */
export function settlementOf(input: ReturnRequestInput, lines: readonly ReturnLine[]): Pick<ReturnRecord, 'settlement' | 'replacement'> {
  if (input.replacement && input.type !== 'exchange') throw new BusinessRuleError('Only an exchange names a replacement', { type: input.type }, 'replacement-not-exchange');
  if (input.settlement && input.type !== 'claim') throw new BusinessRuleError('Only a claim names a settlement', { type: input.type }, 'settlement-not-claim');
  const summed = (units: readonly { sku: string; quantity: number }[]) => {
    const by = new Map<string, number>();
    for (const u of units) by.set(u.sku, (by.get(u.sku) ?? 0) + u.quantity);
    return [...by].map(([sku, quantity]) => ({ sku, quantity }));
  };
  if (input.type === 'exchange') return { replacement: { lines: summed(input.replacement ?? lines) } };
  if (input.type === 'claim') {
    const settlement = input.settlement ?? 'refund';
    return { settlement, ...(settlement === 'reship' ? { replacement: { lines: summed(lines) } } : {}) };
  }
  return {};
}

/** Settled with a replacement order (an exchange, a claim by reship) rather than a refund. */
export const replaces = (r: Pick<ReturnRecord, 'kind' | 'settlement'>): boolean => r.kind === 'exchange' || r.settlement === 'reship';

export interface RequestContext {
  order: Pick<OrderRecord, 'orderId' | 'orderNumber' | 'status' | 'lines' | 'version'>;
  /** per-line quantities of the order (delivered, and returned as the returns say) */
  quantities: readonly LineQuantities[];
  /** the storefront asks for its own order inside the window; staff may ask any time */
  byStorefront: boolean;
  /** when the last delivery happened (the window counts from it) */
  deliveredAt?: string | undefined;
  returnWindowDays: number;
  now: Date;
}

/**
 * The lines of a new return: each SKU on the order, at most what was delivered less
 * what returns already took (409 naming what is left), the storefront only within the
 * return window after delivery (403 after it).
 */
export function planReturn(c: RequestContext, input: ReturnRequestInput): ReturnLine[] {
  const { order } = c;
  if (!RETURNABLE.includes(order.status)) {
    throw new ConflictError(
      `Order ${order.orderNumber} is ${order.status}; only delivered units can be returned`,
      { status: order.status, version: order.version }, 'not-delivered', 'Not delivered',
    );
  }
  if (c.byStorefront) {
    const closesAt = c.deliveredAt ? new Date(c.deliveredAt).getTime() + c.returnWindowDays * 86_400_000 : 0;
    if (order.status === 'COMPLETED' || c.now.getTime() > closesAt) {
      throw new ForbiddenError(`The return window of order ${order.orderNumber} has closed; customer service can still help`, { returnWindowDays: c.returnWindowDays });
    }
  }
  const bySku = new Map(c.quantities.map((q) => [q.sku, q]));
  const wanted = new Map<string, { quantity: number; reasons: string[] }>();
  for (const l of input.lines) {
    const w = wanted.get(l.sku) ?? { quantity: 0, reasons: [] };
    w.quantity += l.quantity;
    if (!w.reasons.includes(l.reason)) w.reasons.push(l.reason);
    wanted.set(l.sku, w);
  }
  const unknown = [...wanted.keys()].filter((sku) => !bySku.has(sku));
  if (unknown.length) throw new BusinessRuleError(`The order has no line of ${unknown.join(', ')}`, { skus: unknown }, 'unknown-line');
  const left = (sku: string) => { const q = bySku.get(sku)!; return q.delivered - q.returned; };
  const over = [...wanted].filter(([sku, w]) => w.quantity > left(sku));
  if (over.length) {
    throw new ConflictError(
      `More than is left to return: ${over.map(([sku, w]) => `${sku} asked ${w.quantity}, left ${left(sku)}`).join('; ')}`,
      { left: over.map(([sku]) => ({ sku, quantity: left(sku) })) }, 'over-return', 'More than delivered and not yet returned',
    );
  }
  return [...wanted].map(([sku, w]) => {
    const line = order.lines.find((l) => l.sku === sku)!;
    return { sku, name: line.name, quantity: w.quantity, reason: w.reasons.join('; '), unitPrice: line.unitPrice, restocked: 0, damaged: 0 };
  });
}

/** What the approval rules of the workflow settings say of a new request. */
export interface ReturnApprovalRules {
  /** auto-approve when the value is below this amount (minor units) in the order's currency */
  autoApproveBelow: Record<string, number>;
  /** auto-approve when requested within this many days of delivery (0: never by age) */
  autoApproveWithinDays: number;
}

/** Auto-approved (true) or left for customer service (false); claims always go to a person. */
export function autoApproves(type: ReturnKind, lines: readonly ReturnLine[], rules: ReturnApprovalRules, deliveredAt: string | undefined, now: Date): boolean {
  if (type === 'claim') return false;
  const value = valueOf(lines.map((l) => ({ unitPrice: l.unitPrice, quantity: l.quantity })));
  const below = value ? rules.autoApproveBelow[value.currency] : undefined;
  if (value && below !== undefined && value.amount < below) return true;
  if (rules.autoApproveWithinDays > 0 && deliveredAt) return now.getTime() - new Date(deliveredAt).getTime() <= rules.autoApproveWithinDays * 86_400_000;
  return false;
}

/** Sum of unit price × quantity (undefined for no units). */
export function valueOf(units: readonly { unitPrice: Money; quantity: number }[]): Money | undefined {
  const priced = units.filter((u) => u.quantity > 0);
  if (!priced.length) return undefined;
  return priced.reduce<Money>((a, u) => ({ amount: a.amount + multiply(u.unitPrice, u.quantity).amount, currency: a.currency }), { amount: 0, currency: priced[0]!.unitPrice.currency });
}

function illegal(r: ReturnRecord, action: string): ConflictError {
  return new ConflictError(`Return ${r.returnId} is ${r.status}; it cannot be ${action}`, { status: r.status, version: r.version }, 'illegal-transition', 'Illegal state transition');
}

const stamp = (r: ReturnRecord, now: Date, change: Partial<ReturnRecord>): ReturnRecord =>
  ({ ...r, ...change, updatedAt: now.toISOString(), version: r.version + 1 });

/** REQUESTED -> APPROVED. Undefined when approved (or further) already: a repeated approval changes nothing. */
export function approve(r: ReturnRecord, now: Date): ReturnRecord | undefined {
  if (r.status === 'REQUESTED') return stamp(r, now, { status: 'APPROVED', approvedAt: now.toISOString() });
  if (r.status === 'REJECTED') throw illegal(r, 'approved');
  return undefined;
}

/** REQUESTED -> REJECTED (its units are free to return again). Undefined when rejected already. */
export function reject(r: ReturnRecord, reason: string, now: Date): ReturnRecord | undefined {
  if (r.status === 'REQUESTED') return stamp(r, now, { status: 'REJECTED', rejectedAt: now.toISOString(), rejectionReason: reason });
  if (r.status === 'REJECTED') return undefined;
  throw illegal(r, 'rejected');
}

export interface ReceivedLine {
  sku: string;
  quantity: number;
  condition: ReturnCondition;
}

/**
 * An approved return's parcel arrived: per SKU, the units received resellable or damaged,
 * together at most what the return asked for (422 otherwise). Undefined when it was
 * received already (a repeated receipt changes nothing); a claim has no parcel (409).
 */
export function receive(r: ReturnRecord, received: readonly ReceivedLine[], locationId: string, now: Date): ReturnRecord | undefined {
  if (r.kind === 'claim') throw new ConflictError(`Return ${r.returnId} is a claim: nothing comes back to receive`, { type: r.kind }, 'claim-not-received', 'Claims are not received');
  if (r.status === 'RECEIVED' || r.status === 'REFUNDED' || r.status === 'CLOSED') return undefined;
  if (r.status !== 'APPROVED') throw illegal(r, 'received');
  const unknown = received.filter((l) => !r.lines.some((x) => x.sku === l.sku)).map((l) => l.sku);
  if (unknown.length) throw new BusinessRuleError(`Return ${r.returnId} has no line of ${[...new Set(unknown)].join(', ')}`, { skus: unknown }, 'unknown-line');
  const lines = r.lines.map((l) => {
    const of = (c: ReturnCondition) => received.filter((x) => x.sku === l.sku && x.condition === c).reduce((a, x) => a + x.quantity, 0);
    return { ...l, restocked: of('resellable'), damaged: of('damaged') };
  });
  const over = lines.filter((l) => l.restocked + l.damaged > l.quantity);
  if (over.length) {
    throw new BusinessRuleError(
      `More received than returned: ${over.map((l) => `${l.sku} received ${l.restocked + l.damaged}, returned ${l.quantity}`).join('; ')}`,
      { lines: over.map((l) => ({ sku: l.sku, quantity: l.quantity })) }, 'over-receipt',
    );
  }
  if (lines.every((l) => l.restocked + l.damaged === 0)) throw new BusinessRuleError('Nothing received: name at least one unit', {}, 'nothing-received');
  return stamp(r, now, { status: 'RECEIVED', lines, locationId, receivedAt: now.toISOString() });
}

/** The units a return refunds (or an exchange credits): a return's received units, a claim's claimed units. */
export function refundableUnits(r: ReturnRecord): { unitPrice: Money; quantity: number }[] {
  return r.lines.map((l) => ({ unitPrice: l.unitPrice, quantity: r.kind === 'claim' ? l.quantity : l.restocked + l.damaged }));
}

/**
 * Whether the replacement order is due now: an exchange once its parcel is received, a claim
 * by reship once approved, and not placed yet.
 */
export function replacementDue(r: ReturnRecord): boolean {
  if (!r.replacement || r.replacement.order) return false;
  return r.kind === 'exchange' ? r.status === 'RECEIVED' : r.settlement === 'reship' && r.status === 'APPROVED';
}

/** RECEIVED | REFUNDED | EXCHANGED | RESHIPPED | REJECTED -> CLOSED. Undefined when closed already. */
export function close(r: ReturnRecord, now: Date): ReturnRecord | undefined {
  if (r.status === 'CLOSED') return undefined;
  if (r.status === 'REQUESTED' || r.status === 'APPROVED') throw illegal(r, 'closed before it is settled');
  if (replacementDue(r)) throw illegal(r, 'closed before its replacement is placed');
  return stamp(r, now, { status: 'CLOSED', closedAt: now.toISOString() });
}
