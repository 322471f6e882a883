// The payment sandbox's wire formats: how each provider signs what it sends (answers
// and callbacks) and how it checks what the merchant signs, following the real APIs.
// Pure functions over the credentials of `.oms/local.json` `providers`.
import { createCipheriv, createHmac, createSign, createVerify, randomBytes, randomUUID } from 'node:crypto';
import type { ProviderCredentials } from './handshake';

export type Provider = 'stripe' | 'alipay' | 'wechatpay';

/** A callback as sent: where, the headers and the exact body. */
export interface SignedCallback {
  headers: Record<string, string>;
  body: string;
}

// --- Stripe ----------------------------------------------------------------------------

/** `Stripe-Signature: t=<unix>,v1=<HMAC-SHA256 of "<t>.<body>" with the webhook secret>`. */
export function stripeSignature(body: string, webhookSecret: string, at = new Date()): string {
  const t = Math.floor(at.getTime() / 1000);
  const v1 = createHmac('sha256', webhookSecret).update(`${t}.${body}`, 'utf8').digest('hex');
  return `t=${t},v1=${v1}`;
}

export function stripeEvent(type: string, object: unknown, at = new Date()) {
  return {
    id: `evt_${randomBytes(12).toString('hex')}`,
    object: 'event',
    api_version: '2025-01-27.acacia',
    created: Math.floor(at.getTime() / 1000),
    type,
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    data: { object },
  };
}

export function signStripeCallback(event: unknown, c: ProviderCredentials): SignedCallback {
  const body = JSON.stringify(event, null, 2);
  return { headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': stripeSignature(body, c.stripe.webhookSecret) }, body };
}

// --- Alipay ----------------------------------------------------------------------------

/** Parameters sorted by name, `k=v` joined by `&`, leaving out `sign` (and `sign_type` for notifies) and empty values. */
export function alipaySignContent(params: Record<string, string>, opts: { withSignType: boolean }): string {
  return Object.keys(params)
    .filter((k) => k !== 'sign' && (opts.withSignType || k !== 'sign_type') && params[k] !== '' && params[k] !== undefined)
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join('&');
}

export const rsa2Sign = (content: string, privateKeyPem: string) => createSign('RSA-SHA256').update(content, 'utf8').sign(privateKeyPem, 'base64');
export const rsa2Verify = (content: string, signature: string, publicKeyPem: string) => {
  try {
    return createVerify('RSA-SHA256').update(content, 'utf8').verify(publicKeyPem, signature, 'base64');
  } catch {
    return false;
  }
};

/** A merchant request to the gateway: signed over every parameter but `sign` (sign_type included), with the app key. */
export function alipayRequestSigned(params: Record<string, string>, c: ProviderCredentials): boolean {
  if (params.app_id !== c.alipay.appId || params.sign_type !== 'RSA2' || !params.sign) return false;
  return rsa2Verify(alipaySignContent(params, { withSignType: true }), params.sign, c.alipay.appPublicKeyPem);
}

/** `yyyy-MM-dd HH:mm:ss` in China time, as Alipay writes times. */
export function alipayTime(at = new Date()): string {
  return new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}

/** A gateway answer: `{ "<method>_response": {...}, "sign": RSA2 of the exact JSON text of the response value }`. */
export function alipayAnswer(method: string, response: Record<string, unknown>, c: ProviderCredentials): string {
  const key = `${method.replace(/\./g, '_')}_response`;
  const text = JSON.stringify(response);
  return `{"${key}":${text},"sign":"${rsa2Sign(text, c.alipay.alipayPrivateKeyPem)}"}`;
}

/** A form notify signed over every parameter but `sign` and `sign_type`, with Alipay's key. */
export function signAlipayCallback(params: Record<string, string>, c: ProviderCredentials): SignedCallback {
  const sign = rsa2Sign(alipaySignContent(params, { withSignType: false }), c.alipay.alipayPrivateKeyPem);
  return {
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: new URLSearchParams({ ...params, sign }).toString(),
  };
}

/** Integer minor units -> Alipay's decimal yuan string ("12.34"). */
export const yuan = (minor: number) => (minor / 100).toFixed(2);
/** Alipay's decimal yuan string -> integer minor units, or undefined when it is not one. */
export const fen = (s: string | undefined) => (s && /^\d{1,9}(\.\d{1,2})?$/.test(s) ? Math.round(Number(s) * 100) : undefined);

// --- WeChat Pay v3 ---------------------------------------------------------------------

const lines = (...parts: string[]) => parts.map((p) => `${p}\n`).join('');

/** The merchant's `Authorization: WECHATPAY2-SHA256-RSA2048 k="v",...` header, parsed. */
export function parseWechatAuthorization(header: string | undefined): Record<string, string> | undefined {
  const m = /^WECHATPAY2-SHA256-RSA2048 (.+)$/.exec(header ?? '');
  if (!m) return undefined;
  return Object.fromEntries([...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1]!, x[2]!]));
}

