import { Aes, Formatter, Rsa } from 'wechatpay-axios-plugin';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wechatpayAdapter } from '../../../shared/payments/providers/wechatpay';
import type { RawCallback } from '../../../shared/payments/port';
import { fakeProvider, rsaPair, wechatpayKeys } from '../../support/providers';

// Notifications are encrypted and signed with wechatpay-axios-plugin (Aes.AesGcm,
// Rsa.sign over Formatter.response), independently of the adapter.
const keys = wechatpayKeys();
const { credentials } = keys;
const now = new Date('2026-11-30T10:00:00Z');
const ts = String(Math.floor(now.getTime() / 1000));

const transaction = {
  appid: credentials.appid, mchid: credentials.mchid, out_trade_no: 'pay-1', transaction_id: '4200000985202611300001', trade_type: 'NATIVE',
  trade_state: 'SUCCESS', trade_state_desc: '支付成功', bank_type: 'CMC', success_time: '2026-11-30T18:01:02+08:00',
  payer: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' }, amount: { total: 1230, payer_total: 1230, currency: 'CNY', payer_currency: 'CNY' },
};

function notification(resource: object, opts: { id?: string; eventType?: string; originalType?: string; key?: string } = {}): string {
  const nonce = 'fdasflkja484';
  const aad = opts.originalType ?? 'transaction';
  return JSON.stringify({
    id: opts.id ?? 'EV-2018022511223320873', create_time: '2026-11-30T18:01:03+08:00', resource_type: 'encrypt-resource',
    event_type: opts.eventType ?? 'TRANSACTION.SUCCESS', summary: '支付成功',
    resource: { original_type: aad, algorithm: 'AEAD_AES_256_GCM', ciphertext: Aes.AesGcm.encrypt(JSON.stringify(resource), opts.key ?? credentials.apiV3Key, nonce, aad), associated_data: aad, nonce },
  });
}
function signedCallback(body: string, opts: { timestamp?: string; serial?: string; privatePem?: string; signature?: string } = {}): RawCallback {
  const timestamp = opts.timestamp ?? ts;
  const nonce = 'a5b7c9d1e3f5a7b9';
  const signature = opts.signature ?? Rsa.sign(Formatter.response(timestamp, nonce, body), opts.privatePem ?? keys.platformPrivatePem);
  return {
    headers: {
      'wechatpay-timestamp': timestamp, 'wechatpay-nonce': nonce, 'wechatpay-signature': signature,
      'wechatpay-serial': opts.serial ?? credentials.platformSerial, 'wechatpay-signature-type': 'WECHATPAY2-SHA256-RSA2048',
    },
    body: Buffer.from(body),
    receivedAt: now,
  };
}

