import { createSign } from 'node:crypto';
import { AlipaySdk } from 'alipay-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alipayAdapter } from '../../../shared/payments/providers/alipay';
import type { RawCallback } from '../../../shared/payments/port';
import { alipayKeys, fakeProvider, rsaPair } from '../../support/providers';

// Notifications are signed here with node:crypto (RSA2 over the sorted parameters), and
// alipay-sdk's own verifier confirms that this signer is right before the adapter sees them.
const keys = alipayKeys();
/** a key that is not Alipay's */
const stranger = rsaPair();
const { credentials } = keys;

function sign(params: Record<string, string>, privatePem: string): Record<string, string> {
  const content = Object.keys(params).filter((k) => k !== 'sign' && k !== 'sign_type').sort().map((k) => `${k}=${params[k]}`).join('&');
  return { ...params, sign_type: 'RSA2', sign: createSign('RSA-SHA256').update(content, 'utf8').sign(privatePem, 'base64') };
}
/** alipay-sdk configured with Alipay's public key: verifies notifications as the official SDK does. */
const officialVerifier = new AlipaySdk({ appId: credentials.appId, privateKey: credentials.appPrivateKeyPem, keyType: 'PKCS8', alipayPublicKey: credentials.alipayPublicKeyPem });
/** and one with our app public key: verifies what the adapter signs. */
const appSignatureVerifier = new AlipaySdk({ appId: credentials.appId, privateKey: credentials.appPrivateKeyPem, keyType: 'PKCS8', alipayPublicKey: keys.appPublicPem });

const paid = {
  gmt_create: '2026-11-30 18:00:00', charset: 'utf-8', gmt_payment: '2026-11-30 18:01:02', notify_time: '2026-11-30 18:01:03',
  subject: '订单 W-1', buyer_id: '2088102122524333', invoice_amount: '12.30', version: '1.0', notify_id: '2026113000222180103034211',
  notify_type: 'trade_status_sync', out_trade_no: 'pay-1', total_amount: '12.30', trade_status: 'TRADE_SUCCESS', trade_no: '2026113022001424330501',
  auth_app_id: credentials.appId, receipt_amount: '12.30', buyer_pay_amount: '12.30', app_id: credentials.appId, seller_id: credentials.sellerId,
};
const callback = (body: string): RawCallback => ({ headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: Buffer.from(body), receivedAt: new Date() });

