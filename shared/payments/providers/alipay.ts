import { createSign, createVerify } from 'node:crypto';
import * as z from 'zod';
import type {
  CallbackReply, CancelResult, CreatePaymentInput, CreatePaymentResult, PaymentProviderAdapter, PaymentStatusReport,
  ProviderNotification, RawCallback, RefundInput, RefundResult, VerifyResult,
} from '../port';
import {
  callbackShaped, decimalToMinor, lazyCredentials, MalformedCallbackError, minorToDecimal, parseJson, privateKey, ProviderCallError,
  publicKey, requireCurrency, send, shaped, type AdapterOptions,
} from './common';
import { lazySchema } from '../../domain/lazy-schema';

// Alipay (open platform, RSA2): requests and notifications are signed with
// SHA256withRSA over the parameters sorted by name as `k=v` joined by `&`, leaving
// out `sign`. A request's string keeps `sign_type` and drops empty values; a
// notification's leaves `sign_type` out too. Our requests are signed with the app
// private key; notifications and API responses by Alipay's key.

export interface AlipayCredentials {
  appId: string;
  /** our seller (partner) id, 2088...: who notifications must say was paid */
  sellerId: string;
  appPrivateKeyPem: string;
  alipayPublicKeyPem: string;
}

const CURRENCY = 'CNY';

/**
 * The string that is signed: parameters sorted by name, `k=v` joined by `&`, without
 * `sign`; a notification's also without `sign_type`, a request's without empty values.
 */
export function alipaySigningString(params: Readonly<Record<string, string>>, kind: 'request' | 'notification'): string {
  const request = kind === 'request';
  return Object.keys(params)
    .filter((k) => k !== 'sign' && (request || k !== 'sign_type') && !(request && params[k] === ''))
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join('&');
}

/** Alipay's clock: `yyyy-MM-dd HH:mm:ss` in China Standard Time (+08:00). */
export function alipayTimestamp(at: Date): string {
  return new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}

/** `yyyy-MM-dd HH:mm:ss[.SSS]` (+08:00) -> ISO 8601 with its offset. */
function fromAlipayTime(value: string | undefined): string | undefined {
  // refund times carry milliseconds (`2026-11-30 19:10:00.123`)
  if (!value || !/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,3})?$/.test(value)) return undefined;
  return `${value.replace(' ', 'T')}+08:00`;
}

/**
 * The exact text of `"<key>": {...}` in a response body: Alipay signs those bytes,
 * so the object is cut out of the text (strings and nesting respected), never re-serialized.
 */
export function extractSignedObject(text: string, key: string): string | undefined {
  const at = text.indexOf(`"${key}"`);
  if (at < 0) return undefined;
  const start = text.indexOf('{', at + key.length + 2);
  if (start < 0) return undefined;
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return text.slice(start, i + 1);
  }
  return undefined;
}

// What we read of Alipay's answers (other fields pass through untouched).
const Signed = lazySchema(() =>
  z.looseObject({ sign: z.string().min(1) }),
);
const Answer = lazySchema(() =>
  z.looseObject({
    code: z.string(),
    msg: z.string().optional(),
    sub_code: z.string().optional(),
    trade_no: z.string().optional(),
    trade_status: z.string().optional(),
    total_amount: z.string().optional(),
  }),
);
type Answer = z.infer<typeof Answer>;
/** A trade notification (form fields; the ones we read named, every other kept as text). */
const Notify = lazySchema(() =>
  z.looseObject({
    notify_id: z.string().min(1),
    trade_status: z.string().min(1),
    out_trade_no: z.string().min(1),
    trade_no: z.string().optional(),
    app_id: z.string().optional(),
    seller_id: z.string().optional(),
    total_amount: z.string().optional(),
    refund_fee: z.string().optional(),
    out_biz_no: z.string().optional(),
    gmt_payment: z.string().optional(),
    gmt_refund: z.string().optional(),
    gmt_close: z.string().optional(),
    notify_time: z.string().optional(),
  }),
);

const TRADE_STATUS: Record<string, PaymentStatusReport['status']> = {
  WAIT_BUYER_PAY: 'PENDING', TRADE_SUCCESS: 'SUCCEEDED', TRADE_FINISHED: 'SUCCEEDED', TRADE_CLOSED: 'CANCELLED',
};

