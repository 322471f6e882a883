import { ORDER_STATUS_EVENTS } from '../../events/orders';
import { OUTBOUND_EVENTS } from '../../events/outbound';
import * as z from 'zod';
import { parseConfig } from '../config';
import { systemActor, type Actor } from '../domain/actor';
import type { ChangeSet } from '../domain/decision';
import { BusinessRuleError, ConflictError, NotFoundError, UpstreamError } from '../domain/errors';
import { lineQuantities, planFulfilment, type Fulfilment } from '../domain/fulfilment';
import type { OrderRecord } from '../domain/order';
import {
  completionChangeSet, deliveryChangeSet, fulfilmentCancelledChangeSet, fulfilmentCreatedChangeSet, packedChangeSet, shipmentChangeSet,
  type OutboundState,
} from '../domain/outbound-changes';
import { isOpen } from '../domain/returns';
import { planShipment, type Shipment } from '../domain/shipment';
import { defaultWorkflowSettings, WorkflowSettings } from '../domain/workflow-settings';
import type { Carrier, WaybillCarrier } from '../shipping/port';
import { claimChange, findReplay, resolveLostClaim, type IdempotencyClaim } from '../store/idempotency';
import { newId } from '../store/ids';
import { orderRepository, type OrderRepository } from '../store/order-repository';
import { outboundRepository, type OutboundRepository } from '../store/outbound-repository';
import { paymentRepository, type PaymentRepository } from '../store/payment-repository';
import { returnRepository, type ReturnRepository } from '../store/return-repository';
import { settingsRepository, type SettingsRepository } from '../store/settings-repository';
import type { TableContext } from '../store/table';
import { ConditionFailed, makeWriter, type Writer } from '../store/writer';
import { stamper } from './events';

/** The events these use cases publish, stamped for the outbox. */
const stamped = stamper(ORDER_STATUS_EVENTS, OUTBOUND_EVENTS);

// Outbound use cases (出庫, 發貨, delivery, completion): read the order's partition,
// let the domain decide (outbound-changes.ts), commit one transaction. A lost
// condition on the order or a fulfilment (another outbound command got there first)
// is read and decided again, so the answer reflects the order as it is now.

export interface OutboundDeps {
  /** for Idempotency-Key replays (claims are read directly, like the other use cases') */
  ctx?: TableContext;
  orders: Pick<OrderRepository, 'getRecord' | 'reservedLines'>;
  outbound: Pick<OutboundRepository, 'outbound' | 'orderOfFulfilment' | 'dueForCompletion'>;
  /** an order's returns: one still open holds its completion */
  returns?: Pick<ReturnRepository, 'ofOrder'>;
  payments: Pick<PaymentRepository, 'money'>;
  settings: Pick<SettingsRepository, 'get'>;
  writer: Pick<Writer, 'commit'>;
  /** the carrier that books waybills, or undefined when it cannot (aftership, 17track; sandbox outside the local stage) */
  waybillCarrierFor: (carrier: Carrier) => WaybillCarrier | undefined;
  /** where a carrier's tracking callbacks go */
  notifyUrl: (carrier: Carrier) => string;
  /** what the COD hook settles through: payments(store).collectCash */
  collectCash?: (orderId: string, paymentId: string, reference: string, opts: { actor: Actor; causationId: string; now: Date; amount: OrderRecord['totals']['total'] }) => Promise<unknown>;
}

export interface OutboundOptions {
  actor: Actor;
  causationId: string;
  now: Date;
}

/** A create that a client may retry: with an Idempotency-Key claim, a retry answers what the first request answered. */
export type ClaimedOptions = OutboundOptions & { claim?: IdempotencyClaim | undefined };

/** The actor of the delivery and completion steps. */
export const SHIPMENT_PROGRESS = systemActor('shipment-progress');
export const COMPLETE_ORDERS = systemActor('complete-orders');

const MAX_ATTEMPTS = 4;
const ORDER_LIKE_TAGS = ['order', 'fulfilment', 'shipment', 'hold', 'stock'];

