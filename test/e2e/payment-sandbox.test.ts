import { AlipaySdk } from 'alipay-sdk';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { Aes, Formatter, Rsa } from 'wechatpay-axios-plugin';
import { apiUrl } from './client';

/** Retries an assertion until it passes (callbacks arrive asynchronously) and returns its value. */
async function until<T>(check: () => Promise<T>, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > end) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
const jsonOf = async (res: Response) => (await res.json()) as any;

// The payment sandbox as the adapters and a payer meet it: each provider's API subset
// answers per the payments contract, with the merchant's signatures checked and the
// provider's own signatures on answers and callbacks, which the providers' official
// packages accept. Alipay and WeChat Pay call back to the notify_url the merchant sent
// (here a receiver in the test); Stripe calls the one webhook endpoint of the gateway.

const creds = () => inject('providers');
const sandbox = (path: string) => `${apiUrl()}/_sandbox${path}`;

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}
const received: Received[] = [];
/** Paths whose next N callbacks are refused with a 500 (the sandbox must retry). */
const refuseNext = new Map<string, number>();
let receiver: Server;
let receiverUrl: string;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const refuse = refuseNext.get(path) ?? 0;
      if (refuse > 0) {
        refuseNext.set(path, refuse - 1);
        res.writeHead(500).end('busy');
      } else if (path.startsWith('/alipay')) res.writeHead(200, { 'content-type': 'text/plain' }).end('success');
      else res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => receiver?.close(r));
});

const callbacksOf = async (paymentId: string) => (await (await fetch(`${apiUrl()}/_local/sandbox/callbacks?paymentId=${paymentId}`)).json()) as any[];
const replay = (paymentId: string, n: number, times = 1) =>
  fetch(`${apiUrl()}/_local/sandbox/payments/${paymentId}/callbacks/${n}/replay?times=${times}`, { method: 'POST' });
const decide = (url: string, outcome: string) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ outcome }) });

describe('Stripe sandbox', () => {
  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
  const post = (path: string, fields: Record<string, string>, key = creds().stripe.secretKey, idem: string = randomUUID()) =>
    fetch(sandbox(`/stripe${path}`), {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-www-form-urlencoded', 'idempotency-key': idem },
      body: form(fields),
    });
  const paymentId = `pay_${randomUUID()}`;
  const stripe = new Stripe('sk_test_unused');

  it('refuses a call without the secret key', async () => {
    const res = await post('/v1/payment_intents', { amount: '1234', currency: 'cny', 'metadata[paymentId]': paymentId }, 'sk_test_wrong');
    expect(res.status).toBe(401);
    expect((await jsonOf(res)).error.type).toBe('invalid_request_error');
  });

  it('creates a PaymentIntent with its pay page, once per Idempotency-Key, and sends a signed payment_intent.succeeded when paid', async () => {
    const fields = { amount: '1234', currency: 'cny', 'metadata[paymentId]': paymentId, 'metadata[orderId]': 'ord_1', 'automatic_payment_methods[enabled]': 'true' };
    const res = await post('/v1/payment_intents', fields, undefined, `create-${paymentId}`);
    expect(res.status).toBe(200);
    const pi = await jsonOf(res);
    expect(pi).toMatchObject({ object: 'payment_intent', amount: 1234, currency: 'cny', status: 'requires_action', metadata: { paymentId, orderId: 'ord_1' } });
    expect(pi.id).toMatch(/^pi_/);
    expect(pi.client_secret).toMatch(new RegExp(`^${pi.id}_secret_`));
    const again = await jsonOf(await post('/v1/payment_intents', fields, undefined, `create-${paymentId}`));
    expect(again.id).toBe(pi.id);

    const payUrl: string = pi.next_action.redirect_to_url.url;
    const page = await fetch(payUrl);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain('12.34 CNY');
    expect(html).toMatch(/value="succeed"[\s\S]*value="fail"[\s\S]*value="abandon"/);

    expect((await decide(payUrl, 'sometimes')).status).toBe(400);
    expect((await decide(payUrl, 'succeed')).status).toBe(200);
    expect((await decide(payUrl, 'fail')).status).toBe(409);

    const retrieved = await jsonOf(await fetch(sandbox(`/stripe/v1/payment_intents/${pi.id}`), { headers: { authorization: `Bearer ${creds().stripe.secretKey}` } }));
    expect(retrieved.status).toBe('succeeded');

    // Sent to the gateway's webhook route; the signature is what Stripe's own library checks.
    const [cb] = await callbacksOf(paymentId);
    expect(cb.url).toBe(`${apiUrl()}/webhooks/payments/stripe`);
    const event = stripe.webhooks.constructEvent(cb.sent.body, cb.sent.headers['stripe-signature'], creds().stripe.webhookSecret);
    expect(event.type).toBe('payment_intent.succeeded');
    expect((event.data.object as Stripe.PaymentIntent).metadata.paymentId).toBe(paymentId);
    expect(() => stripe.webhooks.constructEvent(cb.sent.body, cb.sent.headers['stripe-signature'], 'whsec_other')).toThrow();
  });

  it('refunds what was paid and no more, then sends refund.updated', async () => {
    const [{ sent }] = await callbacksOf(paymentId);
    const pi = JSON.parse(sent.body).data.object;
    const tooMuch = await post('/v1/refunds', { payment_intent: pi.id, amount: '2000' });
    expect(tooMuch.status).toBe(400);
    const res = await post('/v1/refunds', { payment_intent: pi.id, amount: '234', 'metadata[refundId]': 'ref_1', 'metadata[paymentId]': paymentId });
    expect(res.status).toBe(200);
    expect(await jsonOf(res)).toMatchObject({ object: 'refund', amount: 234, status: 'pending', metadata: { refundId: 'ref_1', paymentId } });
    const refundCb = await until(async () => {
      const cbs = await callbacksOf(paymentId);
      expect(cbs).toHaveLength(2);
      return cbs[1];
    });
    const event = stripe.webhooks.constructEvent(refundCb.sent.body, refundCb.sent.headers['stripe-signature'], creds().stripe.webhookSecret);
    expect(event.type).toBe('refund.updated');
    expect(event.data.object).toMatchObject({ status: 'succeeded', amount: 234, metadata: { refundId: 'ref_1' } });
  });
});

