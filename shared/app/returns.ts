import { ORDER_STATUS_EVENTS } from '../../events/orders';
import { PAYMENT_EVENTS } from '../../events/payments';
import { RETURN_EVENTS } from '../../events/returns';
import { actorLabel, type Actor } from '../domain/actor';
import type { ChangeSet } from '../domain/decision';
import { ConflictError, NotFoundError } from '../domain/errors';
import { lineQuantities } from '../domain/fulfilment';
import type { Money } from '../domain/money';
import type { OrderRecord } from '../domain/order';
import { chargedFor, formatMoney, refundableOf, type RefundReasonCode } from '../domain/payment';
import { requestRefund } from '../domain/payment-changes';
import { DEFAULT_LOCATION_ID } from '../domain/replenishment';
import { returnRequestedChangeSet, returnStepChangeSet, type ReturnStep } from '../domain/return-changes';
import {
  approve, autoApproves, close, planReturn, receive, refundableUnits, reject, replaces, returnedUnits, returnView, settlementOf, valueOf,
  type ReceivedLine, type ReturnKind, type ReturnRecord, type ReturnRequestInput, type ReturnStatus,
} from '../domain/returns';
import { defaultWorkflowSettings, WorkflowSettings } from '../domain/workflow-settings';
import { claimChange, findReplay, resolveLostClaim, type IdempotencyClaim, type StoredResponse } from '../store/idempotency';
import { newId } from '../store/ids';
import { orderRepository, type OrderRepository } from '../store/order-repository';
import { outboundRepository, type OutboundRepository } from '../store/outbound-repository';
import { paymentRepository, type OrderMoney, type PaymentRepository } from '../store/payment-repository';
import { returnRepository, type ReturnRepository } from '../store/return-repository';
import { settingsRepository, type SettingsRepository } from '../store/settings-repository';
import type { Page, TableContext } from '../store/table';
import { ConditionFailed, makeWriter, type Writer } from '../store/writer';
import { stamper } from './events';

/** The events these use cases publish, stamped for the outbox. */
const stamped = stamper(ORDER_STATUS_EVENTS, PAYMENT_EVENTS, RETURN_EVENTS);

// After-sales use cases (退換貨): read the order's partition, let the domain decide
// (returns.ts, return-changes.ts), commit one transaction. The refund of a receipt (or
// of a claim's approval) is part of that transaction, through the payments' own refund
// change (so refunds never exceed what was captured); the refund step then hands it to
// the provider like any other refund. A lost condition is read and decided again.

export interface ReturnsDeps {
  orders: Pick<OrderRepository, 'getRecord'>;
  outbound: Pick<OutboundRepository, 'outbound'>;
  returns: Pick<ReturnRepository, 'ofOrder' | 'orderOfReturn' | 'inStatus'>;
  payments: Pick<PaymentRepository, 'money'>;
  settings: Pick<SettingsRepository, 'get'>;
  writer: Pick<Writer, 'commit'>;
  /** Idempotency-Key claims of requests: the stored answer of a key, the winner's answer after a lost race */
  claims?: {
    find(claims: readonly IdempotencyClaim[], now: Date): Promise<StoredResponse | undefined>;
    resolveLost(claim: IdempotencyClaim, old: Record<string, unknown> | undefined): Promise<StoredResponse>;
  };
}

export interface ReturnOptions {
  actor: Actor;
  causationId: string;
  now: Date;
}

const MAX_ATTEMPTS = 4;
const RETRY_TAGS = ['order', 'return', 'refundable', 'refund'];

/** The refund a return's units are worth, capped by what the order's settled attempts still hold; undefined: nothing to refund. */
export function refundFor(r: ReturnRecord, money: OrderMoney): { paymentId: string; amount: Money } | undefined {
  return refundOfValue(valueOf(refundableUnits(r)), money);
}

