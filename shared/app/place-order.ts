import { OrderPlaced } from '../../events/orders';
import { randomId } from '../store/ids';
import type { Change, ChangeSet } from '../domain/decision';
import { newOrder, priceOrder, type OrderRecord, type PlaceOrderRequest } from '../domain/order';
import { formatOrderNumber, orderDay } from '../domain/order-number';
import { appendLogContext } from '../middleware/logger';
import { placedChangeSet } from '../domain/order-changes';
import { customerRepository, lastOrderFields, type CustomerRepository } from '../store/customer-repository';
import { orderRepository } from '../store/order-repository';
import { claimChange, resolveLostClaim, type IdempotencyClaim, type StoredResponse } from '../store/idempotency';
import type { TableContext } from '../store/table';
import { ConditionFailed, makeWriter, type Writer } from '../store/writer';
import { stamper, type Stamp } from './events';
import { orderNumberLease } from './order-numbers';

/** The events these use cases publish, stamped for the outbox. */
const stamped = stamper([OrderPlaced]);

export const newCustomerId = () => `cus_${randomId()}`;

/**
 * A new customer's profile, written only if absent in the first order's transaction, so
 * it is there as soon as the order is: counters start at zero (customer-stats adds the
 * order from OrderPlaced); the last order is this one.
 */
function newProfile(order: OrderRecord, now: Date): Change {
  const { customerId, email, name, phone } = order.customer;
  return {
    op: 'put', entity: 'customer', id: [customerId], tag: 'customerProfile', expect: { exists: false },
    item: {
      customerId, email, name, ...(phone ? { phone } : {}), orderCount: 0, version: 1,
      ...lastOrderFields({ orderId: order.orderId, orderNumber: order.orderNumber, placedAt: order.createdAt }),
      createdAt: order.createdAt, updatedAt: now.toISOString(),
    },
  };
}

export interface PlaceOrderDeps {
  customers: Pick<CustomerRepository, 'idForEmail'>;
  writer: Pick<Writer, 'commit'>;
  /** for reading a lost claim's winner when the cancellation carried no item */
  ctx: TableContext;
  /**
   * Stamps the placement's events: OrderPlaced by default; a caller that adds events of
   * its own (`with`: an exchange's return moving on) passes a stamp that knows them.
   */
  stamp?: Stamp;
}

export interface CreateOptions {
  claims: readonly IdempotencyClaim[];
  response: StoredResponse;
  /** actor label (`role:principal`) */
  actor: string;
  causationId: string;
  now: Date;
  /** The customer id the email already has (undefined: none), if read already; else it is read here. */
  existingCustomerId?: string | undefined;
  /** changes and events that happen with the placement or not at all (an exchange's return moving to EXCHANGED) */
  with?: Pick<ChangeSet, 'changes' | 'events'>;
}

/**
 * ONE transaction: idempotency claims, the order (version 1, PENDING), its number,
 * its look-up item, the first timeline entry, OrderPlaced, and for a new customer the
 * email claim. A concurrent duplicate loses on its idempotency claim and answers with
 * the winner's stored response; two first orders of one email race on its claim, and
 * the loser retries once with the winner's customer id.
 */