describe('Alipay sandbox', () => {
  const alipay = () =>
    new AlipaySdk({
      appId: creds().alipay.appId,
      privateKey: creds().alipay.appPrivateKeyPem,
      keyType: 'PKCS8',
      alipayPublicKey: creds().alipay.alipayPublicKeyPem,
      gateway: sandbox('/alipay/gateway.do'),
    });
  const paymentId = `pay_${randomUUID().replace(/-/g, '')}`;
  const notifies = () => received.filter((r) => r.path === '/alipay/notify').map((r) => Object.fromEntries(new URLSearchParams(r.body)));
  let payUrl: string;

  it('shows the pay page of a page-pay URL signed by the official SDK, and refuses a tampered one', async () => {
    payUrl = alipay().pageExecute('alipay.trade.page.pay', 'GET', {
      bizContent: { out_trade_no: paymentId, total_amount: '88.80', subject: '订单 W1 付款', product_code: 'FAST_INSTANT_TRADE_PAY' },
      notifyUrl: `${receiverUrl}/alipay/notify`,
    });
    expect(payUrl.startsWith(sandbox('/alipay/gateway.do?'))).toBe(true);
    const page = await fetch(payUrl);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('88.80 CNY');
    expect(html).toContain('订单 W1 付款');
    expect((await fetch(payUrl.replace('88.80', '0.01'))).status).toBe(400);
  });

  it('answers a query with a response signature the SDK verifies', async () => {
    const r = await alipay().exec('alipay.trade.query', { bizContent: { out_trade_no: paymentId } });
    expect(r).toMatchObject({ code: '10000', outTradeNo: paymentId, tradeStatus: 'WAIT_BUYER_PAY', totalAmount: '88.80' });
  });

  it('sends a TRADE_SUCCESS notify that checkNotifySignV2 accepts, retried until acknowledged', async () => {
    refuseNext.set('/alipay/notify', 1);
    expect((await decide(payUrl, 'succeed')).status).toBe(200);
    const [first, second] = await until(async () => {
      expect(notifies()).toHaveLength(2);
      return notifies();
    });
    expect(second).toEqual(first);
    expect(first).toMatchObject({
      notify_type: 'trade_status_sync',
      trade_status: 'TRADE_SUCCESS',
      out_trade_no: paymentId,
      total_amount: '88.80',
      app_id: creds().alipay.appId,
      seller_id: creds().alipay.sellerId,
    });
    expect(alipay().checkNotifySignV2(first)).toBe(true);
    expect(alipay().checkNotifySignV2({ ...first, total_amount: '0.01' })).toBe(false);
    const [cb] = await callbacksOf(paymentId);
    expect(cb.deliveries.map((d: any) => [d.trigger, d.status])).toEqual([['first', 500], ['retry', 200]]);
  });

  it('refunds synchronously and notifies with out_biz_no, refund_fee and gmt_refund; the same out_request_no refunds nothing more', async () => {
    const biz = { out_trade_no: paymentId, refund_amount: '8.80', out_request_no: 'ref_a1' };
    const r = await alipay().exec('alipay.trade.refund', { bizContent: biz });
    expect(r).toMatchObject({ code: '10000', fundChange: 'Y', refundFee: '8.80', outTradeNo: paymentId });
    expect(await alipay().exec('alipay.trade.refund', { bizContent: biz })).toMatchObject({ code: '10000', fundChange: 'N', refundFee: '8.80' });
    const tooMuch = await alipay().exec('alipay.trade.refund', { bizContent: { ...biz, refund_amount: '80.01', out_request_no: 'ref_a2' } });
    expect(tooMuch.code).toBe('40004');
    const refund = await until(async () => {
      const n = notifies().find((x) => x.out_biz_no);
      expect(n).toBeDefined();
      return n!;
    });
    expect(refund).toMatchObject({ out_biz_no: 'ref_a1', refund_fee: '8.80', trade_status: 'TRADE_SUCCESS' });
    expect(refund.gmt_refund).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/);
    expect(alipay().checkNotifySignV2(refund)).toBe(true);
  });

  it('replays a callback twice, and an older one after a newer one, with the same notify_id', async () => {
    const before = notifies().length;
    expect((await replay(paymentId, 1, 2)).status).toBe(200);
    expect((await replay(paymentId, 2)).status).toBe(200);
    expect((await replay(paymentId, 1)).status).toBe(200);
    const sent = notifies().slice(before);
    expect(sent.map((n) => n.out_biz_no ?? n.trade_status)).toEqual(['TRADE_SUCCESS', 'TRADE_SUCCESS', 'ref_a1', 'TRADE_SUCCESS']);
    expect(new Set(sent.filter((n) => !n.out_biz_no).map((n) => n.notify_id)).size).toBe(1);
    for (const n of sent) expect(alipay().checkNotifySignV2(n)).toBe(true);
    expect((await replay(paymentId, 9)).status).toBe(404);
  });
});