describe('alipay callbacks', () => {
  const adapter = alipayAdapter({ baseUrl: 'http://127.0.0.1:9/gateway.do', credentials });

  it('accepts a notification signed by Alipay and reads the decimal yuan exactly', async () => {
    const params = sign(paid, keys.alipayPrivatePem);
    expect(officialVerifier.checkNotifySignV2(params)).toBe(true);
    const body = new URLSearchParams(params).toString();
    const verified = await adapter.verifyCallback(callback(body));
    expect(verified.ok).toBe(true);
    if (!verified.ok) return;
    expect(adapter.normalize(verified.payload)).toEqual([{
      provider: 'alipay', eventKey: '2026113000222180103034211|TRADE_SUCCESS|', kind: 'payment', paymentId: 'pay-1', status: 'SUCCEEDED',
      amount: { amount: 1230, currency: 'CNY' }, providerRef: '2026113022001424330501',
      merchant: { appId: credentials.appId, merchantId: credentials.sellerId },
      occurredAt: '2026-11-30T18:01:02+08:00', providerEventType: 'TRADE_SUCCESS',
    }]);
  });

  it('reads amounts without floating point', async () => {
    for (const [yuan, fen] of [['0.01', 1], ['0.1', 10], ['19.99', 1999], ['1234567.89', 123456789], ['100', 10000]] as const) {
      const verified = await adapter.verifyCallback(callback(new URLSearchParams(sign({ ...paid, total_amount: yuan }, keys.alipayPrivatePem)).toString()));
      expect(verified.ok && adapter.normalize(verified.payload)[0]!.amount).toEqual({ amount: fen, currency: 'CNY' });
    }
    expect(() => adapter.normalize({ ...paid, total_amount: '1.234' })).toThrow(/at most two places/);
    expect(() => adapter.normalize({ ...paid, total_amount: '1e3' })).toThrow();
  });

  it('accepts a base64 form body decoded by the gateway the same way', async () => {
    const body = new URLSearchParams(sign(paid, keys.alipayPrivatePem)).toString();
    const decoded = Buffer.from(Buffer.from(body).toString('base64'), 'base64');
    expect((await adapter.verifyCallback(callback(decoded.toString()))).ok).toBe(true);
  });

  it('refuses a forged, tampered-amount or unsigned notification', async () => {
    const forged = sign(paid, stranger.privatePem);
    expect(officialVerifier.checkNotifySignV2(forged)).toBe(false);
    expect(await adapter.verifyCallback(callback(new URLSearchParams(forged).toString()))).toMatchObject({ ok: false, reason: 'bad-signature' });
    const tampered = { ...sign(paid, keys.alipayPrivatePem), total_amount: '0.01' };
    expect(officialVerifier.checkNotifySignV2(tampered)).toBe(false);
    expect(await adapter.verifyCallback(callback(new URLSearchParams(tampered).toString()))).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(await adapter.verifyCallback(callback(new URLSearchParams(paid).toString()))).toMatchObject({ ok: false, reason: 'malformed' });
    expect(await adapter.verifyCallback(callback(new URLSearchParams({ ...sign(paid, keys.alipayPrivatePem), sign_type: 'RSA' }).toString()))).toMatchObject({ ok: false });
  });

  it('carries another merchant\'s ids through for the binding check', async () => {
    const other = sign({ ...paid, app_id: '2021999999999999', seller_id: '2088999999999999' }, keys.alipayPrivatePem);
    const verified = await adapter.verifyCallback(callback(new URLSearchParams(other).toString()));
    expect(verified.ok && adapter.normalize(verified.payload)[0]!.merchant).toEqual({ appId: '2021999999999999', merchantId: '2088999999999999' });
  });

  it('normalizes closed trades and refund notifications; ignores a trade still waiting', () => {
    expect(adapter.normalize({ ...paid, trade_status: 'TRADE_CLOSED', gmt_close: '2026-11-30 19:00:00' })).toMatchObject([{ kind: 'payment', status: 'CANCELLED', occurredAt: '2026-11-30T19:00:00+08:00' }]);
    const refund = { ...paid, refund_fee: '2.00', out_biz_no: 'ref-1', gmt_refund: '2026-11-30 19:10:00.123' };
    expect(adapter.normalize({ ...refund, gmt_refund: '2026-11-30 19:10:00' })).toEqual([expect.objectContaining({
      kind: 'refund', refundId: 'ref-1', paymentId: 'pay-1', status: 'SUCCEEDED', eventKey: '2026113000222180103034211|TRADE_SUCCESS|2.00',
    })]);
    expect(adapter.normalize(refund)[0]).toMatchObject({ occurredAt: '2026-11-30T19:10:00.123+08:00' });
    expect(adapter.normalize({ ...refund, gmt_refund: 'soon' })[0]).toMatchObject({ occurredAt: '2026-11-30T18:01:03+08:00' });
    expect(adapter.normalize({ ...paid, trade_status: 'WAIT_BUYER_PAY' })).toEqual([]);
  });

  it('replies with the plain text Alipay expects', () => {
    expect(adapter.reply('accepted')).toEqual({ statusCode: 200, headers: { 'content-type': 'text/plain' }, body: 'success' });
    expect(adapter.reply('rejected')).toMatchObject({ statusCode: 400, body: 'fail' });
  });
});

