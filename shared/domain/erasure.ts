import * as z from 'zod';
import type { Customer } from './customer';
import type { ChangeSet } from './decision';
import type { Address, OrderRecord } from './order';
import { humanText } from './text';
import { timelineEntry } from './timeline';
import { lazySchema } from './lazy-schema';

// Erasing a customer's personal data (the right to erasure) while the financial records
// stay: amounts, SKUs, payments, refunds and the money ledger are kept as they are; the
// name, e-mail, phone, addresses and what the customer wrote are replaced or removed.
// First the profile (one transaction with the audit item and CustomerErased), then
// each order in a transaction of its own that also moves the audit item's marker, so a
// run that stops half-way goes on where it stopped and never erases an order twice.

/** What takes the place of a name, and of an e-mail address (`.invalid` never resolves: RFC 2606). */
export const ERASED_NAME = 'Erased';
export const ERASED_EMAIL = 'erased@erased.invalid';

export const ErasureRequest = lazySchema(() =>
  z.strictObject({
    /** why (a request from the customer, a legal order): kept on the audit item, never in the event */
    reason: humanText({ max: 500 }),
  }),
);
export type ErasureRequest = z.infer<typeof ErasureRequest>;

/** Where the walk over the customer's orders (newest first) has got to: the last order erased. */
export const ErasurePosition = lazySchema(() =>
  z.object({ createdAt: z.string(), orderId: z.string() }),
);
export type ErasurePosition = z.infer<typeof ErasurePosition>;

/** The audit item of an erasure: who asked, when and why, and how far it has got. */
export const ErasureRecord = lazySchema(() =>
  z.object({
    customerId: z.string(),
    reason: z.string(),
    requestedBy: z.string(),
    requestedAt: z.iso.datetime(),
    /** IN_PROGRESS while orders remain; COMPLETE once every order is anonymized */
    status: z.enum(['IN_PROGRESS', 'COMPLETE']),
    ordersErased: z.int().min(0),
    position: ErasurePosition.optional(),
    completedAt: z.iso.datetime().optional(),
  }),
);
export type ErasureRecord = z.infer<typeof ErasureRecord>;

/** A shipping address with nothing left that names or locates a person; the country stays (taxes, reports). */
export function anonymizedAddress(address: Pick<Address, 'country'>): Address {
  return { name: ERASED_NAME, line1: ERASED_NAME, city: ERASED_NAME, postalCode: ERASED_NAME, country: address.country };
}

/**
 * The profile's erasure, as one change: the profile without name, e-mail, phone and
 * preferences (conditioned on the version read), the e-mail's claim deleted (so a look-up
 * by the old address finds nothing, and a new order with it starts a new customer), the
 * audit item created (only once: a second request finds it and goes on with the orders),
 * and CustomerErased, which names the customer by id only.
 */
export function profileErasure(customer: Customer, cmd: ErasureRequest & { actor: string; now: Date }): ChangeSet {
  const at = cmd.now.toISOString();
  const record: ErasureRecord = {
    customerId: customer.customerId, reason: cmd.reason, requestedBy: cmd.actor, requestedAt: at, status: 'IN_PROGRESS', ordersErased: 0,
  };
  return {
    aggregate: { entity: 'customer', id: customer.customerId },
    at,
    changes: [
      {
        op: 'update', entity: 'customer', id: [customer.customerId], tag: 'customer', expect: { equals: { version: customer.version } },
        set: { name: ERASED_NAME, email: ERASED_EMAIL, preferences: {}, erasedAt: at, version: customer.version + 1, updatedAt: at },
        remove: ['phone'],
      },
      { op: 'delete', entity: 'customerEmail', id: [customer.email] },
      { op: 'put', entity: 'customerErasure', id: [customer.customerId], tag: 'erasure', expect: { exists: false }, item: record },
    ],
    events: [{ detailType: 'CustomerErased', data: { customerId: customer.customerId, erasedAt: at, actor: cmd.actor } }],
    movements: [],
  };
}

/** What an order's partition holds that carries personal data beside the order itself. */
export interface OrderPersonalItems {
  /** the order, or undefined when the index named one that is not there */
  order: (OrderRecord & { erasedAt?: string }) | undefined;
  /** the phone look-up item exists */
  phoneLookup: boolean;
  /** returns whose note the customer (or staff for them) wrote */
  returnsWithNote: readonly string[];
  /** the feedback carries a comment */
  feedbackComment: boolean;
}

/**
 * One order's erasure: the order's customer and shipping address anonymized and its notes
 * removed (only if not erased yet), the phone look-up item deleted, return notes and the
 * feedback comment removed, a timeline entry, and the audit item's marker moved past the
 * order, conditioned on the count the run read: a concurrent run of the same erasure loses
 * (and nothing is written twice). An order already erased, or gone, only moves the marker.
 */
export function orderErasure(
  at: ErasurePosition,
  found: OrderPersonalItems,
  erasure: Pick<ErasureRecord, 'customerId' | 'ordersErased'>,
  cmd: { actor: string; now: Date },
): ChangeSet {
  const now = cmd.now.toISOString();
  const erase = found.order !== undefined && found.order.erasedAt === undefined;
  const marker = {
    op: 'update' as const, entity: 'customerErasure', id: [erasure.customerId], tag: 'erasure',
    expect: { equals: { ordersErased: erasure.ordersErased } },
    set: { position: at }, add: { ordersErased: erase ? 1 : 0 },
  };
  if (!erase || !found.order) return { aggregate: { entity: 'order', id: at.orderId }, at: now, changes: [marker], events: [], movements: [] };
  const { customerId } = found.order.customer;
  return {
    aggregate: { entity: 'order', id: at.orderId },
    at: now,
    changes: [
      {
        op: 'update', entity: 'order', id: [at.orderId], tag: 'order', expect: { exists: true, missing: ['erasedAt'] },
        set: {
          customer: { customerId, name: ERASED_NAME, email: ERASED_EMAIL },
          shippingAddress: anonymizedAddress(found.order.shippingAddress),
          erasedAt: now, updatedAt: now,
        },
        add: { version: 1 },
        ...(found.order.notes !== undefined ? { remove: ['notes'] } : {}),
      },
      ...(found.phoneLookup ? [{ op: 'delete' as const, entity: 'orderPhone', id: [at.orderId] }] : []),
      ...found.returnsWithNote.map((returnId) => ({ op: 'update' as const, entity: 'return', id: [at.orderId, returnId], expect: { exists: true }, remove: ['note'] })),
      ...(found.feedbackComment ? [{ op: 'update' as const, entity: 'feedback', id: [at.orderId], expect: { exists: true }, remove: ['comment'] }] : []),
      marker,
    ],
    timeline: timelineEntry(cmd.now, 'PERSONAL_DATA_ERASED', cmd.actor),
    events: [],
    movements: [],
  };
}

/** The erasure's last change: every order done. */
export function erasureCompleted(erasure: Pick<ErasureRecord, 'customerId' | 'ordersErased'>, now: Date): ChangeSet {
  return {
    aggregate: { entity: 'customerErasure', id: erasure.customerId },
    at: now.toISOString(),
    changes: [{
      op: 'update', entity: 'customerErasure', id: [erasure.customerId], tag: 'erasure',
      expect: { equals: { ordersErased: erasure.ordersErased, status: 'IN_PROGRESS' } },
      set: { status: 'COMPLETE', completedAt: now.toISOString() },
    }],
    events: [],
    movements: [],
  };
}
