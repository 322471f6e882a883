import type { Actor } from './actor';
import { actorLabel } from './actor';
import type { Change, ChangeSet, DomainEvent } from './decision';
import { BusinessRuleError } from './errors';
import type { Money } from './money';
import type { OrderRecord, OrderRequest, PricedOrder } from './order';
import { refundableUnits, valueOf, type ReturnRecord } from './returns';
import { timelineEntry } from './timeline';

// The replacement order of an exchange (its parcel received) or of a claim settled by
// reship (approved): an order of channel `exchange` placed like any other (it reserves
// stock, is reviewed and paid through the usual path), carrying the returned units'
// value as a credit. Its total is what is left to pay: zero when the credit covers it
// (the lifecycle then pays it without a payment), the difference when the replacement is
// dearer; a cheaper one refunds the difference on the original order, the return its cause.
// While any of its SKUs is short it is not placed: the return waits, naming the SKUs,
// and is tried again when stock of one of them arrives.
//
// The stock check comes before the placement, the reservation after it (reserve-stock, the
// one reservation path of every order): another order may take the units in between, and
// the replacement order is then rejected at its reservation. The return goes back to
// waiting (refusedChangeSet): its status back to RECEIVED / APPROVED so the replacement is
// due again, the refused order listed in `replacement.refused`, STOCKWAIT items for the
// SKUs short, so stock arriving places a new replacement. It is not retried at once: the
// check reads the SKU's total, the reservation needs one location covering the order, so
// retrying on the same levels could be refused again and again. A difference refunded at
// the first placement (the return's `refund`) is not refunded again at the next one.

/** The order a replacement's placement starts from: the original's customer and address, the replacement's lines. */
export function replacementRequest(original: OrderRecord, r: ReturnRecord): OrderRequest {
  const { customerId: _id, ...customer } = original.customer;
  return {
    channel: 'exchange',
    customer: { email: customer.email, name: customer.name, ...(customer.phone ? { phone: customer.phone } : {}) },
    lines: r.replacement!.lines.map(({ sku, quantity }) => ({ sku, quantity })),
    shippingAddress: original.shippingAddress,
    notes: `${r.kind === 'exchange' ? 'Exchange' : 'Reship of claim'} ${r.returnId} for order ${original.orderNumber}`,
  };
}

/** What the returned units are worth towards the replacement: an exchange's received units, a claim's claimed units. */
export function creditOf(r: ReturnRecord, currency: string): Money {
  return valueOf(refundableUnits(r)) ?? { amount: 0, currency };
}

/** The replacement's totals with the credit, and the difference owed back when the credit is more than it costs. */
export function withCredit(priced: PricedOrder, credit: Money): { priced: PricedOrder; refund?: Money } {
  const { subtotal } = priced.totals;
  if (credit.currency !== subtotal.currency) {
    throw new BusinessRuleError(`The replacement is priced in ${subtotal.currency}, the return in ${credit.currency}`, { expected: credit.currency, actual: subtotal.currency }, 'currency-mismatch');
  }
  const total = { amount: Math.max(0, subtotal.amount - credit.amount), currency: subtotal.currency };
  const over = credit.amount - subtotal.amount;
  return { priced: { lines: priced.lines, totals: { subtotal, credit, total } }, ...(over > 0 ? { refund: { amount: over, currency: credit.currency } } : {}) };
}

/** SKUs of the replacement with less available than it needs (a SKU without a level has none). */
export function shortSkus(lines: readonly { sku: string; quantity: number }[], available: ReadonlyMap<string, number>): string[] {
  const need = new Map<string, number>();
  for (const l of lines) need.set(l.sku, (need.get(l.sku) ?? 0) + l.quantity);
  return [...need].filter(([sku, q]) => (available.get(sku) ?? 0) < q).map(([sku]) => sku).sort();
}

const facts = (r: ReturnRecord, actor: Actor | string) => ({
  orderId: r.orderId, orderNumber: r.orderNumber, returnId: r.returnId, type: r.kind,
  lines: r.replacement!.lines, actor: typeof actor === 'string' ? actor : actorLabel(actor),
});

const returnCondition = (r: ReturnRecord) => ({ equals: { version: r.version, status: r.status } });

/**
 * The replacement cannot be placed: the SKUs short. The return records what it waits for
 * (customer service sees it) and one STOCKWAIT item per SKU finds it again when stock
 * arrives; items of SKUs no longer short are removed. Undefined when it waits for exactly
 * these SKUs already (a retry that found nothing new changes nothing).
 */
export function waitingChangeSet(r: ReturnRecord, skus: readonly string[], actor: Actor, now: Date): ChangeSet | undefined {
  const before = r.replacement!.waitingFor;
  if (before && before.skus.join() === skus.join()) return undefined;
  const at = now.toISOString();
  const waitingFor = { reason: 'stock' as const, skus: [...skus], since: before?.since ?? at };
  const changes: Change[] = [
    { op: 'update', entity: 'return', id: [r.orderId, r.returnId], tag: 'return', expect: returnCondition(r), set: { replacement: { ...r.replacement!, waitingFor }, version: r.version + 1, updatedAt: at } },
    ...skus.filter((s) => !before?.skus.includes(s)).map((sku): Change => ({ op: 'put', entity: 'stockWait', id: [sku, r.returnId], item: { sku, returnId: r.returnId, orderId: r.orderId } })),
    ...(before?.skus ?? []).filter((s) => !skus.includes(s)).map((sku): Change => ({ op: 'delete', entity: 'stockWait', id: [sku, r.returnId] })),
  ];
  return {
    aggregate: { entity: 'order', id: r.orderId },
    at,
    changes,
    timeline: timelineEntry(now, 'REPLACEMENT_WAITING', actor, `${r.kind} ${r.returnId}: the replacement waits for stock of ${skus.join(', ')}`),
    events: [{ detailType: 'ReplacementDelayed', data: { ...facts(r, actor), waitingFor: waitingFor.reason, skus: [...skus] } }],
    movements: [],
  };
}