describe('alipay API calls', () => {
  let server: Awaited<ReturnType<typeof fakeProvider>>;
  /** answers as Alipay does: `{"<method>_response":{...},"sign":"..."}` signed over the exact response text */
  const answer = (method: string, response: string, privatePem = keys.alipayPrivatePem) => {
    const sign = createSign('RSA-SHA256').update(response, 'utf8').sign(privatePem, 'base64');
    return { body: `{"${method.replace(/\./g, '_')}_response":${response},"sign":"${sign}"}` };
  };
  let forgeNext = false;
  beforeAll(async () => {
    server = await fakeProvider((req) => {
      const params = Object.fromEntries(new URLSearchParams(req.body));
      const biz = JSON.parse(params.biz_content ?? '{}');
      if (params.method === 'alipay.trade.query') {
        return answer(params.method, `{"code":"10000","msg":"Success","buyer_logon_id":"159****5620","out_trade_no":"${biz.out_trade_no}","total_amount":"12.30","trade_no":"2026113022001","trade_status":"TRADE_SUCCESS"}`,
          forgeNext ? stranger.privatePem : keys.alipayPrivatePem);
      }
      if (params.method === 'alipay.trade.refund') {
        return answer(params.method, `{"code":"10000","msg":"Success","fund_change":"Y","refund_fee":"${biz.refund_amount}","out_trade_no":"${biz.out_trade_no}","trade_no":"2026113022001"}`);
      }
      return { status: 400, body: '{}' };
    });
  });
  afterAll(() => server.close());
  const adapter = () => alipayAdapter({ baseUrl: `${server.url}/gateway.do`, credentials: async () => credentials, now: () => new Date('2026-11-30T10:00:00Z') });

  it('builds a signed page-pay URL the app public key verifies', async () => {
    const { nextAction, providerRef } = await adapter().create({
      paymentId: 'pay-1', orderId: 'ord-1', orderNumber: 'W-1', amount: { amount: 1230, currency: 'CNY' }, description: '订单 W-1',
      idempotencyKey: 'pay-1', notifyUrl: 'https://api.example.com/webhooks/payments/alipay',
    });
    expect(providerRef).toBeUndefined();
    expect(nextAction.type).toBe('redirect');
    const url = new URL(nextAction.url!);
    expect(`${url.origin}${url.pathname}`).toBe(`${server.url}/gateway.do`);
    const params = Object.fromEntries(url.searchParams);
    expect(params).toMatchObject({ app_id: credentials.appId, method: 'alipay.trade.page.pay', charset: 'utf-8', sign_type: 'RSA2', version: '1.0', timestamp: '2026-11-30 18:00:00', notify_url: 'https://api.example.com/webhooks/payments/alipay' });
    expect(JSON.parse(params.biz_content!)).toEqual({ out_trade_no: 'pay-1', total_amount: '12.30', subject: '订单 W-1', product_code: 'FAST_INSTANT_TRADE_PAY' });
    expect(appSignatureVerifier.checkNotifySignV2(params)).toBe(true);
    expect(appSignatureVerifier.checkNotifySignV2({ ...params, biz_content: params.biz_content!.replace('12.30', '0.01') })).toBe(false);
  });

  it('queries and refunds with signed requests and verifies the signed answers', async () => {
    expect(await adapter().retrieve({ paymentId: 'pay-1' })).toEqual({ status: 'SUCCEEDED', providerRef: '2026113022001', amount: { amount: 1230, currency: 'CNY' } });
    const refund = await adapter().refund({
      refundId: 'ref-1', paymentId: 'pay-1', amount: { amount: 200, currency: 'CNY' }, captured: { amount: 1230, currency: 'CNY' },
      reason: 'damaged', idempotencyKey: 'ref-1', notifyUrl: 'http://x',
    });
    expect(refund.status).toBe('SUCCEEDED');
    const req = server.requests.find((r) => new URLSearchParams(r.body).get('method') === 'alipay.trade.refund')!;
    const params = Object.fromEntries(new URLSearchParams(req.body));
    expect(appSignatureVerifier.checkNotifySignV2(params)).toBe(true);
    expect(JSON.parse(params.biz_content!)).toMatchObject({ out_trade_no: 'pay-1', refund_amount: '2.00', out_request_no: 'ref-1' });
  });

  it('refuses an answer not signed by Alipay', async () => {
    forgeNext = true;
    await expect(adapter().retrieve({ paymentId: 'pay-1' })).rejects.toThrow(/signature does not verify/);
    forgeNext = false;
  });
});