export function makePlaceOrder(deps: PlaceOrderDeps) {
  return async function create(placed: OrderRecord, opts: CreateOptions): Promise<{ response: StoredResponse; replayed: boolean }> {
    const { now } = opts;
    const claimChanges = opts.claims.map((claim, i) => claimChange(claim, opts.response, now, `claim:${i}`, { orderId: placed.orderId }));
    const existing = 'existingCustomerId' in opts ? opts.existingCustomerId : await deps.customers.idForEmail(placed.customer.email);
    let match = existing ? { customerId: existing, isNew: false } : { customerId: newCustomerId(), isNew: true };
    for (let attempt = 1; ; attempt++) {
      const order: OrderRecord = { ...placed, customer: { ...placed.customer, customerId: match.customerId } };
      const set = placedChangeSet(order, opts.actor, now);
      const emailClaim: Change[] = match.isNew
        ? [{
            op: 'put', entity: 'customerEmail', id: [order.customer.email], tag: 'customerEmail', returnOld: true, expect: { exists: false },
            item: { customerId: match.customerId, email: order.customer.email.trim().toLowerCase(), createdAt: order.createdAt },
          }, newProfile(order, now)]
        : [];
      set.changes = [...claimChanges, ...set.changes, ...emailClaim, ...(opts.with?.changes ?? [])];
      set.events = [...set.events, ...(opts.with?.events ?? [])];
      try {
        await deps.writer.commit((deps.stamp ?? stamped)(set, { now, correlationId: order.orderId, causationId: opts.causationId }));
        return { response: opts.response, replayed: false };
      } catch (err) {
        if (!(err instanceof ConditionFailed)) throw err;
        for (const [i, claim] of opts.claims.entries()) {
          const lost = err.find(`claim:${i}`);
          if (lost) return { response: await resolveLostClaim(deps.ctx, claim, lost.old), replayed: true };
        }
        const lostEmail = err.find('customerEmail');
        const winner = lostEmail ? (lostEmail.old?.customerId as string | undefined) ?? (await deps.customers.idForEmail(placed.customer.email)) : undefined;
        if (!winner || attempt > 1) throw err;
        match = { customerId: winner, isNew: false };
      }
    }
  };
}

/** One placement request, authorized and validated by its route. */
export interface PlaceCommand {
  body: PlaceOrderRequest;
  /** who places it (`placedBy`) */
  principal: string;
  /** actor label of the timeline entry (`role:principal`) */
  actor: string;
  causationId: string;
  now: Date;
  orderId: string;
  /** the caller's retry key (a claim scoped by the principal) with the request's hash */
  retry?: { key: string; requestHash: string };
  /** the externalRef claim's scope: importing one outside order twice yields one order */
  externalRefScope?: string;
  /** the request's hash for the externalRef claim (same reference, other order: 409) */
  requestHash: string;
}

export type PlacementSteps = ReturnType<typeof placeOrderSteps>['orders'];

/**
 * The placement path every channel takes (POST /orders, marketplace imports): claims,
 * one read (replay, products, the email's customer), prices from the catalog, the day's
 * order number (from the container's lease), then the one transaction of `create`.
 * Answers the stored 202 (a replay answers the first one).
 */
export async function placeOrder(orders: Pick<PlacementSteps, 'readForPlacement' | 'nextOrderSequence' | 'create'>, cmd: PlaceCommand): Promise<{ response: StoredResponse; replayed: boolean }> {
  const { body, now } = cmd;
  const claims: IdempotencyClaim[] = [
    ...(cmd.retry ? [{ scope: cmd.principal, key: cmd.retry.key, requestHash: cmd.retry.requestHash }] : []),
    ...(body.externalRef && cmd.externalRefScope ? [{ scope: cmd.externalRefScope, key: body.externalRef, requestHash: cmd.requestHash }] : []),
  ];
  // One read for the replay check, the products and the customer's email claim.
  const read = await orders.readForPlacement({ claims, skus: body.lines.map((l) => l.sku), email: body.customer.email, now });
  if (read.replay) return { response: read.replay, replayed: true };
  const priced = priceOrder(body, read.products);
  const sequence = await orders.nextOrderSequence(orderDay(now));
  const order = newOrder(body, priced, { orderId: cmd.orderId, orderNumber: formatOrderNumber(body.channel, now, sequence), placedBy: cmd.principal, now });
  appendLogContext({ orderId: order.orderId });
  const response: StoredResponse = {
    statusCode: 202,
    body: { orderId: order.orderId, orderNumber: order.orderNumber, status: 'PENDING' },
    headers: { location: `/orders/${order.orderId}` },
  };
  return orders.create(order, { claims, response, actor: cmd.actor, causationId: cmd.causationId, now, existingCustomerId: read.existingCustomerId });
}

/**
 * Only what placing an order uses, over one table (the place-order function carries no
 * other use case). Made once per container: its order numbers come from the container's
 * lease of the day's sequence.
 */
export function placeOrderSteps(ctx: TableContext) {
  const orders = orderRepository(ctx);
  return {
    orders: {
      readForPlacement: orders.readForPlacement,
      nextOrderSequence: orderNumberLease(orders.takeOrderSequences),
      create: makePlaceOrder({ customers: customerRepository(ctx), writer: makeWriter(ctx), ctx }),
    },
  };
}
