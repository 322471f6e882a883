import { createDecipheriv, createSign, createVerify, randomBytes } from 'node:crypto';
import * as z from 'zod';
import type {
  CallbackReply, CancelResult, CreatePaymentInput, CreatePaymentResult, PaymentProviderAdapter, PaymentStatusReport,
  ProviderNotification, RawCallback, RefundInput, RefundResult, VerifyResult,
} from '../port';
import {
  callbackShaped, integerMinor, lazyCredentials, MalformedCallbackError, parseJson, privateKey, ProviderCallError, publicKey, send, shaped, type AdapterOptions,
} from './common';
import { lazySchema } from '../../domain/lazy-schema';

// WeChat Pay API v3 (Native QR). Requests carry `Authorization: WECHATPAY2-SHA256-RSA2048 ...`
// signed with the merchant key over `METHOD\nPATH?QUERY\nTIMESTAMP\nNONCE\nBODY\n`;
// responses and notifications carry Wechatpay-Timestamp/-Nonce/-Signature/-Serial, signed
// with the platform key over `TIMESTAMP\nNONCE\nBODY\n`. Notification resources are
// AES-256-GCM encrypted with the APIv3 key.

export interface WechatPayCredentials {
  mchid: string;
  appid: string;
  merchantSerial: string;
  merchantPrivateKeyPem: string;
  /** 32 bytes (ASCII) set in the merchant console */
  apiV3Key: string;
  platformSerial: string;
  platformPublicKeyPem: string;
}

/** WeChat Pay's own limit on clock skew between its timestamp and ours. */
export const WECHATPAY_MAX_SKEW_SECONDS = 300;
/** Signatures WeChat Pay sends on purpose to check that merchants verify them. */
export const WECHATPAY_PROBE_PREFIX = 'WECHATPAY/SIGNTEST/';

// What we read of WeChat Pay's messages (other fields pass through untouched).
const Amount = lazySchema(() =>
  z.looseObject({ total: z.int().min(0).optional(), refund: z.int().min(0).optional(), currency: z.string().optional() }),
);
const Envelope = lazySchema(() =>
  z.looseObject({
    id: z.string().min(1),
    event_type: z.string(),
    create_time: z.string().optional(),
    resource: z.looseObject({ ciphertext: z.string(), nonce: z.string(), associated_data: z.string().optional() }),
  }),
);
const Resource = lazySchema(() =>
  z.looseObject({
    out_trade_no: z.string().min(1),
    appid: z.string().optional(),
    mchid: z.string().optional(),
    transaction_id: z.string().optional(),
    trade_state: z.string().optional(),
    out_refund_no: z.string().optional(),
    refund_id: z.string().optional(),
    refund_status: z.string().optional(),
    success_time: z.string().optional(),
    amount: Amount.optional(),
  }),
);
const Notification = lazySchema(() =>
  z.object({ id: z.string(), event_type: z.string(), create_time: z.string().optional(), resource: Resource }),
);
const Answer = lazySchema(() =>
  z.looseObject({
    code: z.string().optional(),
    message: z.string().optional(),
    code_url: z.string().optional(),
    trade_state: z.string().optional(),
    transaction_id: z.string().optional(),
    amount: Amount.optional(),
    refund_id: z.string().optional(),
    status: z.string().optional(),
  }),
);
type Answer = z.infer<typeof Answer>;

const TRADE_STATE: Record<string, PaymentStatusReport['status']> = {
  SUCCESS: 'SUCCEEDED', REFUND: 'SUCCEEDED', NOTPAY: 'PENDING', USERPAYING: 'PENDING', ACCEPT: 'PENDING',
  CLOSED: 'CANCELLED', REVOKED: 'CANCELLED', PAYERROR: 'FAILED',
};
const REFUND_STATUS: Record<string, RefundResult['status']> = {
  PROCESSING: 'PENDING', SUCCESS: 'SUCCEEDED', ABNORMAL: 'FAILED', CLOSED: 'FAILED',
};

export const wechatpayMessage = (...lines: string[]) => lines.map((l) => `${l}\n`).join('');

/** AES-256-GCM as WeChat Pay uses it: base64(ciphertext || 16-byte tag), nonce and AAD as UTF-8 text. */
export function decryptResource(resource: { ciphertext: string; nonce: string; associated_data?: string }, apiV3Key: string): string {
  const data = Buffer.from(resource.ciphertext, 'base64');
  if (data.length < 17) throw new Error('ciphertext too short');
  const decipher = createDecipheriv('aes-256-gcm', Buffer.from(apiV3Key, 'utf8'), Buffer.from(resource.nonce, 'utf8'));
  decipher.setAuthTag(data.subarray(data.length - 16));
  decipher.setAAD(Buffer.from(resource.associated_data ?? '', 'utf8'));
  return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]).toString('utf8');
}