describe('wechat pay callbacks', () => {
  const adapter = wechatpayAdapter({ baseUrl: 'http://127.0.0.1:9', credentials, now: () => now });

  it('accepts a signed, encrypted notification and normalizes the transaction in fen', async () => {
    const verified = await adapter.verifyCallback(signedCallback(notification(transaction)));
    expect(verified.ok).toBe(true);
    if (!verified.ok) return;
    expect(adapter.normalize(verified.payload)).toEqual([{
      provider: 'wechatpay', eventKey: 'EV-2018022511223320873', kind: 'payment', paymentId: 'pay-1', status: 'SUCCEEDED',
      amount: { amount: 1230, currency: 'CNY' }, providerRef: '4200000985202611300001',
      merchant: { appId: credentials.appid, merchantId: credentials.mchid },
      occurredAt: '2026-11-30T10:01:02.000Z', providerEventType: 'TRANSACTION.SUCCESS',
    }]);
  });

  it('refuses forged, tampered, stale, probe and unknown-serial notifications', async () => {
    const body = notification(transaction);
    expect(await adapter.verifyCallback(signedCallback(body, { privatePem: rsaPair().privatePem }))).toMatchObject({ ok: false, reason: 'bad-signature' });
    const signed = signedCallback(body);
    const tampered = { ...signed, body: Buffer.from(body.replace('"id":"EV-', '"id":"XX-')) };
    expect(await adapter.verifyCallback(tampered)).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(await adapter.verifyCallback(signedCallback(body, { timestamp: String(Number(ts) - 301) }))).toMatchObject({ ok: false, reason: 'stale' });
    expect(await adapter.verifyCallback(signedCallback(body, { timestamp: String(Number(ts) + 301) }))).toMatchObject({ ok: false, reason: 'stale' });
    expect(await adapter.verifyCallback(signedCallback(body, { timestamp: String(Number(ts) - 299) }))).toMatchObject({ ok: true });
    expect(await adapter.verifyCallback(signedCallback(body, { signature: 'WECHATPAY/SIGNTEST/dGVzdA==' }))).toMatchObject({ ok: false, reason: 'probe' });
    expect(await adapter.verifyCallback(signedCallback(body, { serial: 'WECHATPAY/SIGNTEST/1234' }))).toMatchObject({ ok: false, reason: 'probe' });
    expect(await adapter.verifyCallback(signedCallback(body, { serial: 'ABCDEF' }))).toMatchObject({ ok: false, reason: 'unknown-key' });
    expect(await adapter.verifyCallback({ ...signed, headers: {} })).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('refuses a resource not encrypted with our APIv3 key, even when signed', async () => {
    const body = notification(transaction, { key: 'ffffffffffffffffffffffffffffffff' });
    expect(await adapter.verifyCallback(signedCallback(body))).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  it('carries another merchant\'s ids through for the binding check', async () => {
    const verified = await adapter.verifyCallback(signedCallback(notification({ ...transaction, mchid: '1999999999', appid: 'wx9999' })));
    expect(verified.ok && adapter.normalize(verified.payload)[0]!.merchant).toEqual({ appId: 'wx9999', merchantId: '1999999999' });
  });

  it('normalizes refund notifications and ignores other events', async () => {
    const refund = {
      mchid: credentials.mchid, out_trade_no: 'pay-1', transaction_id: '4200000985202611300001', out_refund_no: 'ref-1', refund_id: '50000000382019052709732678859',
      refund_status: 'SUCCESS', success_time: '2026-11-30T19:00:00+08:00', user_received_account: '招商银行信用卡0403',
      amount: { total: 1230, refund: 200, payer_total: 1230, payer_refund: 200 },
    };
    const verified = await adapter.verifyCallback(signedCallback(notification(refund, { id: 'EV-R1', eventType: 'REFUND.SUCCESS', originalType: 'refund' })));
    expect(verified.ok && adapter.normalize(verified.payload)).toEqual([expect.objectContaining({
      kind: 'refund', refundId: 'ref-1', paymentId: 'pay-1', status: 'SUCCEEDED', amount: { amount: 200, currency: 'CNY' }, eventKey: 'EV-R1',
      providerRef: '50000000382019052709732678859', merchant: { merchantId: credentials.mchid },
    })]);
    const abnormal = { id: 'EV-R2', event_type: 'REFUND.ABNORMAL', resource: { ...refund, refund_status: 'ABNORMAL' } };
    expect(adapter.normalize(abnormal)).toMatchObject([{ status: 'FAILED' }]);
    expect(adapter.normalize({ id: 'EV-3', event_type: 'MCHTRANSFER.BILL.FINISHED', resource: { out_trade_no: 'x', success_time: '2026-11-30T19:00:00+08:00' } })).toEqual([]);
  });

  it('replies 204, or 4xx with the documented FAIL body', () => {
    expect(adapter.reply('accepted')).toMatchObject({ statusCode: 204, body: '' });
    const rejected = adapter.reply('rejected', 'bad signature');
    expect(rejected.statusCode).toBeGreaterThanOrEqual(400);
    expect(JSON.parse(rejected.body)).toEqual({ code: 'FAIL', message: 'bad signature' });
  });
});

describe('wechat pay API calls', () => {
  let server: Awaited<ReturnType<typeof fakeProvider>>;
  let platformKey = keys.platformPrivatePem;
  /** answers as WeChat Pay does: Wechatpay-* headers signed with the platform key over the exact body */
  const answer = (status: number, payload: object) => {
    const body = JSON.stringify(payload);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = 'c0ffee';
    return {
      status,
      body,
      headers: {
        'wechatpay-timestamp': timestamp, 'wechatpay-nonce': nonce, 'wechatpay-serial': credentials.platformSerial,
        'wechatpay-signature': Rsa.sign(Formatter.response(timestamp, nonce, body), platformKey),
      },
    };
  };
  beforeAll(async () => {
    server = await fakeProvider((req) => {
      if (req.url === '/v3/pay/transactions/native') return answer(200, { code_url: 'weixin://wxpay/bizpayurl/up?pr=NwY5Mz9&groupid=00' });
      if (req.url === '/v3/refund/domestic/refunds') return answer(200, { refund_id: '50000000382019052709732678859', out_refund_no: 'ref-1', status: 'PROCESSING' });
      if (req.url.startsWith('/v3/pay/transactions/out-trade-no/pay-1?')) return answer(200, { ...transaction });
      if (req.url.startsWith('/v3/pay/transactions/out-trade-no/')) return answer(404, { code: 'ORDER_NOT_EXIST', message: '订单不存在' });
      return answer(404, { code: 'NOT_FOUND', message: 'no route' });
    });
  });
  afterAll(() => server.close());
  const adapter = () => wechatpayAdapter({ baseUrl: server.url, credentials: async () => credentials });

  /** checks a request's Authorization header with the merchant public key, as WeChat Pay does */
  function assertSigned(req: { method: string; url: string; headers: Record<string, unknown>; body: string }) {
    const auth = String(req.headers.authorization);
    expect(auth.startsWith('WECHATPAY2-SHA256-RSA2048 ')).toBe(true);
    const fields = Object.fromEntries([...auth.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    expect(fields).toMatchObject({ mchid: credentials.mchid, serial_no: credentials.merchantSerial });
    expect(Rsa.verify(Formatter.request(req.method, req.url, fields.timestamp!, fields.nonce_str!, req.body), fields.signature!, keys.merchantPublicPem)).toBe(true);
  }

  it('places a Native order with a signed request and returns the QR code', async () => {
    const result = await adapter().create({
      paymentId: 'pay-1', orderId: 'ord-1', orderNumber: 'W-1', amount: { amount: 1230, currency: 'CNY' }, description: '订单 W-1',
      idempotencyKey: 'pay-1', notifyUrl: 'https://api.example.com/webhooks/payments/wechatpay',
    });
    expect(result).toEqual({ nextAction: { type: 'qr', qrCode: 'weixin://wxpay/bizpayurl/up?pr=NwY5Mz9&groupid=00', url: 'weixin://wxpay/bizpayurl/up?pr=NwY5Mz9&groupid=00' } });
    const req = server.requests.find((r) => r.url === '/v3/pay/transactions/native')!;
    assertSigned(req);
    expect(JSON.parse(req.body)).toEqual({
      appid: credentials.appid, mchid: credentials.mchid, description: '订单 W-1', out_trade_no: 'pay-1',
      notify_url: 'https://api.example.com/webhooks/payments/wechatpay', amount: { total: 1230, currency: 'CNY' },
    });
  });

  it('refunds and queries with signed requests', async () => {
    const refund = await adapter().refund({
      refundId: 'ref-1', paymentId: 'pay-1', amount: { amount: 200, currency: 'CNY' }, captured: { amount: 1230, currency: 'CNY' },
      reason: 'damaged', idempotencyKey: 'ref-1', notifyUrl: 'https://api.example.com/webhooks/payments/wechatpay',
    });
    expect(refund).toEqual({ status: 'PENDING', providerRefundRef: '50000000382019052709732678859' });
    const req = server.requests.find((r) => r.url === '/v3/refund/domestic/refunds')!;
    assertSigned(req);
    expect(JSON.parse(req.body)).toMatchObject({ out_trade_no: 'pay-1', out_refund_no: 'ref-1', amount: { refund: 200, total: 1230, currency: 'CNY' } });

    expect(await adapter().retrieve({ paymentId: 'pay-1' })).toEqual({ status: 'SUCCEEDED', providerRef: '4200000985202611300001', amount: { amount: 1230, currency: 'CNY' } });
    assertSigned(server.requests.find((r) => r.method === 'GET')!);
    expect(await adapter().retrieve({ paymentId: 'pay-unknown' })).toEqual({ status: 'PENDING' });
  });

  it('refuses an answer not signed with the platform key', async () => {
    platformKey = rsaPair().privatePem;
    try {
      await expect(adapter().retrieve({ paymentId: 'pay-1' })).rejects.toThrow(/answer refused/);
    } finally {
      platformKey = keys.platformPrivatePem;
    }
  });
});

describe('wechat pay closing an abandoned order', () => {
  let server: Awaited<ReturnType<typeof fakeProvider>>;
  let platformKey = keys.platformPrivatePem;
  /** a platform-signed answer; 204 has no body, and the signature covers the empty one */
  const answer = (status: number, payload?: object) => {
    const body = payload === undefined ? '' : JSON.stringify(payload);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = 'c1053d';
    return {
      status,
      body,
      headers: {
        'wechatpay-timestamp': timestamp, 'wechatpay-nonce': nonce, 'wechatpay-serial': credentials.platformSerial,
        'wechatpay-signature': Rsa.sign(Formatter.response(timestamp, nonce, body), platformKey),
      },
    };
  };
  beforeAll(async () => {
    server = await fakeProvider((req) => {
      const close = /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)\/close$/.exec(req.url);
      if (req.method !== 'POST' || !close) return answer(404, { code: 'NOT_FOUND', message: 'no route' });
      if (close[1] === 'pay-open') return answer(204);
      if (close[1] === 'pay-closed') return answer(400, { code: 'ORDER_CLOSED', message: '订单已关闭' });
      if (close[1] === 'pay-paid') return answer(400, { code: 'ORDERPAID', message: '订单已支付' });
      return answer(500, { code: 'SYSTEM_ERROR', message: '系统异常,请稍后重试' });
    });
  });
  afterAll(() => server.close());
  const adapter = () => wechatpayAdapter({ baseUrl: server.url, credentials: async () => credentials });

  it('posts a signed close of our out_trade_no with the merchant id and reads 204 as closed', async () => {
    expect(await adapter().cancel({ paymentId: 'pay-open', idempotencyKey: 'close:pay-open' })).toEqual({ status: 'CANCELLED' });
    const req = server.requests.find((r) => r.url === '/v3/pay/transactions/out-trade-no/pay-open/close')!;
    expect(req.method).toBe('POST');
    expect(JSON.parse(req.body)).toEqual({ mchid: credentials.mchid });
    const auth = String(req.headers.authorization);
    const fields = Object.fromEntries([...auth.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    expect(fields).toMatchObject({ mchid: credentials.mchid, serial_no: credentials.merchantSerial });
    expect(Rsa.verify(Formatter.request(req.method, req.url, fields.timestamp!, fields.nonce_str!, req.body), fields.signature!, keys.merchantPublicPem)).toBe(true);
  });

  it('reads an order closed before as closed, a paid one as final, and throws on a server error', async () => {
    expect(await adapter().cancel({ paymentId: 'pay-closed', idempotencyKey: 'k' })).toEqual({ status: 'CANCELLED' });
    expect(await adapter().cancel({ paymentId: 'pay-paid', idempotencyKey: 'k' })).toEqual({ status: 'ALREADY_FINAL' });
    await expect(adapter().cancel({ paymentId: 'pay-down', idempotencyKey: 'k' })).rejects.toThrow(/answered 500/);
  });

  it('refuses a 204 not signed with the platform key', async () => {
    platformKey = rsaPair().privatePem;
    try {
      await expect(adapter().cancel({ paymentId: 'pay-open', idempotencyKey: 'k' })).rejects.toThrow(/answer refused/);
    } finally {
      platformKey = keys.platformPrivatePem;
    }
  });
});
