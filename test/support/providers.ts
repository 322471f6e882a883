import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PaymentProviders } from '../../shared/app/payment-providers';
import type { CallbackProvider, CancelInput, CancelResult, CreatePaymentInput, CreatePaymentResult, PaymentProviderAdapter } from '../../shared/payments/port';
import type { AlipayCredentials } from '../../shared/payments/providers/alipay';
import type { StripeCredentials } from '../../shared/payments/providers/stripe';
import type { WechatPayCredentials } from '../../shared/payments/providers/wechatpay';

// Keys and credentials made up for tests, and a tiny HTTP server standing in for a
// provider's API so adapters are tested over real HTTP.

export function rsaPair(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

export const stripeCredentials: StripeCredentials = { secretKey: 'sk_test_providers', webhookSecret: 'whsec_test_providers_secret' };

/** Both sides of Alipay: our app key pair and Alipay's (which signs notifications and answers). */
export function alipayKeys() {
  const app = rsaPair();
  const alipay = rsaPair();
  const credentials: AlipayCredentials = {
    appId: '2021000000000001', sellerId: '2088000000000001', appPrivateKeyPem: app.privatePem, alipayPublicKeyPem: alipay.publicPem,
  };
  return { credentials, appPublicPem: app.publicPem, alipayPrivatePem: alipay.privatePem };
}

/** Both sides of WeChat Pay: the merchant key pair and the platform's. */
export function wechatpayKeys() {
  const merchant = rsaPair();
  const platform = rsaPair();
  const credentials: WechatPayCredentials = {
    mchid: '1900000001', appid: 'wx0000000000000001', merchantSerial: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1',
    merchantPrivateKeyPem: merchant.privatePem, apiV3Key: '0123456789abcdef0123456789abcdef',
    platformSerial: '7132D72A03E93CDDF8C03BBD1F37EEDF2CE0A6B4', platformPublicKeyPem: platform.publicPem,
  };
  return { credentials, merchantPublicPem: merchant.publicPem, platformPrivatePem: platform.privatePem };
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface FakeReply {
  status?: number;
  headers?: Record<string, string>;
  body: string;
}

/** An HTTP server answering each request with `answer(request)`; it keeps every request it saw. */
export async function fakeProvider(answer: (req: RecordedRequest) => FakeReply) {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(recorded);
      const reply = answer(recorded);
      res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
      res.end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * A payment provider that answers from the test: each method may be replaced, the rest
 * answer as a provider that accepted the request and has not settled it yet (a cancel
 * closes the attempt).
 */
export function fakePaymentProviders(
  answers: {
    create?: (input: CreatePaymentInput, provider: CallbackProvider) => Promise<CreatePaymentResult>;
    refund?: PaymentProviderAdapter['refund'];
    retrieve?: PaymentProviderAdapter['retrieve'];
    cancel?: (input: CancelInput, provider: CallbackProvider) => Promise<CancelResult>;
  } = {},
): { providers: PaymentProviders; adapterFor: (provider: CallbackProvider) => PaymentProviderAdapter } {
  const adapterFor = (provider: CallbackProvider): PaymentProviderAdapter => ({
    provider,
    create: (input) => answers.create?.(input, provider) ?? Promise.resolve({ nextAction: { type: 'redirect', url: `https://pay.test/${input.paymentId}` } }),
    verifyCallback: () => Promise.resolve({ ok: true, payload: {} }),
    normalize: () => [],
    reply: () => ({ statusCode: 200, headers: {}, body: '' }),
    refund: answers.refund ?? (() => Promise.resolve({ status: 'PENDING' })),
    retrieve: answers.retrieve ?? (() => Promise.resolve({ status: 'PENDING' })),
    cancel: (input) => answers.cancel?.(input, provider) ?? Promise.resolve({ status: 'CANCELLED' }),
  });
  const providers: PaymentProviders = {
    adapterFor,
    expectedMerchant: () => Promise.resolve({ appId: 'app-ours', merchantId: 'seller-ours' }),
    notifyUrl: (p) => `https://api.test/webhooks/payments/${p}`,
  };
  return { providers, adapterFor };
}
