import { createSign } from 'node:crypto';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import Stripe from 'stripe';
import { Aes, Formatter, Rsa } from 'wechatpay-axios-plugin';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { makeHandler } from '../../../functions/payment-webhooks/payment-webhooks';
import { LocalQueues } from '../../../infra/local/queues';
import { makeRecordCallback } from '../../../shared/app/payment-inbox';
import { PaymentCallbackMessage } from '../../../shared/payments/callback-message';
import type { CallbackProvider, PaymentProviderAdapter } from '../../../shared/payments/port';
import { alipayAdapter } from '../../../shared/payments/providers/alipay';
import { stripeAdapter } from '../../../shared/payments/providers/stripe';
import { wechatpayAdapter } from '../../../shared/payments/providers/wechatpay';
import * as keys from '../../../shared/store/keys';
import { INBOX_CLAIM_MS, INBOX_TTL_SECONDS, paymentInbox } from '../../../shared/store/payment-inbox';
import { alipayKeys, stripeCredentials, wechatpayKeys } from '../../support/providers';
import { createTestTable, type TestTable } from '../../support/table';

// The webhook receiver on a local table and a local queue, with callbacks signed
// independently by the providers' official packages.

const QUEUE = 'payment-callbacks';
const alipay = alipayKeys();
const wechat = wechatpayKeys();
const adapters: Record<CallbackProvider, PaymentProviderAdapter> = {
  stripe: stripeAdapter({ baseUrl: 'http://127.0.0.1:9', credentials: stripeCredentials }),
  alipay: alipayAdapter({ baseUrl: 'http://127.0.0.1:9/gateway.do', credentials: alipay.credentials }),
  wechatpay: wechatpayAdapter({ baseUrl: 'http://127.0.0.1:9', credentials: wechat.credentials }),
};

let table: TestTable;
let queues: LocalQueues;
let failSends = 0;
let handler: ReturnType<typeof makeHandler>;

beforeAll(async () => {
  table = await createTestTable(inject('dynamoUrl'));
});
afterAll(() => table?.drop());
beforeEach(() => {
  queues = new LocalQueues([{
    stack: 'test', logicalId: 'Q', name: QUEUE, url: `http://local/${QUEUE}`, arn: `arn:aws:sqs:us-east-1:000000000000:${QUEUE}`,
    fifo: false, visibilityTimeoutSeconds: 60, delaySeconds: 0, retentionSeconds: 345600,
  }]);
  failSends = 0;
  handler = makeHandler({
    adapterFor: (p) => adapters[p],
    record: makeRecordCallback({
      inbox: paymentInbox({ doc: table.doc, tableName: table.tableName }),
      enqueue: async (message) => {
        if (failSends > 0) {
          failSends--;
          throw new Error('queue unavailable');
        }
        await queues.send(QUEUE, { body: JSON.stringify(message) });
      },
      now: () => new Date(),
      wait: (ms) => new Promise((r) => setTimeout(r, ms / 4)),
    }),
    now: () => new Date(),
  });
});

const post = (provider: string, body: string, headers: Record<string, string>, isBase64Encoded = false) =>
  handler({
    version: '2.0', routeKey: 'POST /webhooks/payments/{provider}', rawPath: `/webhooks/payments/${provider}`, rawQueryString: '',
    headers, body: isBase64Encoded ? Buffer.from(body).toString('base64') : body, isBase64Encoded, pathParameters: { provider },
    requestContext: {} as APIGatewayProxyEventV2['requestContext'],
  });
const queued = async () => (await queues.receiveNow(QUEUE, 10)).map((m) => PaymentCallbackMessage.parse(JSON.parse(m.Body)));
const inboxItem = async (provider: string, eventKey: string) =>
  (await table.doc.send(new GetCommand({ TableName: table.tableName, Key: keys.paymentInbox(provider, eventKey), ConsistentRead: true }))).Item;
const inboxCount = async (provider: string, eventKey: string) =>
  (await table.doc.send(new QueryCommand({ TableName: table.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.paymentInbox(provider, eventKey).pk } }))).Count;

