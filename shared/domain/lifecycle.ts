import * as z from 'zod';
import { Actor, actorLabel } from './actor';
import { ConflictError, ForbiddenError, ValidationError } from './errors';
import type { ReservedFacts } from './carried-order';
import type { Demand, Shortage } from './inventory';
import { OrderStatus } from './order-status';
import { TimelineEntry } from './order';
import { timelineEntry } from './timeline';
import {
  COMMAND_TYPES, STOCK_EFFECTS, TRANSITIONS, isTerminal, transitionFor, type CommandType, type Issuer, type Transition,
} from './order-transitions';
import { lazySchema } from './lazy-schema';

// The order lifecycle as a pure decision: (order, command, now) -> what changes.
// The store writes the decision in one transaction (order conditioned on its
// version, timeline entry, outbox events, stock movement); this module never
// fetches and never writes. The legal moves live in order-transitions.ts.

export const CommandTypeSchema = z.enum(COMMAND_TYPES);
export const StockEffectSchema = z.enum(STOCK_EFFECTS);
export type { CommandType, StockEffect } from './order-transitions';

export { Actor, actorLabel };

export const LifecycleCommand = lazySchema(() =>
  z.strictObject({
    type: CommandTypeSchema,
    actor: Actor,
    reason: z.string().trim().min(1).max(500).optional(),
    /** If-Match from a staff screen: refuse to act on an order that changed since it was shown */
    expectedVersion: z.int().min(1).optional(),
  }),
);
export type LifecycleCommand = z.infer<typeof LifecycleCommand>;

/** The part of an order the lifecycle needs; an OrderRecord fits. */
export const LifecycleOrder = lazySchema(() =>
  z.object({
    orderId: z.string().min(1),
    orderNumber: z.string().optional(),
    status: OrderStatus,
    version: z.int().min(1),
    /** principal that placed the order: a storefront acts only on its own */
    placedBy: z.string().optional(),
    /** set on approval from the workflow settings; the expiry job may not act before it */
    paymentDueAt: z.iso.datetime().optional(),
    /** set once when the workflow settings sent the order to a person */
    reviewReasons: z.array(z.string()).optional(),
  }),
);
export type LifecycleOrder = z.infer<typeof LifecycleOrder>;

export const LifecycleEventData = lazySchema(() =>
  z.object({
    orderId: z.string(),
    orderNumber: z.string().optional(),
    previousStatus: OrderStatus,
    status: OrderStatus,
    actor: z.string(),
    reason: z.string().optional(),
    refundDue: z.boolean(),
  }),
);
/** An event as decided: the status-change fields, plus what the command adds (paymentDueAt, shortages, reservations, review reasons). */
export const LifecycleEvent = lazySchema(() =>
  z.object({ detailType: z.string(), data: z.record(z.string(), z.unknown()) }),
);
export type LifecycleEvent = z.infer<typeof LifecycleEvent>;

export const Decision = lazySchema(() =>
  z.object({
    /** the command decided ("require-review" records reasons without moving the order) */
    command: z.string(),
    status: OrderStatus,
    previousStatus: OrderStatus,
    /** the version the store writes, conditioned on the order still having `version - 1` */
    version: z.int(),
    timeline: TimelineEntry,
    /** order events for the outbox; the store may add command-specific fields (reservations, shortages) */
    events: z.array(LifecycleEvent).min(1),
    stock: StockEffectSchema,
    refundDue: z.boolean(),
    /** fields the order takes besides status and version (paymentDueAt, rejectionReason, shortages, ...) */
    set: z.record(z.string(), z.unknown()),
  }),
);
export type Decision = z.infer<typeof Decision>;

/** What a command's outcome depends on besides the order: read by the use case, passed in. */
export interface DecideFacts {
  /** approvals: minutes the customer has to pay, from the workflow settings */
  paymentDeadlineMinutes?: number;
  /** reserve-succeeded: the demand reserved */
  reservations?: readonly Demand[];
  /** reserve-succeeded: what review decides on, carried by StockReserved with the order's new version */
  reserved?: ReservedFacts;
  /** reserve-failed: what is short */
  shortages?: readonly Shortage[];
  /** start-fulfilment before payment: the open attempt is cash on delivery and the workflow settings allow it */
  cashOnDelivery?: boolean;
  /** pay without a payment: the order's total is zero */
  nothingDue?: boolean;
}