/** A refund of `value` from the attempt that still holds most, capped by what it holds; undefined: nothing to refund. */
export function refundOfValue(value: Money | undefined, money: OrderMoney): { paymentId: string; amount: Money } | undefined {
  if (!value || value.amount <= 0) return undefined;
  const held = money.payments
    .filter((p) => p.status === 'SUCCEEDED' && p.amount.currency === value.currency)
    .map((p) => ({ paymentId: p.paymentId, left: refundableOf(p, chargedFor(money.entries, p.paymentId)).amount }))
    .sort((a, b) => b.left - a.left)[0];
  if (!held || held.left <= 0) return undefined;
  return { paymentId: held.paymentId, amount: { amount: Math.min(value.amount, held.left), currency: value.currency } };
}

/**
 * The payments' own refund change for a return's refund as planned (refundFor, refundOfValue):
 * the return is its cause; undefined when nothing is planned.
 */
export function returnRefund(
  order: OrderRecord, r: ReturnRecord, planned: { paymentId: string; amount: Money } | undefined, money: OrderMoney, opts: Pick<ReturnOptions, 'actor' | 'now'>,
): { refund: NonNullable<ReturnRecord['refund']>; set: Pick<ChangeSet, 'changes' | 'events'> } | undefined {
  if (!planned) return undefined;
  const payment = money.payments.find((p) => p.paymentId === planned.paymentId)!;
  const refundId = `rfd_${newId(opts.now)}`;
  const reasonCode: RefundReasonCode = r.kind === 'claim' ? 'CLAIM' : 'RETURNED';
  const { set } = requestRefund({
    order, payment, refundId, amount: planned.amount, reasonCode, returnId: r.returnId, automatic: true, actor: opts.actor, now: opts.now,
    reason: `${r.kind} ${r.returnId}: ${r.lines.map((l) => l.reason).join('; ')}`,
  }, chargedFor(money.entries, payment.paymentId));
  return { refund: { refundId, paymentId: payment.paymentId, amount: planned.amount }, set };
}

