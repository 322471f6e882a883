import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateProviderCredentials } from '../../../infra/local/handshake';
import { PaymentSandbox, withSandboxUrls } from '../../../infra/local/payment-sandbox';
import { fen, yuan } from '../../../infra/local/payment-sandbox-formats';
import { alipayAdapter } from '../../../shared/payments/providers/alipay';
import { stripeAdapter } from '../../../shared/payments/providers/stripe';
import { wechatpayAdapter } from '../../../shared/payments/providers/wechatpay';

describe('payment sandbox wiring', () => {
  it('points the provider base URLs of paying functions at the sandbox and leaves other functions alone', () => {
    const api = 'http://localhost:4321';
    expect(withSandboxUrls({ STRIPE_API_URL: 'https://api.stripe.com', TABLE_NAME: 't' }, api)).toEqual({
      TABLE_NAME: 't',
      STRIPE_API_URL: `${api}/_sandbox/stripe`,
      ALIPAY_GATEWAY_URL: `${api}/_sandbox/alipay/gateway.do`,
      WECHATPAY_API_URL: `${api}/_sandbox/wechatpay`,
    });
    // holding a provider secret is enough: the real API must never be the default locally
    expect(withSandboxUrls({ ALIPAY_SECRET_ARN: 'arn' }, api).ALIPAY_GATEWAY_URL).toBe(`${api}/_sandbox/alipay/gateway.do`);
    expect(withSandboxUrls({ TABLE_NAME: 't' }, api)).toEqual({ TABLE_NAME: 't' });
  });

  it('writes Alipay amounts as yuan with two decimals and reads only such strings back', () => {
    expect(yuan(1234)).toBe('12.34');
    expect(yuan(5)).toBe('0.05');
    expect(fen('12.34')).toBe(1234);
    expect(fen('0.1')).toBe(10);
    for (const bad of ['12.345', '-1.00', '1e3', '', undefined]) expect(fen(bad)).toBeUndefined();
  });
});