/** The workflow settings want a person to look at the order: reasons recorded, status unchanged. */
export interface ReviewCommand {
  type: 'require-review';
  actor: Actor;
  rules: string[];
  reasons: string[];
}

export const REVIEW_REQUIRED = { detailType: 'ReviewRequired', timeline: 'REVIEW_REQUIRED' } as const;

/** Detail-type on the bus and entry type in the timeline, per command. */
const RECORDED_AS: Record<CommandType, { detailType: string; timeline: string }> = {
  'reserve-succeeded': { detailType: 'StockReserved', timeline: 'STOCK_RESERVED' },
  'reserve-failed': { detailType: 'OrderRejected', timeline: 'ORDER_REJECTED' },
  'auto-approve': { detailType: 'OrderApproved', timeline: 'ORDER_AUTO_APPROVED' },
  approve: { detailType: 'OrderApproved', timeline: 'ORDER_APPROVED' },
  reject: { detailType: 'OrderRejected', timeline: 'ORDER_REJECTED' },
  cancel: { detailType: 'OrderCancelled', timeline: 'ORDER_CANCELLED' },
  expire: { detailType: 'OrderExpired', timeline: 'ORDER_EXPIRED' },
  pay: { detailType: 'OrderPaid', timeline: 'ORDER_PAID' },
  'start-fulfilment': { detailType: 'FulfillmentStarted', timeline: 'FULFILLMENT_STARTED' },
  'ship-part': { detailType: 'OrderPartiallyShipped', timeline: 'ORDER_PARTIALLY_SHIPPED' },
  ship: { detailType: 'OrderShipped', timeline: 'ORDER_SHIPPED' },
  'deliver-part': { detailType: 'OrderPartiallyDelivered', timeline: 'ORDER_PARTIALLY_DELIVERED' },
  deliver: { detailType: 'OrderDelivered', timeline: 'ORDER_DELIVERED' },
  complete: { detailType: 'OrderCompleted', timeline: 'ORDER_COMPLETED' },
};

/** Finance acts on this; it travels beside OrderCancelled when money was already taken. */
export const REFUND_REQUESTED = 'RefundRequested';

/** Every detail-type decide() can emit, for the event catalog and notification settings. */
export const LIFECYCLE_DETAIL_TYPES = [...new Set([...Object.values(RECORDED_AS).map((r) => r.detailType), REFUND_REQUESTED, REVIEW_REQUIRED.detailType])];

// A person must say why an order is stopped; the reason reaches the customer and the timeline.
const NEEDS_REASON: ReadonlySet<CommandType> = new Set(['reserve-failed', 'reject', 'cancel']);

/** The capacity an actor acts in, or undefined for a user without a role (who may do nothing). */
export function issuerOf(actor: Actor): Issuer | undefined {
  if (actor.kind === 'system') return 'system';
  if (actor.kind === 'storefront') return 'storefront';
  return actor.role;
}

/** Roles that may issue a command from some status: lets a handler pick the acting role of a multi-role user. */
export function issuersOf(command: CommandType): Issuer[] {
  return [...new Set(TRANSITIONS.filter((t) => t.command === command).flatMap((t) => t.by))];
}

/**
 * Whether the order already shows this command's outcome, e.g. a redelivered expiry
 * or a retried cancel. A worker may then acknowledge instead of failing; an API
 * still answers 409, because the outcome may have come from someone else.
 */
export function alreadyApplied(status: OrderStatus, command: CommandType): boolean {
  return TRANSITIONS.some((t) => t.command === command && t.to === status);
}

/** What this actor could do to this order right now (for staff screens and tests). */
export function availableCommands(order: LifecycleOrder, actor: Actor): CommandType[] {
  return COMMAND_TYPES.filter((type) => {
    const t = transitionFor(type, order.status);
    return t !== undefined && permits(t, order, actor);
  });
}