const stripe = new Stripe('sk_test_unused');
function stripeCallback(id: string, type = 'payment_intent.succeeded') {
  const body = JSON.stringify({
    id, object: 'event', type, created: Math.floor(Date.now() / 1000),
    data: { object: { id: 'pi_1', object: 'payment_intent', amount: 4900, amount_received: 4900, currency: 'cny', status: 'succeeded', metadata: { paymentId: `pay-${id}` } } },
  });
  return { body, headers: { 'content-type': 'application/json', 'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload: body, secret: stripeCredentials.webhookSecret }) } };
}

describe('payment webhooks', () => {
  it('records the same callback delivered ten times at once once, queues it once, and answers each as Stripe expects', async () => {
    const { body, headers } = stripeCallback('evt_ten');
    const replies = await Promise.all(Array.from({ length: 10 }, () => post('stripe', body, headers)));
    expect(replies.map((r) => r.statusCode)).toEqual(Array(10).fill(200));
    expect(new Set(replies.map((r) => r.body))).toEqual(new Set([JSON.stringify({ received: true })]));
    expect(await inboxCount('stripe', 'evt_ten')).toBe(1);
    const messages = await queued();
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ inbox: { provider: 'stripe', eventKey: 'evt_ten' }, notification: { paymentId: 'pay-evt_ten', status: 'SUCCEEDED', amount: { amount: 4900, currency: 'CNY' } } });
    const item = await inboxItem('stripe', 'evt_ten');
    expect(item).toMatchObject({ type: 'PAYMENTINBOX', enqueuedAt: expect.any(String) });
    expect(Number(item!.expiresAt) - Date.now() / 1000).toBeGreaterThan(INBOX_TTL_SECONDS - 60);
  });

  it('refuses a forged or stale Stripe callback with a 400 and writes nothing', async () => {
    const { body } = stripeCallback('evt_forged');
    const forged = stripe.webhooks.generateTestHeaderString({ payload: body, secret: 'whsec_someone_else' });
    expect(await post('stripe', body, { 'stripe-signature': forged })).toMatchObject({ statusCode: 400 });
    const stale = stripe.webhooks.generateTestHeaderString({ payload: body, secret: stripeCredentials.webhookSecret, timestamp: Math.floor(Date.now() / 1000) - 600 });
    expect(await post('stripe', body, { 'stripe-signature': stale })).toMatchObject({ statusCode: 400 });
    expect(await inboxItem('stripe', 'evt_forged')).toBeUndefined();
    expect(await queued()).toEqual([]);
  });

  it('answers a queue failure with 500 and queues the notification on the provider\'s next delivery', async () => {
    const { body, headers } = stripeCallback('evt_retry');
    failSends = 1;
    expect(await post('stripe', body, headers)).toMatchObject({ statusCode: 500 });
    expect(await inboxItem('stripe', 'evt_retry')).not.toHaveProperty('enqueuedAt');
    expect(await queued()).toEqual([]);
    expect(await post('stripe', body, headers)).toMatchObject({ statusCode: 200 });
    expect(await post('stripe', body, headers)).toMatchObject({ statusCode: 200 });
    expect((await queued()).map((m) => m.inbox.eventKey)).toEqual(['evt_retry']);
  });

  it('acknowledges events it does not act on without recording them', async () => {
    const { body, headers } = stripeCallback('evt_other', 'charge.refunded');
    expect(await post('stripe', body, headers)).toMatchObject({ statusCode: 200 });
    expect(await inboxItem('stripe', 'evt_other')).toBeUndefined();
    expect(await queued()).toEqual([]);
  });

  it('takes an Alipay form notify, base64-encoded by the gateway, and answers plain success (also to a redelivery)', async () => {
    const params: Record<string, string> = {
      notify_time: '2026-11-30 18:01:03', notify_type: 'trade_status_sync', notify_id: 'ntf-alipay-1', charset: 'utf-8', version: '1.0',
      app_id: alipay.credentials.appId, seller_id: alipay.credentials.sellerId, out_trade_no: 'pay-ali', trade_no: '2026113022001', trade_status: 'TRADE_SUCCESS',
      total_amount: '49.00', gmt_payment: '2026-11-30 18:01:02', subject: '订单 W-2',
    };
    const content = Object.keys(params).sort().map((k) => `${k}=${params[k]}`).join('&');
    const body = new URLSearchParams({ ...params, sign_type: 'RSA2', sign: createSign('RSA-SHA256').update(content, 'utf8').sign(alipay.alipayPrivatePem, 'base64') }).toString();
    const headers = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };
    const first = await post('alipay', body, headers, true);
    expect(first).toEqual({ statusCode: 200, headers: { 'content-type': 'text/plain' }, body: 'success' });
    expect(await post('alipay', body, headers, false)).toMatchObject({ statusCode: 200, body: 'success' });
    expect(await post('alipay', body.replace('49.00', '0.49'), headers, true)).toMatchObject({ statusCode: 400, body: 'fail' });
    const messages = await queued();
    expect(messages).toHaveLength(1);
    expect(messages[0]!.notification).toMatchObject({ paymentId: 'pay-ali', amount: { amount: 4900, currency: 'CNY' }, merchant: { appId: alipay.credentials.appId, merchantId: alipay.credentials.sellerId } });
  });

  it('takes a WeChat Pay notification with 204 and refuses a probe with the FAIL body, writing nothing', async () => {
    const resource = {
      appid: wechat.credentials.appid, mchid: wechat.credentials.mchid, out_trade_no: 'pay-wx', transaction_id: '4200000001', trade_state: 'SUCCESS',
      success_time: '2026-11-30T18:01:02+08:00', amount: { total: 4900, currency: 'CNY' },
    };
    const body = JSON.stringify({
      id: 'EV-wx-1', create_time: '2026-11-30T18:01:03+08:00', resource_type: 'encrypt-resource', event_type: 'TRANSACTION.SUCCESS',
      resource: { original_type: 'transaction', algorithm: 'AEAD_AES_256_GCM', ciphertext: Aes.AesGcm.encrypt(JSON.stringify(resource), wechat.credentials.apiV3Key, 'n0nce1234567', 'transaction'), associated_data: 'transaction', nonce: 'n0nce1234567' },
    });
    const ts = String(Math.floor(Date.now() / 1000));
    const headers = {
      'Wechatpay-Timestamp': ts, 'Wechatpay-Nonce': 'abc', 'Wechatpay-Serial': wechat.credentials.platformSerial,
      'Wechatpay-Signature': Rsa.sign(Formatter.response(ts, 'abc', body), wechat.platformPrivatePem), 'content-type': 'application/json',
    };
    expect(await post('wechatpay', body, headers)).toEqual({ statusCode: 204, headers: {}, body: '' });
    const probe = await post('wechatpay', body, { ...headers, 'Wechatpay-Signature': 'WECHATPAY/SIGNTEST/abcd' });
    expect(probe.statusCode).toBe(400);
    expect(JSON.parse(String(probe.body))).toEqual({ code: 'FAIL', message: 'probe' });
    expect((await queued()).map((m) => m.notification.paymentId)).toEqual(['pay-wx']);
  });

  it('answers 404 for a provider it does not know', async () => {
    const reply = await post('paypal', '{}', {});
    expect(reply.statusCode).toBe(404);
    expect(reply.headers?.['content-type']).toBe('application/problem+json');
  });
});