type Signed = { timestamp?: string | null; nonce?: string | null; signature?: string | null; serial?: string | null };

export function wechatpayAdapter(opts: AdapterOptions<WechatPayCredentials>): PaymentProviderAdapter {
  const credentials = lazyCredentials(opts.credentials);
  const now = opts.now ?? (() => new Date());
  const base = opts.baseUrl.replace(/\/+$/, '');

  /** Checks a platform signature (notification or response). */
  async function checkSignature(h: Signed, body: Buffer | string): Promise<VerifyResult | undefined> {
    if (!h.timestamp || !h.nonce || !h.signature || !h.serial) return { ok: false, reason: 'malformed', detail: 'Wechatpay-* signature headers missing' };
    if (h.signature.startsWith(WECHATPAY_PROBE_PREFIX) || h.serial.startsWith(WECHATPAY_PROBE_PREFIX)) {
      return { ok: false, reason: 'probe', detail: 'signature probe' };
    }
    if (!/^\d+$/.test(h.timestamp)) return { ok: false, reason: 'malformed', detail: 'Wechatpay-Timestamp is not a number' };
    const skew = Math.abs(Math.floor(now().getTime() / 1000) - Number(h.timestamp));
    if (skew > WECHATPAY_MAX_SKEW_SECONDS) return { ok: false, reason: 'stale', detail: `timestamp ${skew} s away from our clock` };
    const c = await credentials();
    if (h.serial !== c.platformSerial) return { ok: false, reason: 'unknown-key', detail: `unknown platform serial ${h.serial}` };
    const verifier = createVerify('RSA-SHA256').update(`${h.timestamp}\n${h.nonce}\n`).update(body).update('\n');
    if (!verifier.verify(publicKey(c.platformPublicKeyPem), h.signature, 'base64')) {
      return { ok: false, reason: 'bad-signature', detail: 'SHA256withRSA signature does not verify' };
    }
    return undefined;
  }

  async function call(method: 'GET' | 'POST', pathAndQuery: string, payload?: unknown): Promise<{ status: number; json: Answer }> {
    const c = await credentials();
    const body = payload === undefined ? '' : JSON.stringify(payload);
    const timestamp = String(Math.floor(now().getTime() / 1000));
    const nonce = randomBytes(16).toString('hex');
    const signature = createSign('RSA-SHA256')
      .update(wechatpayMessage(method, pathAndQuery, timestamp, nonce, body), 'utf8')
      .sign(privateKey(c.merchantPrivateKeyPem), 'base64');
    const authorization = `WECHATPAY2-SHA256-RSA2048 mchid="${c.mchid}",nonce_str="${nonce}",signature="${signature}",timestamp="${timestamp}",serial_no="${c.merchantSerial}"`;
    const res = await send('wechatpay', `${base}${pathAndQuery}`, {
      method,
      headers: { authorization, accept: 'application/json', ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(payload === undefined ? {} : { body }),
    });
    if (res.status >= 500) throw new ProviderCallError('wechatpay', `${method} ${pathAndQuery.split('?')[0]} answered ${res.status}`, res.status, res.text.slice(0, 300));
    const bad = await checkSignature({
      timestamp: res.headers.get('wechatpay-timestamp'), nonce: res.headers.get('wechatpay-nonce'),
      signature: res.headers.get('wechatpay-signature'), serial: res.headers.get('wechatpay-serial'),
    }, res.text);
    if (bad && !bad.ok) throw new ProviderCallError('wechatpay', `answer refused: ${bad.detail}`, res.status);
    return { status: res.status, json: shaped('wechatpay', 'answer', Answer, res.text ? parseJson('wechatpay', res.text) : {}) };
  }

  const refuse = (what: string, r: { status: number; json: Answer }) =>
    new ProviderCallError('wechatpay', `${what} answered ${r.status} ${r.json.code ?? ''} ${r.json.message ?? ''}`.trim(), r.status);

  return {
    provider: 'wechatpay',

    async create(input: CreatePaymentInput): Promise<CreatePaymentResult> {
      const c = await credentials();
      const r = await call('POST', '/v3/pay/transactions/native', {
        appid: c.appid,
        mchid: c.mchid,
        description: input.description,
        out_trade_no: input.paymentId,
        notify_url: input.notifyUrl,
        amount: { total: input.amount.amount, currency: input.amount.currency },
      });
      if (r.status >= 300 || !r.json.code_url) throw refuse('native order', r);
      return { nextAction: { type: 'qr', qrCode: r.json.code_url, url: r.json.code_url } };
    },

    async verifyCallback(raw: RawCallback): Promise<VerifyResult> {
      const h = raw.headers;
      const bad = await checkSignature({
        timestamp: h['wechatpay-timestamp'], nonce: h['wechatpay-nonce'], signature: h['wechatpay-signature'], serial: h['wechatpay-serial'],
      }, raw.body);
      if (bad) return bad;
      let envelope: z.infer<typeof Envelope>;
      try {
        envelope = Envelope.parse(JSON.parse(raw.body.toString('utf8')));
      } catch {
        return { ok: false, reason: 'malformed', detail: 'body is not a notification with an encrypted resource' };
      }
      try {
        const { apiV3Key } = await credentials();
        const plain: unknown = JSON.parse(decryptResource(envelope.resource, apiV3Key));
        return { ok: true, payload: { id: envelope.id, event_type: envelope.event_type, create_time: envelope.create_time, resource: plain } };
      } catch {
        return { ok: false, reason: 'bad-signature', detail: 'resource does not decrypt with the APIv3 key' };
      }
    },

    normalize(payload: unknown): ProviderNotification[] {
      const p = callbackShaped('a WeChat Pay notification', Notification, payload);
      const r = p.resource;
      const occurredAt = new Date(r.success_time ?? p.create_time ?? '');
      if (Number.isNaN(occurredAt.getTime())) throw new MalformedCallbackError('notification without a time');
      const common = {
        provider: 'wechatpay' as const,
        eventKey: p.id,
        paymentId: r.out_trade_no,
        occurredAt: occurredAt.toISOString(),
        providerEventType: p.event_type,
        merchant: { ...(r.appid ? { appId: r.appid } : {}), ...(r.mchid ? { merchantId: r.mchid } : {}) },
      };
      if (p.event_type.startsWith('TRANSACTION.')) {
        const status = TRADE_STATE[String(r.trade_state)];
        if (!status || status === 'PENDING') return [];
        return [{
          ...common, kind: 'payment', status,
          ...(r.transaction_id ? { providerRef: r.transaction_id } : {}),
          ...(status === 'SUCCEEDED' ? { amount: { amount: integerMinor(r.amount?.total), currency: r.amount?.currency ?? 'CNY' } } : {}),
        }];
      }
      if (p.event_type.startsWith('REFUND.')) {
        const status = REFUND_STATUS[String(r.refund_status ?? p.event_type.slice('REFUND.'.length))];
        if (!status || !r.out_refund_no) return [];
        return [{
          ...common, kind: 'refund', refundId: r.out_refund_no, status,
          ...(r.refund_id ? { providerRef: r.refund_id } : {}),
          ...(r.amount?.refund !== undefined ? { amount: { amount: r.amount.refund, currency: r.amount.currency ?? 'CNY' } } : {}),
        }];
      }
      return [];
    },

    reply(outcome, message): CallbackReply {
      return outcome === 'accepted'
        ? { statusCode: 204, headers: {}, body: '' }
        : { statusCode: 400, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: 'FAIL', message: message ?? '失败' }) };
    },

    async refund(input: RefundInput): Promise<RefundResult> {
      const r = await call('POST', '/v3/refund/domestic/refunds', {
        out_trade_no: input.paymentId,
        out_refund_no: input.refundId,
        reason: input.reason,
        notify_url: input.notifyUrl,
        amount: { refund: input.amount.amount, total: input.captured.amount, currency: input.amount.currency },
      });
      const status = REFUND_STATUS[String(r.json.status)];
      if (r.status >= 300 || !status) throw refuse('refund', r);
      return { status, ...(r.json.refund_id ? { providerRefundRef: r.json.refund_id } : {}) };
    },

    async retrieve(input): Promise<PaymentStatusReport> {
      const c = await credentials();
      const r = await call('GET', `/v3/pay/transactions/out-trade-no/${encodeURIComponent(input.paymentId)}?mchid=${encodeURIComponent(c.mchid)}`);
      if (r.status === 404 && r.json.code === 'ORDER_NOT_EXIST') return { status: 'PENDING' };
      const status = TRADE_STATE[String(r.json.trade_state)];
      if (r.status >= 300 || !status) throw refuse('query', r);
      const total = r.json.amount?.total;
      return {
        status,
        ...(r.json.transaction_id ? { providerRef: r.json.transaction_id } : {}),
        ...(total !== undefined ? { amount: { amount: total, currency: r.json.amount?.currency ?? 'CNY' } } : {}),
      };
    },

    async cancel(input): Promise<CancelResult> {
      const c = await credentials();
      const r = await call('POST', `/v3/pay/transactions/out-trade-no/${encodeURIComponent(input.paymentId)}/close`, { mchid: c.mchid });
      if (r.status === 204 || r.json.code === 'ORDER_CLOSED') return { status: 'CANCELLED' };
      if (r.json.code === 'ORDERPAID') return { status: 'ALREADY_FINAL' };
      if (r.status >= 300) throw refuse('close', r);
      return { status: 'UNKNOWN' };
    },
  };
}