function permits(t: Transition, order: LifecycleOrder, actor: Actor): boolean {
  const issuer = issuerOf(actor);
  if (issuer === undefined || !t.by.includes(issuer)) return false;
  return issuer !== 'storefront' || isOwnOrder(order, actor);
}

function isOwnOrder(order: LifecycleOrder, actor: Actor): boolean {
  return order.placedBy !== undefined && order.placedBy === actor.id;
}

function illegal(order: LifecycleOrder, command: CommandType): ConflictError {
  return new ConflictError(
    `Order ${order.orderNumber ?? order.orderId} is ${order.status}; it cannot take "${command}"`,
    { status: order.status, command, version: order.version },
    'illegal-transition',
    'Illegal state transition',
  );
}

/**
 * Decide one lifecycle step. Throws ValidationError (missing reason), ForbiddenError
 * (this actor may not), or ConflictError with the current status (illegal from here,
 * or the order changed since the caller looked). Checks run in an order that never
 * tells a storefront anything about an order that is not its own.
 */
export function decide(order: LifecycleOrder, command: LifecycleCommand | ReviewCommand, now: Date, facts: DecideFacts = {}): Decision {
  if (command.type === 'require-review') return decideReview(order, command, now);
  const { type, actor } = command;
  const reason = command.reason?.trim() || undefined;
  if (NEEDS_REASON.has(type) && reason === undefined) {
    throw new ValidationError(`"${type}" needs a reason`, [{ path: 'reason', message: 'is required' }]);
  }

  const issuer = issuerOf(actor);
  if (issuer === undefined || !issuersOf(type).includes(issuer)) {
    throw new ForbiddenError(`${actorLabel(actor)} may not ${type} orders`, { command: type });
  }
  if (issuer === 'storefront' && !isOwnOrder(order, actor)) {
    throw new ForbiddenError('A storefront may act only on its own orders', { command: type });
  }
  if (command.expectedVersion !== undefined && command.expectedVersion !== order.version) {
    throw new ConflictError(
      `Order ${order.orderNumber ?? order.orderId} changed (version ${order.version}, expected ${command.expectedVersion}); it is ${order.status}`,
      { status: order.status, version: order.version, expectedVersion: command.expectedVersion },
      'stale-version',
      'Order changed',
    );
  }

  const t = transitionFor(type, order.status);
  if (!t) throw illegal(order, type);
  // the workflow settings sent the order to a person: only a person approves it now (a
  // late copy of the review step, deciding on what it read before, must not)
  if (type === 'auto-approve' && order.reviewReasons !== undefined) {
    throw new ConflictError(
      `Order ${order.orderNumber ?? order.orderId} waits for a person's review; it cannot be approved automatically`,
      { status: order.status, command: type, version: order.version },
      'sent-for-review',
      'Sent for review',
    );
  }
  // the expiry job may read a stale index entry (a deadline moved, a clock ahead): the order decides
  if (type === 'expire' && order.paymentDueAt !== undefined && now.getTime() < Date.parse(order.paymentDueAt)) {
    throw new ConflictError(
      `Order ${order.orderNumber ?? order.orderId} is not due to expire until ${order.paymentDueAt}; it is ${order.status}`,
      { status: order.status, paymentDueAt: order.paymentDueAt },
      'not-due',
      'Not yet due',
    );
  }
  // rows for one kind of order only: cash on delivery (fulfilled before payment), nothing to pay (paid without a payment)
  const only = t.cashOnDelivery && facts.cashOnDelivery !== true ? 'a cash-on-delivery order (with cash on delivery allowed) is fulfilled before payment'
    : t.nothingDue && facts.nothingDue !== true ? 'an order with nothing to pay is paid without a payment' : undefined;
  if (only) {
    throw new ConflictError(
      `Order ${order.orderNumber ?? order.orderId} is ${order.status}; only ${only}`,
      { status: order.status, command: type, version: order.version },
      'illegal-transition',
      'Illegal state transition',
    );
  }
  if (!permits(t, order, actor)) {
    throw new ForbiddenError(
      `${actorLabel(actor)} may not ${type} an order that is ${order.status}` +
        (type === 'cancel' ? ' (after payment, customer service cancels and refunds)' : ''),
      { command: type, status: order.status },
    );
  }

  const refundDue = t.refundDue === true;
  const recorded = RECORDED_AS[type];
  const set = fieldsSet(type, reason, now, facts);
  const data = {
    orderId: order.orderId,
    ...(order.orderNumber !== undefined ? { orderNumber: order.orderNumber } : {}),
    previousStatus: order.status,
    status: t.to,
    actor: actorLabel(actor),
    ...(reason !== undefined ? { reason } : {}),
    refundDue,
  };
  const events: LifecycleEvent[] = [{ detailType: recorded.detailType, data: { ...data, ...eventFacts(type, set, facts, order.version + 1) } }];
  if (refundDue) events.push({ detailType: REFUND_REQUESTED, data });

  return {
    command: type,
    status: t.to,
    previousStatus: order.status,
    version: order.version + 1,
    timeline: timelineEntry(now, recorded.timeline, actor, reason),
    events,
    stock: t.stock,
    refundDue,
    set,
  };
}