export function makeReturns(deps: ReturnsDeps) {
  const commit = (set: ChangeSet, orderId: string, opts: ReturnOptions) =>
    deps.writer.commit(stamped(set, { now: opts.now, correlationId: orderId, causationId: opts.causationId }));

  async function decided<T>(attempt: () => Promise<T>, id: string): Promise<T> {
    for (let i = 1; ; i++) {
      try {
        return await attempt();
      } catch (err) {
        if (!(err instanceof ConditionFailed) || !RETRY_TAGS.some((t) => err.find(t))) throw err;
        if (i >= MAX_ATTEMPTS) throw new ConflictError(`${id} keeps changing; try again`, {}, 'write-conflict', 'Changed meanwhile');
      }
    }
  }

  async function orderOrThrow(orderId: string): Promise<OrderRecord> {
    const order = await deps.orders.getRecord(orderId);
    if (!order) throw new NotFoundError(`No order ${orderId}`, { orderId });
    return order;
  }

  async function loaded(returnId: string): Promise<{ order: OrderRecord; r: ReturnRecord }> {
    const orderId = await deps.returns.orderOfReturn(returnId);
    if (!orderId) throw new NotFoundError(`No return ${returnId}`, { returnId });
    const [order, all] = await Promise.all([orderOrThrow(orderId), deps.returns.ofOrder(orderId)]);
    const r = all.find((x) => x.returnId === returnId);
    if (!r) throw new NotFoundError(`No return ${returnId}`, { returnId });
    return { order, r };
  }

  /** The refund's own changes for a return that now refunds its units (none: the return says RECEIVED). */
  async function withRefund(order: OrderRecord, after: ReturnRecord, opts: ReturnOptions): Promise<{ after: ReturnRecord; refund?: Pick<ChangeSet, 'changes' | 'events'> }> {
    const money = await deps.payments.money(order.orderId);
    const planned = returnRefund(order, after, refundFor(after, money), money, opts);
    if (!planned) return { after };
    return { after: { ...after, status: 'REFUNDED', refund: planned.refund }, refund: planned.set };
  }

  /** Decide a step on the return as it is now and commit it; undefined from the domain: already done, the return as it is. */
  function step(
    returnId: string,
    name: ReturnStep,
    decide: (r: ReturnRecord, order: OrderRecord) => ReturnRecord | undefined,
    refunds: (r: ReturnRecord) => boolean,
    detail: (r: ReturnRecord) => string,
    opts: ReturnOptions,
  ): Promise<ReturnRecord> {
    return decided(async () => {
      const { order, r } = await loaded(returnId);
      const next = decide(r, order);
      if (!next) return r;
      const { after, refund } = refunds(next) ? await withRefund(order, next, opts) : { after: next, refund: undefined };
      const text = detail(after) + (after.refund ? `; refund ${after.refund.refundId} of ${formatMoney(after.refund.amount)}` : '');
      await commit(returnStepChangeSet(name, r, after, opts.actor, opts.now, text, refund), order.orderId, opts);
      return after;
    }, returnId);
  }

  /** A request, with its Idempotency-Key claim when there is one: the answer, and the return unless it was a replay. */
  async function requestOnce(
    orderId: string, input: ReturnRequestInput, opts: ReturnOptions & { storefront?: string | undefined; claim?: IdempotencyClaim | undefined },
  ): Promise<{ r?: ReturnRecord; response: StoredResponse; replayed: boolean }> {
    if (opts.claim && deps.claims) {
      const replay = await deps.claims.find([opts.claim], opts.now);
      if (replay) return { response: replay, replayed: true };
    }
    const returnId = `ret_${newId(opts.now)}`;
    return decided(async () => {
        const [order, outbound, returns, settings] = await Promise.all([
          deps.orders.getRecord(orderId), deps.outbound.outbound(orderId), deps.returns.ofOrder(orderId),
          deps.settings.get('workflow', WorkflowSettings, defaultWorkflowSettings()),
        ]);
        if (!order || (opts.storefront !== undefined && order.placedBy !== opts.storefront)) throw new NotFoundError(`No order ${orderId}`, { orderId });
        const taken = returnedUnits(returns);
        const quantities = lineQuantities(order.lines, outbound.fulfilments, outbound.shipments).map((q) => ({ ...q, returned: taken.get(q.sku) ?? 0 }));
        const deliveredAt = outbound.shipments.map((s) => s.deliveredAt).filter((d): d is string => !!d).sort().at(-1);
        const lines = planReturn(
          { order, quantities, byStorefront: opts.storefront !== undefined, deliveredAt, returnWindowDays: settings.returnWindowDays, now: opts.now },
          input,
        );
        const at = opts.now.toISOString();
        const auto = autoApproves(input.type, lines, settings.returns, deliveredAt, opts.now);
        const r: ReturnRecord = {
          returnId, orderId, orderNumber: order.orderNumber, kind: input.type, status: auto ? 'APPROVED' : 'REQUESTED', lines, ...settlementOf(input, lines),
          ...(input.note ? { note: input.note } : {}), requestedBy: actorLabel(opts.actor),
          createdAt: at, updatedAt: at, ...(auto ? { approvedAt: at } : {}), version: 1,
        };
        const response: StoredResponse = { statusCode: 201, headers: { location: `/returns/${returnId}` }, body: returnView(r) };
        const set = returnRequestedChangeSet(order, r, opts.actor, opts.now);
        if (opts.claim) set.changes.push(claimChange(opts.claim, response, opts.now, 'claim', { orderId, returnId }));
        try {
          await commit(set, orderId, opts);
        } catch (err) {
          const lost = opts.claim && err instanceof ConditionFailed ? err.find('claim') : undefined;
          if (lost && opts.claim && deps.claims) return { response: await deps.claims.resolveLost(opts.claim, lost.old), replayed: true };
          throw err;
        }
        return { r, response, replayed: false };
      }, orderId);
  }

  return {
    /**
     * A return or claim of delivered units. The storefront asks for its own order (another's
     * is 404) within the return window; staff any time. Approved at once when the workflow
     * settings' return rules say so. An exchange names its replacement (default: the same
     * units), a claim its settlement (refund, or reship: a replacement order).
     */
    async request(orderId: string, input: ReturnRequestInput, opts: ReturnOptions & { storefront?: string | undefined }): Promise<ReturnRecord> {
      const { r } = await requestOnce(orderId, input, opts);
      return r!;
    },

    /**
     * The same, once per Idempotency-Key (`claim`): the claim is put in the return's own
     * transaction with the answer, so a retry (or a concurrent duplicate) gets the first
     * answer back, and the same key with another body is a 409.
     */
    requestOnce,

    /** One return with its order (the handler decides who may see it). */
    async get(returnId: string): Promise<{ order: OrderRecord; r: ReturnRecord }> {
      return loaded(returnId);
    },

    /** Every return and claim of an order, oldest first. */
    async ofOrder(orderId: string): Promise<{ order: OrderRecord; returns: ReturnRecord[] }> {
      const [order, returns] = await Promise.all([orderOrThrow(orderId), deps.returns.ofOrder(orderId)]);
      return { order, returns };
    },

    /** A page of the returns and claims in a status, oldest first (a queue to work through). */
    inStatus(status: ReturnStatus, page: { type?: ReturnKind | undefined; limit: number; cursor?: string | undefined }): Promise<Page<ReturnRecord>> {
      return deps.returns.inStatus(status, page);
    },

    /** REQUESTED -> APPROVED; a claim is refunded on approval (no parcel comes back), unless it is reshipped. A repeat changes nothing. */
    approve(returnId: string, opts: ReturnOptions): Promise<ReturnRecord> {
      return step(returnId, 'approve', (r) => approve(r, opts.now), (r) => r.kind === 'claim' && !replaces(r), () => 'approved', opts);
    },

    /** REQUESTED -> REJECTED: its units may be asked for again. */
    reject(returnId: string, reason: string, opts: ReturnOptions): Promise<ReturnRecord> {
      return step(returnId, 'reject', (r) => reject(r, reason, opts.now), () => false, () => `rejected: ${reason}`, opts);
    },

    /**
     * The parcel arrived: per line, units restocked (RETURNED) or written off (DAMAGED) at the
     * receiving location, and the received units refunded (an exchange's are credited to its
     * replacement order instead), in one transaction. A repeat changes nothing.
     */
    receive(returnId: string, lines: readonly ReceivedLine[], locationId: string | undefined, opts: ReturnOptions): Promise<ReturnRecord> {
      return step(
        returnId, 'receive', (r) => receive(r, lines, locationId ?? DEFAULT_LOCATION_ID, opts.now), (r) => !replaces(r),
        (r) => `received at ${r.locationId}: ${r.lines.map((l) => `${l.sku} ${l.restocked} restocked, ${l.damaged} damaged`).join('; ')}`,
        opts,
      );
    },

    /** Settled (refunded, received or rejected) -> CLOSED: the order may complete. */
    close(returnId: string, opts: ReturnOptions): Promise<ReturnRecord> {
      return step(returnId, 'close', (r) => close(r, opts.now), () => false, () => 'closed', opts);
    },
  };
}
export type Returns = ReturnType<typeof makeReturns>;

/** Only the repositories returns use, over one table (the returns function carries no other). */
export function returnSteps(ctx: TableContext) {
  const orders = orderRepository(ctx);
  const returns = makeReturns({
    orders, outbound: outboundRepository(ctx), returns: returnRepository(ctx), payments: paymentRepository(ctx),
    settings: settingsRepository(ctx), writer: makeWriter(ctx),
    claims: { find: (claims, now) => findReplay(ctx, claims, now), resolveLost: (claim, old) => resolveLostClaim(ctx, claim, old) },
  });
  return { orders, returns };
}
