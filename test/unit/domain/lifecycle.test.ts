import { describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, ValidationError } from '../../../shared/domain/errors';
import {
  Decision, availableCommands, decide, issuersOf, type Actor, type LifecycleOrder,
} from '../../../shared/domain/lifecycle';
import { TRANSITIONS, isLegalTransition, isTerminal, transitionFor } from '../../../shared/domain/order-transitions';
import { ORDER_STATUSES, type OrderStatus } from '../../../shared/domain/order-status';
import { ROLES as DOMAIN_ROLES } from '../../../shared/domain/roles';
import { ROLES as AUTH_ROLES } from '../../../shared/middleware/auth';

const now = new Date('2026-11-27T03:00:00.000Z');
const system: Actor = { kind: 'system', id: 'reserve-stock' };
const ops: Actor = { kind: 'user', id: 'u-ops', role: 'ops' };
const cs: Actor = { kind: 'user', id: 'u-cs', role: 'cs' };
const finance: Actor = { kind: 'user', id: 'u-fin', role: 'finance' };
const shop: Actor = { kind: 'storefront', id: 'shop-1' };
const otherShop: Actor = { kind: 'storefront', id: 'shop-2' };

const order = (status: OrderStatus, extra: Partial<LifecycleOrder> = {}): LifecycleOrder => ({
  orderId: 'ord-1', orderNumber: 'W20261127-0001', status, version: 3, placedBy: 'shop-1', ...extra,
});

function actorFor(issuer: string): Actor {
  if (issuer === 'system') return system;
  if (issuer === 'storefront') return shop;
  return { kind: 'user', id: `u-${issuer}`, role: issuer as Actor['role'] };
}