/**
 * Checks a merchant request: mchid and serial are the merchant's, the timestamp is within
 * five minutes, and the signature over `METHOD\nPATH?QUERY\ntimestamp\nnonce\nbody\n`
 * verifies with the merchant's public key. Returns why not, or undefined when it passes.
 */
export function wechatRequestProblem(
  method: string,
  paths: string[],
  body: string,
  header: string | undefined,
  c: ProviderCredentials,
  now = new Date(),
): string | undefined {
  const a = parseWechatAuthorization(header);
  if (!a) return 'Authorization is not WECHATPAY2-SHA256-RSA2048';
  if (a.mchid !== c.wechatpay.mchid) return `mchid ${a.mchid} is not the merchant's`;
  if (a.serial_no !== c.wechatpay.merchantSerial) return `serial_no ${a.serial_no} is not the merchant certificate's`;
  if (Math.abs(Math.floor(now.getTime() / 1000) - Number(a.timestamp)) > 300) return 'timestamp is more than 5 minutes away';
  const ok = paths.some((p) => rsa2Verify(lines(method, p, a.timestamp!, a.nonce_str!, body), a.signature ?? '', c.wechatpay.merchantPublicKeyPem));
  return ok ? undefined : 'signature does not verify with the merchant certificate';
}

/** The `Wechatpay-*` headers of an answer or callback: SHA256withRSA over `timestamp\nnonce\nbody\n` with the platform key. */
export function wechatSignatureHeaders(body: string, c: ProviderCredentials, at = new Date()): Record<string, string> {
  const timestamp = String(Math.floor(at.getTime() / 1000));
  const nonce = randomBytes(16).toString('hex');
  return {
    'wechatpay-timestamp': timestamp,
    'wechatpay-nonce': nonce,
    'wechatpay-signature': rsa2Sign(lines(timestamp, nonce, body), c.wechatpay.platformPrivateKeyPem),
    'wechatpay-serial': c.wechatpay.platformSerial,
    'wechatpay-signature-type': 'WECHATPAY2-SHA256-RSA2048',
  };
}

/** `yyyy-MM-ddTHH:mm:ss+08:00`, as WeChat Pay writes times. */
export const wechatTime = (at = new Date()) => `${new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 19)}+08:00`;

/** A notification envelope: the resource AES-256-GCM encrypted under the APIv3 key. */
export function wechatNotification(eventType: string, summary: string, originalType: 'transaction' | 'refund', resource: unknown, c: ProviderCredentials, at = new Date()) {
  const nonce = randomBytes(6).toString('hex');
  const associatedData = originalType;
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(c.wechatpay.apiV3Key, 'utf8'), Buffer.from(nonce, 'utf8'));
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(resource), 'utf8'), cipher.final(), cipher.getAuthTag()]).toString('base64');
  return {
    id: randomUUID(),
    create_time: wechatTime(at),
    resource_type: 'encrypt-resource',
    event_type: eventType,
    summary,
    resource: { original_type: originalType, algorithm: 'AEAD_AES_256_GCM', ciphertext, associated_data: associatedData, nonce },
  };
}

export function signWechatCallback(notification: unknown, c: ProviderCredentials): SignedCallback {
  const body = JSON.stringify(notification);
  return { headers: { 'content-type': 'application/json', ...wechatSignatureHeaders(body, c) }, body };
}
