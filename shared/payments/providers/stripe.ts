import { createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import type {
  CallbackReply, CancelResult, CreatePaymentInput, CreatePaymentResult, PaymentProviderAdapter, PaymentStatusReport,
  ProviderNotification, RawCallback, RefundInput, RefundResult, VerifyResult,
} from '../port';
import {
  callbackShaped, lazyCredentials, parseJson, ProviderCallError, send, shaped, type AdapterOptions,
} from './common';
import { lazySchema } from '../../domain/lazy-schema';

// Stripe (card): PaymentIntents and Refunds over the form-encoded REST API, webhooks
// signed with HMAC-SHA256 over `${t}.${rawBody}` (Stripe-Signature: t=..,v1=..[,v1=..]).

export interface StripeCredentials {
  secretKey: string;
  webhookSecret: string;
}

/** Stripe's own default: a signature older than this is refused (replay protection). */
export const STRIPE_TOLERANCE_SECONDS = 300;

// What we read of Stripe's objects (other fields pass through untouched).
const Metadata = lazySchema(() =>
  z.record(z.string(), z.string()).nullish(),
);
const PaymentIntent = lazySchema(() =>
  z.looseObject({
    id: z.string(),
    object: z.literal('payment_intent').optional(),
    status: z.string(),
    amount: z.int().min(0),
    amount_received: z.int().min(0).nullish(),
    currency: z.string(),
    client_secret: z.string().nullish(),
    metadata: Metadata,
    next_action: z.looseObject({ redirect_to_url: z.looseObject({ url: z.string().nullish() }).nullish() }).nullish(),
  }),
);
const Refund = lazySchema(() =>
  z.looseObject({ id: z.string(), status: z.string().nullish(), amount: z.int().min(0), currency: z.string(), metadata: Metadata }),
);
const StripeEvent = lazySchema(() =>
  z.looseObject({
    id: z.string().min(1),
    type: z.string(),
    created: z.int().min(0),
    data: z.looseObject({ object: z.looseObject({ id: z.string().optional(), metadata: Metadata }) }),
  }),
);

const PI_STATUS: Record<string, PaymentStatusReport['status']> = {
  succeeded: 'SUCCEEDED', canceled: 'CANCELLED',
  requires_payment_method: 'PENDING', requires_confirmation: 'PENDING', requires_action: 'PENDING', processing: 'PENDING', requires_capture: 'PENDING',
};
const PI_EVENTS: Record<string, ProviderNotification['status']> = {
  'payment_intent.succeeded': 'SUCCEEDED', 'payment_intent.payment_failed': 'FAILED', 'payment_intent.canceled': 'CANCELLED',
};
const REFUND_EVENTS = new Set(['refund.created', 'refund.updated', 'refund.failed']);
const REFUND_STATUS: Record<string, RefundResult['status']> = {
  pending: 'PENDING', requires_action: 'PENDING', succeeded: 'SUCCEEDED', failed: 'FAILED', canceled: 'FAILED',
};

/** Parses `t=..,v1=..,v1=..,v0=..`: the timestamp and every v1 signature (several during a secret rotation). */
export function parseStripeSignature(header: string): { t: number; v1: string[] } | undefined {
  let t: number | undefined;
  const v1: string[] = [];
  for (const part of header.split(',')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    const k = part.slice(0, i).trim();
    const v = part.slice(i + 1).trim();
    if (k === 't' && /^\d+$/.test(v)) t = Number(v);
    else if (k === 'v1' && /^[0-9a-f]{64}$/i.test(v)) v1.push(v.toLowerCase());
  }
  return t === undefined || v1.length === 0 ? undefined : { t, v1 };
}

const form = (fields: Record<string, string | number | boolean | undefined>) =>
  new URLSearchParams(Object.entries(fields).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)] as [string, string])).toString();

