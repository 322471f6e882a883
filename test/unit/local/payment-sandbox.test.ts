import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateProviderCredentials } from '../../../infra/local/handshake';
import { PaymentSandbox, withSandboxUrls } from '../../../infra/local/payment-sandbox';
import { fen, yuan } from '../../../infra/local/payment-sandbox-formats';

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