export function makeOutbound(deps: OutboundDeps) {
  const commit = (set: ChangeSet, orderId: string, opts: Pick<OutboundOptions, 'now' | 'causationId'>) =>
    deps.writer.commit(stamped(set, { now: opts.now, correlationId: orderId, causationId: opts.causationId }));

  async function state(orderId: string): Promise<OutboundState> {
    const [order, outbound] = await Promise.all([deps.orders.getRecord(orderId), deps.outbound.outbound(orderId)]);
    if (!order) throw new NotFoundError(`No order ${orderId}`, { orderId });
    return { order, ...outbound };
  }

  const workflow = () => deps.settings.get('workflow', WorkflowSettings, defaultWorkflowSettings());

  /** The first request's answer to this claim, if it was made already (a 409 if for another request). */
  async function replayOf<T>(claim: IdempotencyClaim | undefined, now: Date): Promise<T | undefined> {
    if (!claim || !deps.ctx) return undefined;
    return (await findReplay(deps.ctx, [claim], now))?.body as T | undefined;
  }

  /** Commit with the claim (if any) in the same transaction; a lost claim answers the winner's result. */
  async function commitClaimed<T>(set: ChangeSet, orderId: string, opts: ClaimedOptions, result: T, location: string): Promise<T> {
    if (!opts.claim || !deps.ctx) {
      await commit(set, orderId, opts);
      return result;
    }
    set.changes.push(claimChange(opts.claim, { statusCode: 201, body: result, headers: { location } }, opts.now, 'claim', { orderId }));
    try {
      await commit(set, orderId, opts);
      return result;
    } catch (err) {
      const lost = err instanceof ConditionFailed ? err.find('claim') : undefined;
      if (lost) return (await resolveLostClaim(deps.ctx, opts.claim, lost.old)).body as T;
      throw err;
    }
  }

  /** Read, decide, commit; on a lost condition about the order's outbound items, read and decide again. */
  async function decided<T>(attempt: () => Promise<T>, orderId: string): Promise<T> {
    for (let i = 1; ; i++) {
      try {
        return await attempt();
      } catch (err) {
        if (!(err instanceof ConditionFailed) || !ORDER_LIKE_TAGS.some((t) => err.find(t))) throw err;
        if (i >= MAX_ATTEMPTS) throw new ConflictError(`Order ${orderId} keeps changing; try again`, {}, 'write-conflict', 'Changed meanwhile');
      }
    }
  }

  async function fulfilmentState(fulfillmentId: string): Promise<{ s: OutboundState; f: Fulfilment }> {
    const orderId = await deps.outbound.orderOfFulfilment(fulfillmentId);
    if (!orderId) throw new NotFoundError(`No fulfilment ${fulfillmentId}`, { fulfillmentId });
    const s = await state(orderId);
    const f = s.fulfilments.find((x) => x.fulfillmentId === fulfillmentId);
    if (!f) throw new NotFoundError(`No fulfilment ${fulfillmentId}`, { fulfillmentId });
    return { s, f };
  }

  /** Whether a not-yet-paid order may be fulfilled: its open attempt is cash on delivery and the settings allow it. */
  async function cashOnDelivery(order: OrderRecord): Promise<boolean> {
    if (order.status !== 'AWAITING_PAYMENT') return false;
    const [settings, money] = await Promise.all([workflow(), deps.payments.money(order.orderId)]);
    const open = money.open && money.payments.find((p) => p.paymentId === money.open!.paymentId);
    return settings.allowCashOnDelivery && open?.method === 'cod';
  }

  return {
    /** Open outbound work for all or some of what is left to fulfil. */
    async createFulfilment(orderId: string, lines: { sku: string; quantity: number }[] | undefined, opts: ClaimedOptions): Promise<Fulfilment> {
      const replay = await replayOf<Fulfilment>(opts.claim, opts.now);
      if (replay) return replay;
      const fulfillmentId = `ful_${newId(opts.now)}`;
      return decided(async () => {
        const s = await state(orderId);
        const reserved = (await deps.orders.reservedLines(orderId)) ?? [];
        const planned = planFulfilment(lineQuantities(s.order.lines, s.fulfilments, s.shipments), reserved, { lines });
        const cod = await cashOnDelivery(s.order);
        const { set, fulfilment } = fulfilmentCreatedChangeSet(s, { fulfillmentId, lines: planned }, opts.actor, opts.now, { cashOnDelivery: cod });
        return commitClaimed(set, orderId, opts, fulfilment, `/fulfillments/${fulfillmentId}/pick-list`);
      }, orderId);
    },

    /** A fulfilment with its order's number and shipping name (the pick list's header). */
    async fulfilment(fulfillmentId: string): Promise<{ fulfilment: Fulfilment; order: OrderRecord }> {
      const { s, f } = await fulfilmentState(fulfillmentId);
      return { fulfilment: f, order: s.order };
    },

    async pack(fulfillmentId: string, opts: OutboundOptions): Promise<Fulfilment> {
      return decided(async () => {
        const { s, f } = await fulfilmentState(fulfillmentId);
        const { set, fulfilment } = packedChangeSet(s, f, opts.actor, opts.now);
        await commit(set, s.order.orderId, opts);
        return fulfilment;
      }, fulfillmentId);
    },

    async cancelFulfilment(fulfillmentId: string, opts: OutboundOptions): Promise<Fulfilment> {
      return decided(async () => {
        const { s, f } = await fulfilmentState(fulfillmentId);
        const { set, fulfilment } = fulfilmentCancelledChangeSet(s, f, opts.actor, opts.now);
        await commit(set, s.order.orderId, opts);
        return fulfilment;
      }, fulfillmentId);
    },

    /**
     * Ship packed units. Without a tracking number the carrier books a waybill first
     * (its idempotency key is the shipment id, so a retried booking makes one waybill);
     * then ONE transaction records the shipment, commits the stock, moves the order and
     * writes the initial tracking record. A tracking number already in use is a 409.
     */
    async createShipment(
      orderId: string,
      input: { carrier: Carrier; courier?: string | undefined; trackingNumber?: string | undefined; lines?: { sku: string; quantity: number }[] | undefined; fulfillmentId?: string | undefined },
      opts: ClaimedOptions,
    ): Promise<Shipment> {
      const replay = await replayOf<Shipment>(opts.claim, opts.now);
      if (replay) return replay;
      const shipmentId = `shp_${newId(opts.now)}`;
      let booked: { trackingNumber: string; providerRef?: string; labelUrl?: string; estimatedDelivery?: string } | undefined =
        input.trackingNumber ? { trackingNumber: input.trackingNumber } : undefined;
      return decided(async () => {
        const s = await state(orderId);
        const lines = planShipment(s.fulfilments, input);
        if (!booked) booked = await book(s.order, shipmentId, input.carrier, lines);
        const at = opts.now.toISOString();
        const shipment: Shipment = {
          shipmentId, orderId, orderNumber: s.order.orderNumber, carrier: input.carrier, ...(input.courier ? { courier: input.courier } : {}), status: 'LABEL_CREATED', lines,
          ...booked, createdAt: at, updatedAt: at, version: 1,
        };
        const reserved = (await deps.orders.reservedLines(orderId)) ?? [];
        try {
          return await commitClaimed(shipmentChangeSet(s, reserved, shipment, opts.actor, opts.now), orderId, opts, shipment, `/orders/${orderId}`);
        } catch (err) {
          if (err instanceof ConditionFailed && err.find('tracking')) {
            throw new ConflictError(`Tracking number ${shipment.trackingNumber} is already in use`, { trackingNumber: shipment.trackingNumber }, 'tracking-number-in-use', 'Tracking number in use');
          }
          throw err;
        }
      }, orderId);
    },

    /**
     * The carrier delivered a shipment (ShipmentStatusChanged to DELIVERED): its units
     * delivered, the order PARTIALLY_DELIVERED or DELIVERED (its return window starts),
     * and a cash-on-delivery order's cash settled. A redelivered report changes nothing.
     */
    async delivered(orderId: string, shipmentId: string, deliveredAt: string, opts: Omit<OutboundOptions, 'actor'>): Promise<{ outcome: 'delivered' | 'already-delivered' | 'unknown-shipment' }> {
      const outcome = await decided(async () => {
        const s = await state(orderId);
        if (!s.shipments.some((x) => x.shipmentId === shipmentId)) return 'unknown-shipment' as const;
        const set = deliveryChangeSet(s, shipmentId, deliveredAt, SHIPMENT_PROGRESS, opts.now, (await workflow()).returnWindowDays);
        if (!set) return 'already-delivered' as const;
        await commit(set, orderId, opts);
        return 'delivered' as const;
      }, orderId);
      if (outcome !== 'unknown-shipment') await settleCash(orderId, shipmentId, opts);
      return { outcome };
    },

    /** Complete the delivered orders whose return window closed. */
    async completeDue(opts: Omit<OutboundOptions, 'actor'>, limit = 100): Promise<{ completed: number; skipped: number }> {
      let completed = 0;
      let skipped = 0;
      for (const orderId of await deps.outbound.dueForCompletion(opts.now, limit)) {
        // an open return holds completion: its due item stays, and a later run completes the order once it closes
        const [order, returns] = await Promise.all([deps.orders.getRecord(orderId), deps.returns?.ofOrder(orderId) ?? []]);
        if (!order || order.status !== 'DELIVERED' || returns.some(isOpen)) {
          skipped++;
          continue;
        }
        try {
          await commit(completionChangeSet(order, COMPLETE_ORDERS, opts.now), orderId, opts);
          completed++;
        } catch (err) {
          if (!(err instanceof ConditionFailed)) throw err;
          skipped++; // changed meanwhile: the next run reads it again
        }
      }
      return { completed, skipped };
    },
  };

  /** The carrier's waybill for a shipment, or 422 when it cannot book one (then a tracking number is needed). */
  async function book(order: OrderRecord, shipmentId: string, carrier: Carrier, lines: Shipment['lines']) {
    const waybills = deps.waybillCarrierFor(carrier);
    if (!waybills) throw new BusinessRuleError(`${carrier} cannot book waybills; give the trackingNumber`, { carrier }, 'carrier-cannot-book');
    const a = order.shippingAddress;
    try {
      const r = await waybills.createWaybill({
        shipmentId, orderNumber: order.orderNumber, idempotencyKey: shipmentId,
        parcel: { lines: lines.map(({ sku, quantity }) => ({ sku, quantity })) },
        to: {
          name: order.customer.name, ...(order.customer.phone ? { phone: order.customer.phone } : {}),
          line1: a.line1, ...(a.line2 ? { line2: a.line2 } : {}), city: a.city, ...(a.region ? { region: a.region } : {}),
          postalCode: a.postalCode, country: a.country,
        },
        notifyUrl: deps.notifyUrl(carrier),
      });
      return {
        trackingNumber: r.trackingNumber, ...(r.providerRef ? { providerRef: r.providerRef } : {}),
        ...(r.labelUrl ? { labelUrl: r.labelUrl } : {}), ...(r.estimatedDelivery ? { estimatedDelivery: r.estimatedDelivery } : {}),
      };
    } catch (err) {
      throw new UpstreamError(`${carrier} did not book a waybill for shipment ${shipmentId}: ${err instanceof Error ? err.message : String(err)}`, { carrier });
    }
  }

  /** COD: once every shipment is delivered, the courier's cash for the open cod attempt is settled (once: a settled attempt is a duplicate). */
  async function settleCash(orderId: string, shipmentId: string, opts: Omit<OutboundOptions, 'actor'>): Promise<void> {
    if (!deps.collectCash) return;
    const [order, money] = await Promise.all([deps.orders.getRecord(orderId), deps.payments.money(orderId)]);
    if (!order || (order.status !== 'DELIVERED' && order.status !== 'COMPLETED')) return;
    const cod = money.payments.find((p) => p.method === 'cod' && p.status === 'PENDING');
    if (!cod) return;
    await deps.collectCash(orderId, cod.paymentId, `delivered:${shipmentId}`, { actor: SHIPMENT_PROGRESS, causationId: opts.causationId, now: opts.now, amount: cod.amount });
  }
}
export type Outbound = ReturnType<typeof makeOutbound>;

