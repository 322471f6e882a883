import type { Actor } from './actor';
import { actorLabel } from './actor';
import type { Change, ChangeSet, DomainEvent, StockMovement } from './decision';
import type { OrderRecord } from './order';
import type { ReturnRecord } from './returns';
import { timelineEntry } from './timeline';

// After-sales decisions as change sets for the one writer. Each is one transaction in
// the order's partition: a request bumps the order's version (so two requests for the
// last unit serialize on it and the second decides on what the first took), a step
// moves the return conditioned on its version; a receipt carries its stock movements
// and the refund, a claim's approval its refund.

const linesText = (lines: readonly { sku: string; quantity: number }[]) => lines.map((l) => `${l.quantity} × ${l.sku}`).join(', ');

const facts = (r: ReturnRecord, actor: Actor) => ({
  orderId: r.orderId, orderNumber: r.orderNumber, returnId: r.returnId, type: r.kind, status: r.status,
  lines: r.lines.map(({ sku, quantity, reason }) => ({ sku, quantity, reason })), actor: actorLabel(actor),
});

export type ReturnStep = 'approve' | 'reject' | 'receive' | 'close';

const EVENT_OF: Record<ReturnStep, string> = { approve: 'ReturnApproved', reject: 'ReturnRejected', receive: 'ReturnReceived', close: 'ReturnClosed' };

/** A new return: the order's version checked and bumped, the return and its id index put, ReturnRequested (and ReturnApproved when auto-approved). */
export function returnRequestedChangeSet(order: Pick<OrderRecord, 'orderId' | 'version'>, r: ReturnRecord, actor: Actor, now: Date): ChangeSet {
  const at = now.toISOString();
  const events: DomainEvent[] = [{ detailType: 'ReturnRequested', data: { ...facts(r, actor), status: 'REQUESTED', ...(r.note ? { note: r.note } : {}) } }];
  if (r.status === 'APPROVED') events.push({ detailType: 'ReturnApproved', data: { ...facts(r, actor), automatic: true } });
  return {
    aggregate: { entity: 'order', id: order.orderId },
    at,
    changes: [
      { op: 'update', entity: 'order', id: [order.orderId], tag: 'order', expect: { equals: { version: order.version } }, set: { version: order.version + 1, updatedAt: at } },
      { op: 'put', entity: 'return', id: [order.orderId, r.returnId], tag: 'return', expect: { exists: false }, item: { ...r } },
      { op: 'put', entity: 'returnRef', id: [r.returnId], expect: { exists: false }, item: { returnId: r.returnId, orderId: order.orderId } },
    ],
    timeline: timelineEntry(now, 'RETURN_REQUESTED', actor, `${r.kind} ${r.returnId}: ${linesText(r.lines)}${r.status === 'APPROVED' ? ' (approved by the rules)' : ''}`),
    events,
    movements: [],
  };
}

function returnUpdate(before: ReturnRecord, after: ReturnRecord): Change {
  const { returnId: _id, orderId: _o, orderNumber: _n, createdAt: _c, kind: _k, ...set } = after;
  return { op: 'update', entity: 'return', id: [before.orderId, before.returnId], tag: 'return', expect: { equals: { version: before.version, status: before.status } }, set };
}

/**
 * Stock of a receipt at the receiving location: resellable units back on hand and
 * available (RETURNED), damaged ones only in the ledger (DAMAGED: written off).
 */
export function receiptMovements(r: ReturnRecord, actor: Actor): StockMovement[] {
  const locationId = r.locationId!;
  const cause = (reason: string) => ({ orderId: r.orderId, returnId: r.returnId, reason });
  return r.lines.flatMap((l) => [
    ...(l.restocked > 0 ? [{ sku: l.sku, locationId, movement: 'RETURNED' as const, quantity: l.restocked, actor: actorLabel(actor), cause: cause('RETURNED') }] : []),
    ...(l.damaged > 0 ? [{ sku: l.sku, locationId, movement: 'DAMAGED' as const, quantity: l.damaged, actor: actorLabel(actor), cause: cause('DAMAGED') }] : []),
  ]);
}

/**
 * A return's step (approve, reject, receive, close): the return conditioned on the version
 * and status it was decided on, its timeline entry and event; a receipt adds its stock
 * movements; `refund` (a receipt's or a claim approval's) adds the refund's own changes
 * and RefundStarted, so the money and the return move together or not at all.
 */
export function returnStepChangeSet(
  step: ReturnStep,
  before: ReturnRecord,
  after: ReturnRecord,
  actor: Actor,
  now: Date,
  detail: string,
  refund?: Pick<ChangeSet, 'changes' | 'events'>,
): ChangeSet {
  const movements = step === 'receive' ? receiptMovements(after, actor) : [];
  const events: DomainEvent[] = [{
    detailType: EVENT_OF[step],
    data: {
      ...facts(after, actor), ...(after.refund ? { refund: after.refund } : {}), ...(step === 'receive' ? { locationId: after.locationId } : {}),
      ...(after.rejectionReason && step === 'reject' ? { reason: after.rejectionReason } : {}),
    },
  }];
  return {
    aggregate: { entity: 'order', id: before.orderId },
    at: now.toISOString(),
    changes: [returnUpdate(before, after), ...(refund?.changes ?? [])],
    timeline: timelineEntry(now, `RETURN_${EVENT_OF[step].slice(6).toUpperCase()}`, actor, `${after.kind} ${after.returnId}: ${detail}`),
    events: [...events, ...(refund?.events ?? [])],
    movements,
  };
}