export function stripeAdapter(opts: AdapterOptions<StripeCredentials> & { toleranceSeconds?: number }): PaymentProviderAdapter {
  const credentials = lazyCredentials(opts.credentials);
  const base = opts.baseUrl.replace(/\/+$/, '');
  const tolerance = opts.toleranceSeconds ?? STRIPE_TOLERANCE_SECONDS;

  async function request(method: 'GET' | 'POST', path: string, body?: string, idempotencyKey?: string) {
    const { secretKey } = await credentials();
    const headers: Record<string, string> = { authorization: `Bearer ${secretKey}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
    return send('stripe', `${base}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  }

  async function call(method: 'GET' | 'POST', path: string, body?: string, idempotencyKey?: string): Promise<unknown> {
    const res = await request(method, path, body, idempotencyKey);
    if (res.status >= 300) {
      throw new ProviderCallError('stripe', `${method} ${path} answered ${res.status}`, res.status, res.text.slice(0, 300));
    }
    return parseJson('stripe', res.text);
  }

  return {
    provider: 'stripe',

    async create(input: CreatePaymentInput): Promise<CreatePaymentResult> {
      const pi = shaped('stripe', 'PaymentIntent', PaymentIntent, await call('POST', '/v1/payment_intents', form({
        amount: input.amount.amount,
        currency: input.amount.currency.toLowerCase(),
        description: input.description,
        'metadata[paymentId]': input.paymentId,
        'metadata[orderId]': input.orderId,
        'metadata[orderNumber]': input.orderNumber,
        'automatic_payment_methods[enabled]': true,
      }), input.idempotencyKey));
      if (!pi.client_secret) throw new ProviderCallError('stripe', 'PaymentIntent without client_secret');
      const url = pi.next_action?.redirect_to_url?.url;
      return {
        providerRef: pi.id,
        nextAction: { type: 'card', clientSecret: pi.client_secret, ...(typeof url === 'string' ? { url } : {}) },
      };
    },

    async verifyCallback(raw: RawCallback): Promise<VerifyResult> {
      const header = raw.headers['stripe-signature'];
      if (!header) return { ok: false, reason: 'malformed', detail: 'no Stripe-Signature header' };
      const sig = parseStripeSignature(header);
      if (!sig) return { ok: false, reason: 'malformed', detail: 'Stripe-Signature has no timestamp or v1 signature' };
      const { webhookSecret } = await credentials();
      const expected = createHmac('sha256', webhookSecret).update(`${sig.t}.`).update(raw.body).digest();
      if (!sig.v1.some((v) => timingSafeEqual(Buffer.from(v, 'hex'), expected))) {
        return { ok: false, reason: 'bad-signature', detail: 'no v1 signature matches' };
      }
      const age = Math.floor(raw.receivedAt.getTime() / 1000) - sig.t;
      if (tolerance > 0 && age > tolerance) return { ok: false, reason: 'stale', detail: `signed ${age} s ago` };
      try {
        return { ok: true, payload: JSON.parse(raw.body.toString('utf8')) };
      } catch {
        return { ok: false, reason: 'malformed', detail: 'body is not JSON' };
      }
    },

    normalize(payload: unknown): ProviderNotification[] {
      const event = callbackShaped('a Stripe event', StripeEvent, payload);
      const paymentId = event.data.object.metadata?.paymentId;
      if (!paymentId) return []; // not one of our payments
      const common = {
        provider: 'stripe' as const,
        eventKey: event.id,
        paymentId,
        occurredAt: new Date(event.created * 1000).toISOString(),
        providerEventType: event.type,
      };
      const status = PI_EVENTS[event.type];
      if (status) {
        const pi = callbackShaped('a PaymentIntent', PaymentIntent, event.data.object);
        const amount = status === 'SUCCEEDED' ? pi.amount_received ?? pi.amount : pi.amount;
        return [{ ...common, kind: 'payment', status, providerRef: pi.id, amount: { amount, currency: pi.currency.toUpperCase() } }];
      }
      if (REFUND_EVENTS.has(event.type)) {
        const re = callbackShaped('a Refund', Refund, event.data.object);
        const refundId = re.metadata?.refundId;
        const refundStatus = REFUND_STATUS[String(re.status)];
        if (!refundId || !refundStatus) return [];
        return [{
          ...common, kind: 'refund', refundId, status: refundStatus, providerRef: re.id,
          amount: { amount: re.amount, currency: re.currency.toUpperCase() },
        }];
      }
      return [];
    },

    reply(outcome, message): CallbackReply {
      return outcome === 'accepted'
        ? { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ received: true }) }
        : { statusCode: 400, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: message ?? 'rejected' }) };
    },

    async refund(input: RefundInput): Promise<RefundResult> {
      if (!input.providerRef) throw new ProviderCallError('stripe', 'a refund needs the PaymentIntent id');
      const re = shaped('stripe', 'Refund', Refund, await call('POST', '/v1/refunds', form({
        payment_intent: input.providerRef,
        amount: input.amount.amount,
        'metadata[refundId]': input.refundId,
        'metadata[paymentId]': input.paymentId,
      }), input.idempotencyKey));
      const status = REFUND_STATUS[String(re.status)];
      if (!status) throw new ProviderCallError('stripe', `unexpected refund status ${re.status}`);
      return { providerRefundRef: re.id, status };
    },

    async retrieve(input): Promise<PaymentStatusReport> {
      if (!input.providerRef) throw new ProviderCallError('stripe', 'retrieving needs the PaymentIntent id');
      const pi = shaped('stripe', 'PaymentIntent', PaymentIntent, await call('GET', `/v1/payment_intents/${encodeURIComponent(input.providerRef)}`));
      const status = PI_STATUS[pi.status];
      if (!status) throw new ProviderCallError('stripe', `unknown PaymentIntent status ${pi.status}`);
      const amount = status === 'SUCCEEDED' ? pi.amount_received ?? pi.amount : pi.amount;
      return { status, providerRef: pi.id, amount: { amount, currency: pi.currency.toUpperCase() } };
    },

    async cancel(input): Promise<CancelResult> {
      // no PaymentIntent recorded: nothing we can name to Stripe
      if (!input.providerRef) return { status: 'UNKNOWN' };
      const path = `/v1/payment_intents/${encodeURIComponent(input.providerRef)}/cancel`;
      const res = await request('POST', path, form({ cancellation_reason: 'abandoned' }), input.idempotencyKey);
      if (res.status < 300) {
        const pi = shaped('stripe', 'PaymentIntent', PaymentIntent, parseJson('stripe', res.text));
        return { status: pi.status === 'canceled' ? 'CANCELLED' : 'UNKNOWN' };
      }
      // succeeded or canceled before: Stripe refuses to cancel it again
      if (res.status === 400 && stripeErrorCode(res.text) === 'payment_intent_unexpected_state') return { status: 'ALREADY_FINAL' };
      throw new ProviderCallError('stripe', `POST ${path} answered ${res.status}`, res.status, res.text.slice(0, 300));
    },
  };
}

const StripeError = lazySchema(() =>
  z.looseObject({ error: z.looseObject({ code: z.string().optional() }) }),
);

/** The `error.code` of a Stripe error answer, if it is one. */
function stripeErrorCode(text: string): string | undefined {
  try {
    const r = StripeError.safeParse(JSON.parse(text));
    return r.success ? r.data.error.code : undefined;
  } catch {
    return undefined;
  }
}