const OutboundConfig = z.object({
  /** the API's public base URL (no trailing slash), for the carriers' tracking callbacks */
  PUBLIC_API_URL: z.url().optional(),
});

/** Only the repositories outbound uses, over one table (the outbound functions carry no other). */
export function outboundSteps(
  ctx: TableContext,
  opts: { waybillCarrierFor?: OutboundDeps['waybillCarrierFor']; collectCash?: OutboundDeps['collectCash']; env?: Record<string, string | undefined> } = {},
) {
  const { PUBLIC_API_URL } = parseConfig(OutboundConfig, opts.env ?? process.env);
  const orders = orderRepository(ctx);
  const payments = paymentRepository(ctx);
  const writer = makeWriter(ctx);
  const outbound = makeOutbound({
    ctx, orders, outbound: outboundRepository(ctx), returns: returnRepository(ctx), payments, settings: settingsRepository(ctx), writer,
    // only the fulfilment function books waybills (it passes the stage's carriers); the others carry no carrier code
    waybillCarrierFor: opts.waybillCarrierFor ?? (() => undefined),
    notifyUrl: (carrier) => {
      if (!PUBLIC_API_URL) throw new Error('PUBLIC_API_URL is not set: carriers cannot be told where to call back');
      return `${PUBLIC_API_URL.replace(/\/+$/, '')}/webhooks/carriers/${carrier}`;
    },
    ...(opts.collectCash ? { collectCash: opts.collectCash } : {}),
  });
  return { orders, outbound };
}