export function alipayAdapter(opts: AdapterOptions<AlipayCredentials>): PaymentProviderAdapter {
  const credentials = lazyCredentials(opts.credentials);
  const now = opts.now ?? (() => new Date());
  const gateway = opts.baseUrl;

  async function signedParams(method: string, biz: Record<string, unknown>, extra: Record<string, string> = {}): Promise<Record<string, string>> {
    const c = await credentials();
    const params: Record<string, string> = {
      app_id: c.appId, method, format: 'JSON', charset: 'utf-8', sign_type: 'RSA2',
      timestamp: alipayTimestamp(now()), version: '1.0', ...extra, biz_content: JSON.stringify(biz),
    };
    params.sign = createSign('RSA-SHA256').update(alipaySigningString(params, 'request'), 'utf8').sign(privateKey(c.appPrivateKeyPem), 'base64');
    return params;
  }

  /** POSTs a signed request; returns the `<method>_response` object once Alipay's signature over its exact text verifies. */
  async function call(method: string, biz: Record<string, unknown>): Promise<Answer> {
    const params = await signedParams(method, biz);
    const res = await send('alipay', `${gateway}?charset=utf-8`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8', accept: 'application/json' },
      body: new URLSearchParams(params).toString(),
    });
    if (res.status >= 300) throw new ProviderCallError('alipay', `${method} answered ${res.status}`, res.status, res.text.slice(0, 300));
    const key = `${method.replace(/\./g, '_')}_response`;
    const signed = extractSignedObject(res.text, key);
    if (!signed) throw new ProviderCallError('alipay', `${method}: no ${key} in the answer`, res.status, res.text.slice(0, 300));
    const { sign } = shaped('alipay', 'signed answer', Signed, parseJson('alipay', res.text));
    const { alipayPublicKeyPem } = await credentials();
    if (!createVerify('RSA-SHA256').update(signed, 'utf8').verify(publicKey(alipayPublicKeyPem), sign, 'base64')) {
      throw new ProviderCallError('alipay', `${method}: the answer's signature does not verify`);
    }
    return shaped('alipay', key, Answer, parseJson('alipay', signed));
  }

  return {
    provider: 'alipay',

    async create(input: CreatePaymentInput): Promise<CreatePaymentResult> {
      requireCurrency(input.amount, CURRENCY, 'alipay');
      const params = await signedParams('alipay.trade.page.pay', {
        out_trade_no: input.paymentId,
        total_amount: minorToDecimal(input.amount.amount),
        subject: input.description,
        product_code: 'FAST_INSTANT_TRADE_PAY',
      }, { notify_url: input.notifyUrl });
      const sep = gateway.includes('?') ? '&' : '?';
      return { nextAction: { type: 'redirect', url: `${gateway}${sep}${new URLSearchParams(params).toString()}` } };
    },

    async verifyCallback(raw: RawCallback): Promise<VerifyResult> {
      const params = Object.fromEntries(new URLSearchParams(raw.body.toString('utf8')));
      if (!params.sign) return { ok: false, reason: 'malformed', detail: 'no sign parameter' };
      if (params.sign_type !== 'RSA2') return { ok: false, reason: 'bad-signature', detail: `sign_type ${params.sign_type ?? '(none)'} is not RSA2` };
      const { alipayPublicKeyPem } = await credentials();
      const valid = createVerify('RSA-SHA256').update(alipaySigningString(params, 'notification'), 'utf8').verify(publicKey(alipayPublicKeyPem), params.sign, 'base64');
      return valid ? { ok: true, payload: params } : { ok: false, reason: 'bad-signature', detail: 'RSA2 signature does not verify' };
    },

    normalize(payload: unknown): ProviderNotification[] {
      const p = callbackShaped('an Alipay trade notification', Notify, payload);
      const refunded = p.refund_fee !== undefined && p.refund_fee !== '' && decimalToMinor(p.refund_fee) > 0;
      const common = {
        provider: 'alipay' as const,
        // notify_id stays the same across Alipay's retries of one notification
        eventKey: `${p.notify_id}|${p.trade_status}|${p.refund_fee ?? ''}`,
        paymentId: p.out_trade_no,
        ...(p.trade_no ? { providerRef: p.trade_no } : {}),
        merchant: { ...(p.app_id ? { appId: p.app_id } : {}), ...(p.seller_id ? { merchantId: p.seller_id } : {}) },
        providerEventType: p.trade_status,
      };
      if (refunded) {
        // a refund notification: refund_fee is the trade's total refunded so far, not this refund's amount
        if (!p.out_biz_no) return [];
        const occurredAt = fromAlipayTime(p.gmt_refund) ?? fromAlipayTime(p.notify_time);
        if (!occurredAt) throw new MalformedCallbackError('refund notification without gmt_refund / notify_time');
        return [{ ...common, kind: 'refund', refundId: p.out_biz_no, status: 'SUCCEEDED', occurredAt }];
      }
      const status = TRADE_STATUS[p.trade_status];
      if (!status || status === 'PENDING') return [];
      const occurredAt = fromAlipayTime(status === 'SUCCEEDED' ? p.gmt_payment : p.gmt_close) ?? fromAlipayTime(p.notify_time);
      if (!occurredAt) throw new MalformedCallbackError('notification without gmt_payment / notify_time');
      return [{
        ...common, kind: 'payment', status, occurredAt,
        ...(status === 'SUCCEEDED' ? { amount: { amount: decimalToMinor(p.total_amount), currency: CURRENCY } } : {}),
      }];
    },

    reply(outcome): CallbackReply {
      return outcome === 'accepted'
        ? { statusCode: 200, headers: { 'content-type': 'text/plain' }, body: 'success' }
        : { statusCode: 400, headers: { 'content-type': 'text/plain' }, body: 'fail' };
    },

    async refund(input: RefundInput): Promise<RefundResult> {
      requireCurrency(input.amount, CURRENCY, 'alipay');
      const r = await call('alipay.trade.refund', {
        out_trade_no: input.paymentId,
        refund_amount: minorToDecimal(input.amount.amount),
        out_request_no: input.refundId,
        refund_reason: input.reason,
      });
      // Alipay refunds synchronously: 10000 is done (fund_change N = this out_request_no was refunded before)
      if (r.code === '10000') return { status: 'SUCCEEDED', ...(r.trade_no ? { providerRefundRef: `${r.trade_no}:${input.refundId}` } : {}) };
      if (r.code === '20000' || r.sub_code === 'ACQ.SYSTEM_ERROR') throw new ProviderCallError('alipay', `refund not processed (${r.code} ${r.sub_code ?? ''}); retry`);
      return { status: 'FAILED' };
    },

    async retrieve(input): Promise<PaymentStatusReport> {
      const r = await call('alipay.trade.query', { out_trade_no: input.paymentId });
      if (r.code !== '10000') {
        // no trade yet: the payer has not reached Alipay's cashier
        if (r.sub_code === 'ACQ.TRADE_NOT_EXIST') return { status: 'PENDING' };
        throw new ProviderCallError('alipay', `query failed (${r.code} ${r.sub_code ?? ''})`);
      }
      const status = TRADE_STATUS[String(r.trade_status)];
      if (!status) throw new ProviderCallError('alipay', `unknown trade_status ${r.trade_status}`);
      return {
        status,
        ...(r.trade_no ? { providerRef: r.trade_no } : {}),
        ...(r.total_amount ? { amount: { amount: decimalToMinor(r.total_amount), currency: CURRENCY } } : {}),
      };
    },

    async cancel(input): Promise<CancelResult> {
      const r = await call('alipay.trade.close', { out_trade_no: input.paymentId });
      if (r.code === '10000') return { status: 'CANCELLED' };
      // the payer never reached Alipay's cashier: there is no trade to pay, and none will be made from a closed page
      if (r.sub_code === 'ACQ.TRADE_NOT_EXIST') return { status: 'CANCELLED' };
      // paid, or closed before
      if (r.sub_code === 'ACQ.TRADE_STATUS_ERROR') return { status: 'ALREADY_FINAL' };
      if (r.code === '20000' || r.sub_code === 'ACQ.SYSTEM_ERROR') throw new ProviderCallError('alipay', `close not processed (${r.code} ${r.sub_code ?? ''}); retry`);
      return { status: 'UNKNOWN' };
    },
  };
}