describe('WeChat Pay sandbox', () => {
  const c = () => creds().wechatpay;
  const paymentId = `pay${randomUUID().replace(/-/g, '').slice(0, 24)}`;
  /** A request signed as the merchant, with the plugin's own formatter and RSA helpers. */
  const call = async (method: 'GET' | 'POST', path: string, payload?: unknown, key = c().merchantPrivateKeyPem) => {
    const body = payload === undefined ? '' : JSON.stringify(payload);
    const nonce = Formatter.nonce();
    const timestamp = Formatter.timestamp();
    const signature = Rsa.sign(Formatter.request(method, path, timestamp, nonce, body), Rsa.from(key, Rsa.KEY_TYPE_PRIVATE));
    const res = await fetch(sandbox(`/wechatpay${path}`), {
      method,
      headers: { authorization: Formatter.authorization(c().mchid, nonce, signature, timestamp, c().merchantSerial), 'content-type': 'application/json', accept: 'application/json' },
      body: body || undefined,
    });
    const text = await res.text();
    const h = (n: string) => res.headers.get(n) ?? '';
    // Every answer is signed with the platform key under its serial.
    expect(h('wechatpay-serial')).toBe(c().platformSerial);
    expect(Rsa.verify(Formatter.response(h('wechatpay-timestamp'), h('wechatpay-nonce'), text), h('wechatpay-signature'), Rsa.from(c().platformPublicKeyPem, Rsa.KEY_TYPE_PUBLIC))).toBe(true);
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  };
  const decrypt = (r: Received) => {
    const n = JSON.parse(r.body);
    const { ciphertext, nonce, associated_data } = n.resource;
    return { n, resource: JSON.parse(Aes.AesGcm.decrypt(ciphertext, c().apiV3Key, nonce, associated_data)) };
  };
  const verifyCallback = (r: Received) =>
    Rsa.verify(
      Formatter.response(String(r.headers['wechatpay-timestamp']), String(r.headers['wechatpay-nonce']), r.body),
      String(r.headers['wechatpay-signature']),
      Rsa.from(c().platformPublicKeyPem, Rsa.KEY_TYPE_PUBLIC),
    );
  const order = () => ({
    appid: c().appid,
    mchid: c().mchid,
    description: 'Order W2',
    out_trade_no: paymentId,
    notify_url: `${receiverUrl}/wechatpay/notify`,
    amount: { total: 5000, currency: 'CNY' },
  });

  it('refuses a request signed with another key', async () => {
    const other = (await import('node:crypto')).generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const r = await call('POST', '/v3/pay/transactions/native', order(), other);
    expect(r.status).toBe(401);
    expect(r.json.code).toBe('SIGN_ERROR');
  });

  it('opens a Native order whose code_url is the pay page, and sends an encrypted, signed TRANSACTION.SUCCESS when paid', async () => {
    const r = await call('POST', '/v3/pay/transactions/native', order());
    expect(r.status).toBe(200);
    const page = await fetch(r.json.code_url);
    expect(await page.text()).toContain('50.00 CNY');
    expect((await call('GET', `/v3/pay/transactions/out-trade-no/${paymentId}?mchid=${c().mchid}`)).json.trade_state).toBe('NOTPAY');

    expect((await decide(r.json.code_url, 'succeed')).status).toBe(200);
    const got = await until(async () => {
      const x = received.find((q) => q.path === '/wechatpay/notify');
      expect(x).toBeDefined();
      return x!;
    });
    expect(got.headers['wechatpay-serial']).toBe(c().platformSerial);
    expect(verifyCallback(got)).toBe(true);
    const { n, resource } = decrypt(got);
    expect(n).toMatchObject({ event_type: 'TRANSACTION.SUCCESS', resource_type: 'encrypt-resource', resource: { algorithm: 'AEAD_AES_256_GCM' } });
    expect(resource).toMatchObject({ mchid: c().mchid, appid: c().appid, out_trade_no: paymentId, trade_state: 'SUCCESS', amount: { total: 5000, currency: 'CNY' } });
    const q = await call('GET', `/v3/pay/transactions/out-trade-no/${paymentId}?mchid=${c().mchid}`);
    expect(q.json).toMatchObject({ trade_state: 'SUCCESS', transaction_id: resource.transaction_id });
  });

  it('takes a refund as PROCESSING and sends REFUND.SUCCESS to the refund notify_url', async () => {
    const refund = { out_trade_no: paymentId, out_refund_no: 'ref_w1', notify_url: `${receiverUrl}/wechatpay/refund`, amount: { refund: 1000, total: 5000, currency: 'CNY' } };
    expect((await call('POST', '/v3/refund/domestic/refunds', { ...refund, amount: { ...refund.amount, refund: 6000 } })).status).toBe(403);
    const r = await call('POST', '/v3/refund/domestic/refunds', refund);
    expect(r.json).toMatchObject({ out_refund_no: 'ref_w1', status: 'PROCESSING', amount: { refund: 1000, total: 5000 } });
    const got = await until(async () => {
      const x = received.find((q) => q.path === '/wechatpay/refund');
      expect(x).toBeDefined();
      return x!;
    });
    expect(verifyCallback(got)).toBe(true);
    const { n, resource } = decrypt(got);
    expect(n.event_type).toBe('REFUND.SUCCESS');
    expect(resource).toMatchObject({ out_trade_no: paymentId, out_refund_no: 'ref_w1', refund_status: 'SUCCESS', amount: { refund: 1000, total: 5000 } });
  });
});