describe('payment webhooks without credentials', () => {
  it('answers 500 (so the provider delivers again) when the provider secret cannot be read, and writes nothing', async () => {
    const broken = makeHandler({
      adapterFor: () => stripeAdapter({ baseUrl: 'http://127.0.0.1:9', credentials: () => Promise.reject(new Error('AccessDenied')) }),
      record: () => Promise.reject(new Error('must not be called')),
      now: () => new Date(),
    });
    const { body, headers } = stripeCallback('evt_nocreds');
    const reply = await broken({
      version: '2.0', routeKey: 'POST /webhooks/payments/{provider}', rawPath: '/webhooks/payments/stripe', rawQueryString: '',
      headers, body, isBase64Encoded: false, pathParameters: { provider: 'stripe' }, requestContext: {} as APIGatewayProxyEventV2['requestContext'],
    });
    expect(reply.statusCode).toBe(500);
    expect(await inboxItem('stripe', 'evt_nocreds')).toBeUndefined();
  });
});

describe('a delivery that stopped after recording', () => {
  it('is sent by a later delivery once its claim has lapsed; until then redeliveries answer 500', async () => {
    let clock = Date.now();
    const inbox = paymentInbox({ doc: table.doc, tableName: table.tableName });
    const { body, headers } = stripeCallback('evt_crash');
    const [n] = adapters.stripe.normalize(JSON.parse(body));
    // the first delivery recorded the event and stopped before sending it (e.g. its Lambda timed out)
    expect(await inbox.take(n!, new Date(clock))).toBe('send');

    const withClock = makeHandler({
      adapterFor: (p) => adapters[p],
      record: makeRecordCallback({
        inbox,
        enqueue: async (message) => void (await queues.send(QUEUE, { body: JSON.stringify(message) })),
        now: () => new Date(clock),
        wait: async () => undefined,
      }),
      now: () => new Date(),
    });
    const deliver = () => withClock({
      version: '2.0', routeKey: 'POST /webhooks/payments/{provider}', rawPath: '/webhooks/payments/stripe', rawQueryString: '',
      headers, body, isBase64Encoded: false, pathParameters: { provider: 'stripe' }, requestContext: {} as APIGatewayProxyEventV2['requestContext'],
    });
    expect((await deliver()).statusCode).toBe(500);
    expect(await queued()).toEqual([]);
    clock += INBOX_CLAIM_MS + 1;
    expect((await deliver()).statusCode).toBe(200);
    expect((await deliver()).statusCode).toBe(200);
    expect((await queued()).map((m) => m.inbox.eventKey)).toEqual(['evt_crash']);
  });
});
