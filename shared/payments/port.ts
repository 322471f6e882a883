import * as z from 'zod';
import { Money } from '../domain/money';
import { lazySchema } from '../domain/lazy-schema';

// The one port every payment provider sits behind. The payment use cases
// (shared/app/payments.ts) talk only to this interface; each provider's adapter
// (shared/payments/providers/<name>.ts) implements it with node:crypto and fetch,
// against the provider's base URL from the stage config (the real API in AWS stages,
// the local cloud's sandbox in the local stage).

export const PAYMENT_METHODS = ['card', 'alipay', 'wechatpay', 'bank_transfer', 'cod'] as const;
export const PaymentMethod = z.enum(PAYMENT_METHODS);
export type PaymentMethod = z.infer<typeof PaymentMethod>;

/** Who moves the money: a provider with an API and callbacks, or people (bank transfer, cash on delivery). */
export const PROVIDERS = ['stripe', 'alipay', 'wechatpay', 'manual'] as const;
export const Provider = z.enum(PROVIDERS);
export type Provider = z.infer<typeof Provider>;

/** Providers that call back over `POST /webhooks/payments/{provider}`. */
export const CALLBACK_PROVIDERS = ['stripe', 'alipay', 'wechatpay'] as const;
export const CallbackProvider = z.enum(CALLBACK_PROVIDERS);
export type CallbackProvider = z.infer<typeof CallbackProvider>;

export const PROVIDER_OF_METHOD: Record<PaymentMethod, Provider> = {
  card: 'stripe', alipay: 'alipay', wechatpay: 'wechatpay', bank_transfer: 'manual', cod: 'manual',
};

/** What the payer (or the storefront) does next, as `POST /orders/{orderId}/payments` returns it. */
export const NextAction = lazySchema(() =>
  z.strictObject({
    type: z.enum(['redirect', 'card', 'qr', 'instructions']),
    url: z.string().optional(),
    clientSecret: z.string().optional(),
    qrCode: z.string().optional(),
    instructions: z.string().optional(),
  }),
);
export type NextAction = z.infer<typeof NextAction>;

export interface CreatePaymentInput {
  paymentId: string;
  orderId: string;
  orderNumber: string;
  amount: Money;
  /** shown to the payer by the provider (subject / description) */
  description: string;
  /** sent to the provider so a retried create makes one provider object: derived from the attempt */
  idempotencyKey: string;
  /** where the provider calls back: `${publicApiUrl}/webhooks/payments/<provider>` */
  notifyUrl: string;
}

export interface CreatePaymentResult {
  /** Stripe PaymentIntent id; Alipay and WeChat Pay have none until paid (their trade_no / transaction_id) */
  providerRef?: string;
  nextAction: NextAction;
}

export interface RefundInput {
  refundId: string;
  paymentId: string;
  providerRef?: string;
  amount: Money;
  /** what the payment captured: WeChat Pay wants it with every refund */
  captured: Money;
  reason: string;
  idempotencyKey: string;
  notifyUrl: string;
}

export interface RefundResult {
  providerRefundRef?: string;
  status: 'PENDING' | 'SUCCEEDED' | 'FAILED';
}

/** A callback exactly as it arrived: header names lower-cased, the body's raw bytes. */
export interface RawCallback {
  headers: Readonly<Record<string, string | undefined>>;
  body: Buffer;
  receivedAt: Date;
}

export type VerifyResult =
  | { ok: true; payload: unknown }
  | { ok: false; reason: 'bad-signature' | 'stale' | 'probe' | 'unknown-key' | 'malformed'; detail: string };

/**
 * One fact a provider reported, in our terms. `eventKey` is the inbox key: the
 * provider's identity of the event, so a redelivery finds the same key (Stripe: event
 * id; Alipay: notify_id plus trade status and refund fee; WeChat Pay: notification id).
 */
export const ProviderNotification = lazySchema(() =>
  z.strictObject({
    provider: CallbackProvider,
    eventKey: z.string().min(1).max(300),
    kind: z.enum(['payment', 'refund']),
    /** our paymentId as the provider echoes it (out_trade_no, metadata.paymentId) */
    paymentId: z.string().min(1),
    /** our refundId (out_refund_no / out_request_no / metadata.refundId) for a refund */
    refundId: z.string().min(1).optional(),
    status: z.enum(['PENDING', 'SUCCEEDED', 'FAILED', 'CANCELLED']),
    /** integer minor units: what was paid, or refunded for a refund */
    amount: Money.optional(),
    /** the provider's own reference: PaymentIntent id, trade_no, transaction_id, refund id */
    providerRef: z.string().optional(),
    /** who the money went to, to be checked against our configuration */
    merchant: z.strictObject({ appId: z.string().optional(), merchantId: z.string().optional() }).optional(),
    /** when the provider says it happened (ISO 8601) */
    occurredAt: z.iso.datetime({ offset: true }),
    /** the provider's event type as sent (payment_intent.succeeded, TRADE_SUCCESS, REFUND.SUCCESS) */
    providerEventType: z.string(),
  }),
);
export type ProviderNotification = z.infer<typeof ProviderNotification>;

/** The HTTP answer a provider expects. */
export interface CallbackReply {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export interface CancelInput {
  paymentId: string;
  providerRef?: string;
  /** the same for every try at closing one attempt */
  idempotencyKey: string;
}

/**
 * What closing an open attempt at the provider gave: CANCELLED (closed, or never opened
 * there: nothing can be paid any more), ALREADY_FINAL (paid or closed before: its own
 * report settles it), UNKNOWN (the provider could not be asked or did not say).
 */
export interface CancelResult {
  status: 'CANCELLED' | 'ALREADY_FINAL' | 'UNKNOWN';
}

export interface PaymentStatusReport {
  status: 'PENDING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
  amount?: Money;
  providerRef?: string;
  refunded?: Money;
}

export interface PaymentProviderAdapter {
  readonly provider: CallbackProvider;
  create(input: CreatePaymentInput): Promise<CreatePaymentResult>;
  /** Checks the signature (and freshness) on the raw bytes; nothing else is trusted before it passes. */
  verifyCallback(raw: RawCallback): Promise<VerifyResult>;
  /** The verified payload as notifications (usually one; none for event types we do not act on). */
  normalize(payload: unknown): ProviderNotification[];
  /** The answer for an accepted (recorded) or refused callback, in the provider's format. */
  reply(outcome: 'accepted' | 'rejected', message?: string): CallbackReply;
  refund(input: RefundInput): Promise<RefundResult>;
  retrieve(input: { paymentId: string; providerRef?: string }): Promise<PaymentStatusReport>;
  /** Closes an attempt the payer abandoned, so its page or QR code can no longer be paid. */
  cancel(input: CancelInput): Promise<CancelResult>;
}

/**
 * What the callback worker hands to the payment use cases, once per inbox record;
 * redeliveries and reordering must not change the outcome.
 */
export interface PaymentCallbackSink {
  /** `placedAt`: when the order was placed, for a notification that paid it (placed-to-paid latency) */
  apply(notification: ProviderNotification, opts: { now: Date; causationId: string }): Promise<{ outcome: string; placedAt?: string }>;
}