describe('alipay closing an abandoned trade', () => {
  let server: Awaited<ReturnType<typeof fakeProvider>>;
  const answer = (response: string, privatePem = keys.alipayPrivatePem) => {
    const sign = createSign('RSA-SHA256').update(response, 'utf8').sign(privatePem, 'base64');
    return { body: `{"alipay_trade_close_response":${response},"sign":"${sign}"}` };
  };
  const failure = (code: string, subCode: string) => `{"code":"${code}","msg":"Business Failed","sub_code":"${subCode}","sub_msg":"-"}`;
  beforeAll(async () => {
    server = await fakeProvider((req) => {
      const params = Object.fromEntries(new URLSearchParams(req.body));
      if (params.method !== 'alipay.trade.close') return { status: 400, body: '{}' };
      const { out_trade_no: trade } = JSON.parse(params.biz_content ?? '{}') as { out_trade_no: string };
      if (trade === 'pay-open') return answer(`{"code":"10000","msg":"Success","trade_no":"2026113022001","out_trade_no":"pay-open"}`);
      if (trade === 'pay-never-scanned') return answer(failure('40004', 'ACQ.TRADE_NOT_EXIST'));
      if (trade === 'pay-paid') return answer(failure('40004', 'ACQ.TRADE_STATUS_ERROR'));
      if (trade === 'pay-busy') return answer(failure('20000', 'ACQ.SYSTEM_ERROR'));
      return answer(`{"code":"10000","msg":"Success","out_trade_no":"${trade}"}`, stranger.privatePem);
    });
  });
  afterAll(() => server.close());
  const adapter = () => alipayAdapter({ baseUrl: `${server.url}/gateway.do`, credentials: async () => credentials });

  it('posts a signed alipay.trade.close naming our out_trade_no', async () => {
    expect(await adapter().cancel({ paymentId: 'pay-open', idempotencyKey: 'close:pay-open' })).toEqual({ status: 'CANCELLED' });
    const req = server.requests.find((r) => JSON.parse(new URLSearchParams(r.body).get('biz_content') ?? '{}').out_trade_no === 'pay-open')!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/gateway.do?charset=utf-8');
    const params = Object.fromEntries(new URLSearchParams(req.body));
    expect(params).toMatchObject({ app_id: credentials.appId, method: 'alipay.trade.close', sign_type: 'RSA2', charset: 'utf-8', version: '1.0' });
    expect(JSON.parse(params.biz_content!)).toEqual({ out_trade_no: 'pay-open' });
    expect(appSignatureVerifier.checkNotifySignV2(params)).toBe(true);
  });

  it('reads a trade never scanned as closed, a paid one as final, and retries a busy gateway', async () => {
    expect(await adapter().cancel({ paymentId: 'pay-never-scanned', idempotencyKey: 'k' })).toEqual({ status: 'CANCELLED' });
    expect(await adapter().cancel({ paymentId: 'pay-paid', idempotencyKey: 'k' })).toEqual({ status: 'ALREADY_FINAL' });
    await expect(adapter().cancel({ paymentId: 'pay-busy', idempotencyKey: 'k' })).rejects.toThrow(/retry/);
  });

  it('refuses an answer not signed by Alipay', async () => {
    await expect(adapter().cancel({ paymentId: 'pay-forged', idempotencyKey: 'k' })).rejects.toThrow(/signature does not verify/);
  });
});