describe('payment sandbox state', () => {
  const dir = mkdtempSync(join(tmpdir(), 'oms-sandbox-'));
  const servers: Server[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    rmSync(dir, { recursive: true, force: true });
  });
  const creds = generateProviderCredentials();
  const serve = async () => {
    let url = '';
    const sandbox = new PaymentSandbox({ credentials: creds, apiUrl: () => url, dataDir: dir, log: () => {} });
    const server = createServer((req, res) => void (sandbox.control(req, res) || sandbox.handle(req, res) || res.writeHead(404).end()));
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { url, sandbox };
  };

  it('keeps payments in the data folder across a restart', async () => {
    const first = await serve();
    const res = await fetch(`${first.url}/_sandbox/stripe/v1/payment_intents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${creds.stripe.secretKey}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'amount=500&currency=usd&metadata[paymentId]=pay_keep',
    });
    expect(res.status).toBe(200);
    first.sandbox.stop();
    const second = await serve();
    const kept = (await (await fetch(`${second.url}/_local/sandbox/payments/pay_keep`)).json()) as { amount: number; status: string };
    expect(kept).toMatchObject({ amount: 500, currency: 'usd', status: 'PENDING' });
    second.sandbox.stop();
  });
});

describe('payment sandbox closing abandoned payments', () => {
  const creds = generateProviderCredentials();
  let url = '';
  const sandbox = new PaymentSandbox({ credentials: creds, apiUrl: () => url, log: () => {}, retryDelaysMs: [] });
  const server = createServer((req, res) => void (sandbox.control(req, res) || sandbox.handle(req, res) || res.writeHead(404).end()));
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    sandbox.stop();
    await new Promise((r) => server.close(r));
  });
  // the adapters the functions use, pointed at the sandbox as the local cloud points them
  const stripe = () => stripeAdapter({ baseUrl: `${url}/_sandbox/stripe`, credentials: creds.stripe });
  const alipay = () => alipayAdapter({ baseUrl: `${url}/_sandbox/alipay/gateway.do`, credentials: creds.alipay });
  const wechatpay = () => wechatpayAdapter({ baseUrl: `${url}/_sandbox/wechatpay`, credentials: creds.wechatpay });
  const input = (paymentId: string) => ({
    paymentId, orderId: 'ord-close', orderNumber: 'W-9', amount: { amount: 1230, currency: 'CNY' }, description: 'Order W-9',
    idempotencyKey: paymentId, notifyUrl: `${url}/webhooks/payments/x`,
  });
  const pay = (payUrl: string) => fetch(payUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ outcome: 'succeed' }) });

  it('closes each provider\'s open payment so that its page can no longer be paid', async () => {
    const card = await stripe().create(input('pay_close_card'));
    const qr = await wechatpay().create(input('pay_close_qr'));
    const page = await alipay().create(input('pay_close_alipay'));
    // Alipay's trade exists once the payer opened the page
    expect((await fetch(page.nextAction.url!)).status).toBe(200);

    expect(await stripe().cancel({ paymentId: 'pay_close_card', providerRef: card.providerRef!, idempotencyKey: 'close:pay_close_card' })).toEqual({ status: 'CANCELLED' });
    expect(await wechatpay().cancel({ paymentId: 'pay_close_qr', idempotencyKey: 'close:pay_close_qr' })).toEqual({ status: 'CANCELLED' });
    expect(await alipay().cancel({ paymentId: 'pay_close_alipay', idempotencyKey: 'close:pay_close_alipay' })).toEqual({ status: 'CANCELLED' });

    for (const payUrl of [card.nextAction.url!, qr.nextAction.url!, page.nextAction.url!]) {
      const refused = await pay(payUrl);
      expect(refused.status).toBe(409);
      expect(((await refused.json()) as { message: string }).message).toMatch(/is closed: the merchant cancelled it, and it can no longer be paid/);
      const html = await (await fetch(payUrl)).text();
      expect(html).toContain('This payment is closed');
      expect(html).toMatch(/<button name="outcome" value="succeed" disabled>/);
    }
    // what the providers say when asked afterwards
    expect(await stripe().retrieve({ paymentId: 'pay_close_card', providerRef: card.providerRef! })).toMatchObject({ status: 'CANCELLED' });
    expect(await wechatpay().retrieve({ paymentId: 'pay_close_qr' })).toMatchObject({ status: 'CANCELLED' });
    expect(await alipay().retrieve({ paymentId: 'pay_close_alipay' })).toMatchObject({ status: 'CANCELLED' });
    // Stripe tells the merchant, as it does: payment_intent.canceled
    const sent = (await (await fetch(`${url}/_local/sandbox/callbacks?paymentId=pay_close_card`)).json()) as { eventType: string }[];
    expect(sent.map((c) => c.eventType)).toEqual(['payment_intent.canceled']);
  });

  it('answers a second close, a paid payment and an Alipay page never opened as each provider does', async () => {
    const card = await stripe().create(input('pay_close_twice'));
    const cancel = { paymentId: 'pay_close_twice', providerRef: card.providerRef!, idempotencyKey: 'close:pay_close_twice' };
    expect(await stripe().cancel(cancel)).toEqual({ status: 'CANCELLED' });
    // another key: Stripe refuses to cancel a canceled PaymentIntent again
    expect(await stripe().cancel({ ...cancel, idempotencyKey: 'close-again' })).toEqual({ status: 'ALREADY_FINAL' });

    const paid = await stripe().create(input('pay_close_paid'));
    expect((await pay(paid.nextAction.url!)).status).toBe(200);
    expect(await stripe().cancel({ paymentId: 'pay_close_paid', providerRef: paid.providerRef!, idempotencyKey: 'k' })).toEqual({ status: 'ALREADY_FINAL' });

    const qr = await wechatpay().create(input('pay_close_qr_paid'));
    expect((await pay(qr.nextAction.url!)).status).toBe(200);
    expect(await wechatpay().cancel({ paymentId: 'pay_close_qr_paid', idempotencyKey: 'k' })).toEqual({ status: 'ALREADY_FINAL' });
    await wechatpay().create(input('pay_close_qr_twice'));
    expect(await wechatpay().cancel({ paymentId: 'pay_close_qr_twice', idempotencyKey: 'k' })).toEqual({ status: 'CANCELLED' });
    expect(await wechatpay().cancel({ paymentId: 'pay_close_qr_twice', idempotencyKey: 'k' })).toEqual({ status: 'CANCELLED' });

    await alipay().create(input('pay_close_never_opened'));
    expect(await alipay().cancel({ paymentId: 'pay_close_never_opened', idempotencyKey: 'k' })).toEqual({ status: 'CANCELLED' });
    const alipayPaid = await alipay().create(input('pay_close_alipay_paid'));
    expect((await pay(alipayPaid.nextAction.url!)).status).toBe(200);
    expect(await alipay().cancel({ paymentId: 'pay_close_alipay_paid', idempotencyKey: 'k' })).toEqual({ status: 'ALREADY_FINAL' });
  });
});