export interface PlacedReplacement {
  original: Pick<OrderRecord, 'orderId' | 'orderNumber' | 'version' | 'replacements'>;
  r: ReturnRecord;
  order: Pick<OrderRecord, 'orderId' | 'orderNumber' | 'totals'>;
  /** the difference refunded on the original order (its own changes and events), when the credit was more */
  refund?: { refund: NonNullable<ReturnRecord['refund']>; set: Pick<ChangeSet, 'changes' | 'events'> } | undefined;
  actor: Actor;
  now: Date;
}

/**
 * What goes with the replacement order's placement, in its transaction: the return EXCHANGED
 * (an exchange) or RESHIPPED (a claim) naming the order, its credit and what is due; the
 * original order pointing at it (conditioned on its version); the STOCKWAIT items gone;
 * the refund of a difference; ReplacementPlaced.
 */
export function placedWith(p: PlacedReplacement): Pick<ChangeSet, 'changes' | 'events'> {
  const { r, original, order } = p;
  const at = p.now.toISOString();
  const { waitingFor, ...rest } = r.replacement!;
  const link = { orderId: order.orderId, orderNumber: order.orderNumber, returnId: r.returnId };
  const replacement = {
    ...rest, order: { orderId: order.orderId, orderNumber: order.orderNumber },
    ...(order.totals.credit ? { credit: order.totals.credit } : {}), due: order.totals.total,
  };
  const status = r.kind === 'exchange' ? 'EXCHANGED' : 'RESHIPPED';
  const events: DomainEvent[] = [{
    detailType: 'ReplacementPlaced',
    data: {
      ...facts(r, p.actor), replacementOrderId: order.orderId, replacementOrderNumber: order.orderNumber,
      credit: order.totals.credit ?? { amount: 0, currency: order.totals.total.currency }, due: order.totals.total,
      ...(p.refund ? { refund: p.refund.refund } : {}),
    },
  }];
  return {
    changes: [
      {
        op: 'update', entity: 'return', id: [r.orderId, r.returnId], tag: 'return', expect: returnCondition(r),
        set: { status, replacement, ...(p.refund ? { refund: p.refund.refund } : {}), version: r.version + 1, updatedAt: at },
      },
      {
        op: 'update', entity: 'order', id: [original.orderId], tag: 'original', expect: { equals: { version: original.version } },
        set: { replacements: [...(original.replacements ?? []), link], version: original.version + 1, updatedAt: at },
      },
      ...(waitingFor?.skus ?? []).map((sku): Change => ({ op: 'delete', entity: 'stockWait', id: [sku, r.returnId] })),
      ...(p.refund?.set.changes ?? []),
    ],
    events: [...events, ...(p.refund?.set.events ?? [])],
  };
}

/**
 * The replacement order was rejected at its reservation (its SKUs short: stock taken between
 * the check and the reservation). The return goes back to waiting for those SKUs: EXCHANGED
 * back to RECEIVED, RESHIPPED back to APPROVED, the order moved from `replacement.order` to
 * `replacement.refused` (its credit and due with it: the next placement sets them again),
 * STOCKWAIT items for the SKUs, ReplacementDelayed naming the refused order. The return's
 * `refund` (a difference refunded at the first placement) stays. Undefined when the return
 * does not name that order as its replacement any more (a redelivered OrderRejected), or
 * is no longer EXCHANGED / RESHIPPED (closed meanwhile: left to a person).
 */
export function refusedChangeSet(
  r: ReturnRecord, order: Pick<OrderRecord, 'orderId' | 'orderNumber'>, short: readonly string[], actor: Actor, now: Date,
): ChangeSet | undefined {
  const placed = r.replacement?.order;
  if (!placed || placed.orderId !== order.orderId || (r.status !== 'EXCHANGED' && r.status !== 'RESHIPPED')) return undefined;
  const skus = [...new Set(short)].sort();
  if (!skus.length) return undefined;
  const at = now.toISOString();
  const { lines, refused = [] } = r.replacement!;
  const waitingFor = { reason: 'stock' as const, skus, since: at };
  const replacement = { lines, refused: [...refused, { orderId: order.orderId, orderNumber: order.orderNumber, skus, at }], waitingFor };
  const status = r.kind === 'exchange' ? 'RECEIVED' : 'APPROVED';
  return {
    aggregate: { entity: 'order', id: r.orderId },
    at,
    changes: [
      { op: 'update', entity: 'return', id: [r.orderId, r.returnId], tag: 'return', expect: returnCondition(r), set: { status, replacement, version: r.version + 1, updatedAt: at } },
      ...skus.map((sku): Change => ({ op: 'put', entity: 'stockWait', id: [sku, r.returnId], item: { sku, returnId: r.returnId, orderId: r.orderId } })),
    ],
    timeline: timelineEntry(now, 'REPLACEMENT_REFUSED', actor, `${r.kind} ${r.returnId}: replacement ${order.orderNumber} was rejected at its reservation; it waits for stock of ${skus.join(', ')}`),
    events: [{
      detailType: 'ReplacementDelayed',
      data: { ...facts(r, actor), waitingFor: waitingFor.reason, skus, refusedOrderId: order.orderId, refusedOrderNumber: order.orderNumber },
    }],
    movements: [],
  };
}
