import { AFTERSALES_EVENTS } from '../../events/aftersales';
import { ORDER_STATUS_EVENTS, OrderPlaced } from '../../events/orders';
import { PAYMENT_EVENTS } from '../../events/payments';
import { randomId } from '../store/ids';
import { actorLabel, type Actor } from '../domain/actor';
import { ConflictError } from '../domain/errors';
import { newOrder, priceOrder } from '../domain/order';
import { formatOrderNumber, orderDay } from '../domain/order-number';
import { creditOf, placedWith, refusedChangeSet, replacementRequest, shortSkus, waitingChangeSet, withCredit } from '../domain/replacements';
import { replacementDue } from '../domain/returns';
import { customerRepository } from '../store/customer-repository';
import { orderRepository, type OrderRepository } from '../store/order-repository';
import { paymentRepository, type PaymentRepository } from '../store/payment-repository';
import { returnRepository, type ReturnRepository } from '../store/return-repository';
import { stockRepository, type StockRepository } from '../store/stock-repository';
import type { TableContext } from '../store/table';
import { ConditionFailed, makeWriter, type Writer } from '../store/writer';
import { stamper } from './events';
import { orderNumberLease, type NextOrderSequence } from './order-numbers';
import { makePlaceOrder } from './place-order';
import { refundOfValue, returnRefund } from './returns';

/** The events these use cases publish, stamped for the outbox. */
const stamped = stamper([OrderPlaced], ORDER_STATUS_EVENTS, PAYMENT_EVENTS, AFTERSALES_EVENTS);

// Replacement orders of exchanges and reshipped claims (a queued step, so the returns
// function carries no placement code): place the order through the same placement as
// POST /orders when its stock is there, or record that it waits and for which SKUs.
// The placement moves the return in the same transaction, conditioned on its version,
// so a redelivered or racing event places at most one replacement. A replacement order
// rejected at its reservation puts its return back to waiting (`refused`).

export interface ReplacementsDeps {
  orders: Pick<OrderRepository, 'getRecord' | 'readForPlacement'> & { nextOrderSequence: NextOrderSequence };
  returns: Pick<ReturnRepository, 'ofOrder' | 'orderOfReturn' | 'waitingOn'>;
  stock: Pick<StockRepository, 'getMany'>;
  payments: Pick<PaymentRepository, 'money'>;
  place: ReturnType<typeof makePlaceOrder>;
  writer: Pick<Writer, 'commit'>;
  newId?: () => string;
}

export interface ReplacementOptions {
  actor: Actor;
  causationId: string;
  now: Date;
}

export type ReplacementOutcome =
  | { outcome: 'placed'; orderId: string; orderNumber: string }
  | { outcome: 'waiting'; skus: string[] }
  | { outcome: 'not-due' };

export type RefusalOutcome =
  | { outcome: 'waiting'; returnId: string; skus: string[] }
  | { outcome: 'not-a-replacement' | 'unchanged' };

const MAX_ATTEMPTS = 4;
const RETRY_TAGS = ['return', 'original', 'refundable', 'refund', 'orderNumber'];