describe('the transition table', () => {
  it('has at most one row per command and status, so a command is never ambiguous', () => {
    const keys = TRANSITIONS.map((t) => `${t.command}@${t.from}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('walks the happy path from PENDING to COMPLETED', () => {
    const path: OrderStatus[] = ['PENDING', 'IN_REVIEW', 'AWAITING_PAYMENT', 'PAID', 'FULFILLING', 'SHIPPED', 'DELIVERED', 'COMPLETED'];
    for (let i = 1; i < path.length; i++) expect(isLegalTransition(path[i - 1]!, path[i]!)).toBe(true);
  });

  it('lets CANCELLED be reached only before shipment, EXPIRED only from AWAITING_PAYMENT', () => {
    const into = (to: OrderStatus) => ORDER_STATUSES.filter((s) => isLegalTransition(s, to));
    expect(into('CANCELLED')).toEqual(['PENDING', 'IN_REVIEW', 'AWAITING_PAYMENT', 'PAID', 'FULFILLING']);
    expect(into('EXPIRED')).toEqual(['AWAITING_PAYMENT']);
    expect(into('REJECTED')).toEqual(['PENDING', 'IN_REVIEW']);
  });

  it('treats COMPLETED, REJECTED, CANCELLED and EXPIRED as terminal', () => {
    expect(ORDER_STATUSES.filter(isTerminal)).toEqual(['COMPLETED', 'REJECTED', 'CANCELLED', 'EXPIRED']);
  });

  it('uses the same role names as the HTTP layer', () => {
    expect([...DOMAIN_ROLES]).toEqual([...AUTH_ROLES]);
  });
});

describe('decide: every row of the table', () => {
  for (const t of TRANSITIONS) {
    for (const issuer of t.by) {
      it(`${t.command} from ${t.from} by ${issuer} -> ${t.to} (stock: ${t.stock})`, () => {
        const d = decide(order(t.from), { type: t.command, actor: actorFor(issuer), reason: 'because' }, now, { ...(t.cashOnDelivery ? { cashOnDelivery: true } : {}), ...(t.nothingDue ? { nothingDue: true } : {}) });
        expect(Decision.parse(d)).toEqual(d);
        expect(d).toMatchObject({ status: t.to, previousStatus: t.from, version: 4, stock: t.stock });
        expect(d.timeline.at).toBe(now.toISOString());
        expect(d.events[0]!.data).toMatchObject({ orderId: 'ord-1', previousStatus: t.from, status: t.to });
      });
    }
  }
});

describe('decide: cash on delivery', () => {
  it('starts fulfilment before payment only for a cash-on-delivery order', () => {
    expect(() => decide(order('AWAITING_PAYMENT'), { type: 'start-fulfilment', actor: actorFor('ops') }, now)).toThrow(ConflictError);
    expect(decide(order('AWAITING_PAYMENT'), { type: 'start-fulfilment', actor: actorFor('ops') }, now, { cashOnDelivery: true }).status).toBe('FULFILLING');
  });

  it('pays an order with nothing to pay when it is reserved, and no other order without a payment', () => {
    expect(decide(order('IN_REVIEW'), { type: 'pay', actor: actorFor('system') }, now, { nothingDue: true }).status).toBe('PAID');
    expect(() => decide(order('IN_REVIEW'), { type: 'pay', actor: actorFor('system') }, now)).toThrow(/nothing to pay/);
    expect(() => decide(order('IN_REVIEW'), { type: 'pay', actor: actorFor('finance') }, now, { nothingDue: true })).toThrow();
  });
});

describe('decide: who may do what', () => {
  it('records the actor and reason in the timeline and the event', () => {
    const d = decide(order('IN_REVIEW'), { type: 'reject', actor: ops, reason: 'suspected fraud' }, now);
    expect(d.timeline).toEqual({ at: now.toISOString(), type: 'ORDER_REJECTED', actor: 'ops:u-ops', detail: 'suspected fraud' });
    expect(d.events).toEqual([
      { detailType: 'OrderRejected', data: expect.objectContaining({ actor: 'ops:u-ops', reason: 'suspected fraud', refundDue: false }) },
    ]);
  });

  it('lets a storefront cancel its own unpaid order', () => {
    for (const status of ['PENDING', 'IN_REVIEW', 'AWAITING_PAYMENT'] as const) {
      expect(decide(order(status), { type: 'cancel', actor: shop, reason: 'changed my mind' }, now).status).toBe('CANCELLED');
    }
  });

  it('forbids a storefront to cancel after payment, and anyone else\'s order at all', () => {
    expect(() => decide(order('PAID'), { type: 'cancel', actor: shop, reason: 'x' }, now)).toThrow(ForbiddenError);
    expect(() => decide(order('PENDING'), { type: 'cancel', actor: otherShop, reason: 'x' }, now)).toThrow(ForbiddenError);
    expect(() => decide(order('PENDING', { placedBy: undefined }), { type: 'cancel', actor: shop, reason: 'x' }, now)).toThrow(ForbiddenError);
  });

  it('does not reveal the status of another storefront\'s order', () => {
    const err = catchError(() => decide(order('SHIPPED'), { type: 'cancel', actor: otherShop, reason: 'x' }, now));
    expect(err).toBeInstanceOf(ForbiddenError);
    expect(JSON.stringify(err.extensions)).not.toContain('SHIPPED');
  });

  it('treats a user in the storefront group like a storefront', () => {
    const user: Actor = { kind: 'user', id: 'shop-1', role: 'storefront' };
    expect(decide(order('AWAITING_PAYMENT'), { type: 'cancel', actor: user, reason: 'x' }, now).status).toBe('CANCELLED');
    expect(() => decide(order('PAID'), { type: 'cancel', actor: user, reason: 'x' }, now)).toThrow(ForbiddenError);
  });

  it('flags a refund when a paid order is cancelled, and tells finance', () => {
    for (const status of ['PAID', 'FULFILLING'] as const) {
      const d = decide(order(status), { type: 'cancel', actor: cs, reason: 'customer request' }, now);
      expect(d).toMatchObject({ status: 'CANCELLED', stock: 'release', refundDue: true });
      expect(d.events.map((e) => e.detailType)).toEqual(['OrderCancelled', 'RefundRequested']);
    }
    expect(decide(order('AWAITING_PAYMENT'), { type: 'cancel', actor: cs, reason: 'x' }, now).refundDue).toBe(false);
  });

  it('reserves nothing when a PENDING order is cancelled, releases otherwise', () => {
    expect(decide(order('PENDING'), { type: 'cancel', actor: cs, reason: 'x' }, now).stock).toBe('none');
    expect(decide(order('IN_REVIEW'), { type: 'cancel', actor: cs, reason: 'x' }, now).stock).toBe('release');
  });

  it('keeps system steps to the system', () => {
    for (const type of ['reserve-succeeded', 'auto-approve', 'expire'] as const) {
      expect(issuersOf(type)).toEqual(['system']);
      expect(() => decide(order('AWAITING_PAYMENT'), { type, actor: { kind: 'user', id: 'a', role: 'admin' } }, now)).toThrow(ForbiddenError);
    }
  });

  it('lets only reviewers approve or reject', () => {
    expect(() => decide(order('IN_REVIEW'), { type: 'approve', actor: cs }, now)).toThrow(ForbiddenError);
    expect(() => decide(order('IN_REVIEW'), { type: 'approve', actor: finance }, now)).toThrow(ForbiddenError);
    expect(() => decide(order('IN_REVIEW'), { type: 'approve', actor: shop }, now)).toThrow(ForbiddenError);
    expect(decide(order('IN_REVIEW'), { type: 'approve', actor: ops }, now).status).toBe('AWAITING_PAYMENT');
  });

  it('refuses a user without a role', () => {
    expect(() => decide(order('IN_REVIEW'), { type: 'approve', actor: { kind: 'user', id: 'x' } }, now)).toThrow(ForbiddenError);
  });

  it('lists what an actor may do now', () => {
    expect(availableCommands(order('IN_REVIEW'), ops)).toEqual(['approve', 'reject']);
    expect(availableCommands(order('IN_REVIEW'), shop)).toEqual(['cancel']);
    expect(availableCommands(order('IN_REVIEW'), otherShop)).toEqual([]);
    expect(availableCommands(order('PAID'), cs)).toEqual(['cancel']);
  });
});

describe('decide: conflicts and bad input', () => {
  it('answers an illegal step with a 409 naming the current status', () => {
    const err = catchError(() => decide(order('CANCELLED'), { type: 'approve', actor: ops }, now));
    expect(err).toBeInstanceOf(ConflictError);
    expect(err.status).toBe(409);
    expect(err.message).toContain('CANCELLED');
    expect(err.extensions).toMatchObject({ status: 'CANCELLED', command: 'approve' });
  });

  it('cannot cancel once shipped', () => {
    for (const status of ['SHIPPED', 'DELIVERED', 'COMPLETED'] as const) {
      expect(() => decide(order(status), { type: 'cancel', actor: cs, reason: 'x' }, now)).toThrow(ConflictError);
    }
  });

  it('cannot expire anything but an order awaiting payment', () => {
    const expireSys: Actor = { kind: 'system', id: 'expire-unpaid' };
    for (const status of ORDER_STATUSES.filter((s) => s !== 'AWAITING_PAYMENT')) {
      expect(() => decide(order(status), { type: 'expire', actor: expireSys }, now)).toThrow(ConflictError);
    }
  });

  it('refuses a stale expected version with the current status', () => {
    const err = catchError(() => decide(order('IN_REVIEW'), { type: 'approve', actor: ops, expectedVersion: 2 }, now));
    expect(err).toBeInstanceOf(ConflictError);
    expect(err.extensions).toMatchObject({ status: 'IN_REVIEW', version: 3 });
  });

  it('approves automatically only an order not sent to a person; a person still may', () => {
    const sent = order('IN_REVIEW', { reviewReasons: ['Orders from the web channel are always reviewed'] });
    const err = catchError(() => decide(sent, { type: 'auto-approve', actor: { kind: 'system', id: 'review-order' } }, now, { paymentDeadlineMinutes: 60 }));
    expect(err).toBeInstanceOf(ConflictError);
    expect(err).toMatchObject({ slug: 'sent-for-review', extensions: { status: 'IN_REVIEW', version: 3 } });
    expect(decide(sent, { type: 'approve', actor: ops }, now, { paymentDeadlineMinutes: 60 }).status).toBe('AWAITING_PAYMENT');
    expect(decide(order('IN_REVIEW'), { type: 'auto-approve', actor: { kind: 'system', id: 'review-order' } }, now, { paymentDeadlineMinutes: 60 }).status).toBe('AWAITING_PAYMENT');
  });

  it('needs a reason to reject or cancel', () => {
    const err = catchError(() => decide(order('IN_REVIEW'), { type: 'reject', actor: ops, reason: '   ' }, now));
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).errors).toEqual([{ path: 'reason', message: 'is required' }]);
    expect(() => decide(order('IN_REVIEW'), { type: 'cancel', actor: cs }, now)).toThrow(ValidationError);
  });

  it('leaves the order as it was when it refuses', () => {
    const before = order('DELIVERED');
    const copy = structuredClone(before);
    expect(() => decide(before, { type: 'ship', actor: ops }, now)).toThrow(ConflictError);
    expect(before).toEqual(copy);
  });

  it('has a transition for every (command, status) it accepts and none otherwise', () => {
    for (const status of ORDER_STATUSES) {
      expect(availableCommands(order(status), actorFor('admin')).every((c) => transitionFor(c, status))).toBe(true);
    }
  });
});

function catchError(fn: () => unknown): ConflictError | ForbiddenError | ValidationError {
  try {
    fn();
  } catch (err) {
    return err as ConflictError;
  }
  throw new Error('expected an error');
}

describe('order-status answers from the same table', () => {
  it('canTransition is exactly the table, and assertTransition names the current status', async () => {
    const { canTransition, assertTransition } = await import('../../../shared/domain/order-status');
    for (const from of ORDER_STATUSES) {
      for (const to of ORDER_STATUSES) {
        expect(canTransition(from, to)).toBe(TRANSITIONS.some((t) => t.from === from && t.to === to));
      }
    }
    const err = catchError(() => assertTransition('EXPIRED', 'PAID'));
    expect(err).toBeInstanceOf(ConflictError);
    expect(err.extensions).toMatchObject({ status: 'EXPIRED' });
  });
});

describe('expiry and redelivery', () => {
  const expireJob: Actor = { kind: 'system', id: 'expire-unpaid' };

  it('expires an unpaid order only once its payment deadline has passed', () => {
    const due = order('AWAITING_PAYMENT', { paymentDueAt: '2026-11-27T03:00:00.000Z' });
    const early = catchError(() => decide(due, { type: 'expire', actor: expireJob }, new Date('2026-11-27T02:59:59.999Z')));
    expect(err409(early)).toMatchObject({ status: 'AWAITING_PAYMENT' });
    expect(decide(due, { type: 'expire', actor: expireJob }, now)).toMatchObject({ status: 'EXPIRED', stock: 'release' });
  });

  it('recognises a command whose outcome the order already shows', async () => {
    const { alreadyApplied } = await import('../../../shared/domain/lifecycle');
    expect(alreadyApplied('EXPIRED', 'expire')).toBe(true);
    expect(alreadyApplied('CANCELLED', 'cancel')).toBe(true);
    expect(alreadyApplied('AWAITING_PAYMENT', 'approve')).toBe(true);
    expect(alreadyApplied('CANCELLED', 'expire')).toBe(false);
    expect(alreadyApplied('REJECTED', 'reserve-succeeded')).toBe(false);
  });

  function err409(err: unknown) {
    expect(err).toBeInstanceOf(ConflictError);
    return (err as ConflictError).extensions;
  }
});

describe('state diagram', () => {
  it('draws every transition of the table once, with its commands', async () => {
    const { stateDiagram } = await import('../../../shared/domain/lifecycle');
    const diagram = stateDiagram();
    expect(diagram).toContain('IN_REVIEW --> AWAITING_PAYMENT: auto-approve / approve');
    expect(diagram).toContain('COMPLETED --> [*]');
    for (const t of TRANSITIONS) expect(diagram).toMatch(new RegExp(`${t.from} --> ${t.to}: .*${t.command}`));
  });
});