/** What the order records of a command besides its status. */
function fieldsSet(type: CommandType, reason: string | undefined, now: Date, facts: DecideFacts): Record<string, unknown> {
  switch (type) {
    case 'approve':
    case 'auto-approve':
      return facts.paymentDeadlineMinutes === undefined
        ? {}
        : { paymentDueAt: new Date(now.getTime() + facts.paymentDeadlineMinutes * 60_000).toISOString() };
    case 'reserve-failed':
      return { rejectionReason: reason, shortages: [...(facts.shortages ?? [])] };
    case 'reject':
      return { rejectionReason: reason };
    case 'cancel':
      return { cancellationReason: reason };
    default:
      return {};
  }
}

/** What the command's event says besides the status change (one shape per event). */
function eventFacts(type: CommandType, set: Record<string, unknown>, facts: DecideFacts, version: number): Record<string, unknown> {
  if (type === 'reserve-succeeded') return { reservations: [...(facts.reservations ?? [])], ...(facts.reserved ? { version, ...facts.reserved } : {}) };
  if (type === 'reserve-failed' || type === 'reject') return { shortages: [...(facts.shortages ?? [])] };
  if (set.paymentDueAt !== undefined) return { paymentDueAt: set.paymentDueAt };
  return {};
}

/**
 * Review required: only an order IN_REVIEW, and only once (a redelivered review, or
 * an order already reviewed, is a 409 the worker treats as done).
 */
function decideReview(order: LifecycleOrder, command: ReviewCommand, now: Date): Decision {
  if (order.status !== 'IN_REVIEW' || order.reviewReasons !== undefined) {
    throw new ConflictError(
      `Order ${order.orderNumber ?? order.orderId} is ${order.status}${order.reviewReasons !== undefined ? ' and was reviewed already' : ''}; it cannot take "require-review"`,
      { status: order.status, command: command.type, version: order.version },
      'illegal-transition',
      'Illegal state transition',
    );
  }
  return {
    command: command.type,
    status: order.status,
    previousStatus: order.status,
    version: order.version + 1,
    timeline: timelineEntry(now, REVIEW_REQUIRED.timeline, command.actor, command.reasons.join('; ')),
    events: [{
      detailType: REVIEW_REQUIRED.detailType,
      data: { orderId: order.orderId, ...(order.orderNumber !== undefined ? { orderNumber: order.orderNumber } : {}), rules: command.rules, reasons: command.reasons },
    }],
    stock: 'none',
    refundDue: false,
    set: { reviewReasons: command.reasons },
  };
}

/**
 * The state machine as a Mermaid diagram, drawn from the table so documentation
 * cannot drift from the rules (paste into the README, or print from a script).
 */
export function stateDiagram(): string {
  const edges = new Map<string, string[]>();
  for (const t of TRANSITIONS) {
    const key = `${t.from} --> ${t.to}`;
    edges.set(key, [...(edges.get(key) ?? []), t.command]);
  }
  const lines = [...edges].map(([edge, commands]) => `  ${edge}: ${commands.join(' / ')}`);
  return ['stateDiagram-v2', '  [*] --> PENDING', ...lines, ...OrderStatus.options.filter(isTerminal).map((s) => `  ${s} --> [*]`)].join('\n');
}