export function makeReplacements(deps: ReplacementsDeps) {
  const newId = deps.newId ?? randomId;

  async function attempt(returnId: string, opts: ReplacementOptions): Promise<ReplacementOutcome> {
    const orderId = await deps.returns.orderOfReturn(returnId);
    if (!orderId) return { outcome: 'not-due' };
    const [original, returns] = await Promise.all([deps.orders.getRecord(orderId), deps.returns.ofOrder(orderId)]);
    const r = returns.find((x) => x.returnId === returnId);
    if (!original || !r || !replacementDue(r)) return { outcome: 'not-due' };
    const lines = r.replacement!.lines;
    const skus = [...new Set(lines.map((l) => l.sku))];
    const levels = await deps.stock.getMany(skus);
    const short = shortSkus(lines, new Map(levels.map((l) => [l.sku, l.available])));
    if (short.length) {
      const set = waitingChangeSet(r, short, opts.actor, opts.now);
      if (set) await deps.writer.commit(stamped(set, { now: opts.now, correlationId: orderId, causationId: opts.causationId }));
      return { outcome: 'waiting', skus: short };
    }
    const request = replacementRequest(original, r);
    const read = await deps.orders.readForPlacement({ claims: [], skus, email: request.customer.email, now: opts.now });
    const { priced, refund: over } = withCredit(priceOrder(request, read.products), creditOf(r, original.totals.total.currency));
    // a difference refunded at an earlier placement (since rejected at its reservation) stands: never refunded twice
    const money = over && !r.refund ? await deps.payments.money(orderId) : undefined;
    const refund = over && money ? returnRefund(original, r, refundOfValue(over, money), money, opts) : undefined;
    const sequence = await deps.orders.nextOrderSequence(orderDay(opts.now));
    const order = {
      ...newOrder(request, priced, { orderId: newId(), orderNumber: formatOrderNumber('exchange', opts.now, sequence), placedBy: original.placedBy, now: opts.now }),
      replaces: { orderId: original.orderId, orderNumber: original.orderNumber, returnId: r.returnId },
    };
    await deps.place(order, {
      claims: [], response: { statusCode: 202, body: { orderId: order.orderId } }, actor: actorLabel(opts.actor),
      causationId: opts.causationId, now: opts.now, existingCustomerId: read.existingCustomerId,
      with: placedWith({ original, r, order, refund, actor: opts.actor, now: opts.now }),
    });
    return { outcome: 'placed', orderId: order.orderId, orderNumber: order.orderNumber };
  }

  /** Place a return's replacement, or record what it waits for; a return with nothing due is left alone. */
  async function settle(returnId: string, opts: ReplacementOptions): Promise<ReplacementOutcome> {
    for (let i = 1; ; i++) {
      try {
        return await attempt(returnId, opts);
      } catch (err) {
        if (!(err instanceof ConditionFailed) || !RETRY_TAGS.some((t) => err.find(t))) throw err;
        if (i >= MAX_ATTEMPTS) throw new ConflictError(`Return ${returnId} keeps changing; try again`, {}, 'write-conflict', 'Changed meanwhile');
      }
    }
  }

  /**
   * A replacement order was rejected at its reservation (stock taken since the check): its
   * return waits again for the SKUs short, and stock arriving places a new one. Decided on
   * the return as it is, conditioned on its version: a redelivered rejection changes nothing.
   */
  async function refused(orderId: string, opts: ReplacementOptions): Promise<RefusalOutcome> {
    const order = await deps.orders.getRecord(orderId);
    const short = order?.status === 'REJECTED' ? [...new Set((order.shortages ?? []).map((s) => s.sku))].sort() : [];
    if (!order?.replaces || !short.length) return { outcome: 'not-a-replacement' };
    const { orderId: originalId, returnId } = order.replaces;
    for (let i = 1; ; i++) {
      const r = (await deps.returns.ofOrder(originalId)).find((x) => x.returnId === returnId);
      const set = r && refusedChangeSet(r, order, short, opts.actor, opts.now);
      if (!set) return { outcome: 'unchanged' };
      try {
        await deps.writer.commit(stamped(set, { now: opts.now, correlationId: originalId, causationId: opts.causationId }));
        return { outcome: 'waiting', returnId, skus: short };
      } catch (err) {
        if (!(err instanceof ConditionFailed) || !err.find('return')) throw err;
        if (i >= MAX_ATTEMPTS) throw new ConflictError(`Return ${returnId} keeps changing; try again`, {}, 'write-conflict', 'Changed meanwhile');
      }
    }
  }

  return {
    settle,
    refused,

    /** Stock of these SKUs arrived: every replacement waiting for one of them is tried again. */
    async stockArrived(skus: readonly string[], opts: ReplacementOptions): Promise<{ returnId: string; result: ReplacementOutcome }[]> {
      const waiting = (await Promise.all([...new Set(skus)].map((sku) => deps.returns.waitingOn(sku)))).flat();
      const out: { returnId: string; result: ReplacementOutcome }[] = [];
      for (const returnId of new Set(waiting.map((w) => w.returnId))) out.push({ returnId, result: await settle(returnId, opts) });
      return out;
    },
  };
}
export type Replacements = ReturnType<typeof makeReplacements>;

/** Only what replacements use, over one table (the replacements function carries no other use case). */
export function replacementSteps(ctx: TableContext): Replacements {
  const writer = makeWriter(ctx);
  const orders = orderRepository(ctx);
  return makeReplacements({
    orders: { ...orders, nextOrderSequence: orderNumberLease(orders.takeOrderSequences) }, returns: returnRepository(ctx), stock: stockRepository(ctx), payments: paymentRepository(ctx),
    place: makePlaceOrder({ customers: customerRepository(ctx), writer, ctx, stamp: stamped }), writer,
  });
}
