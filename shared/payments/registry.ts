import * as z from 'zod';
import { parseConfig } from '../config';
import { credentialsLoader, SECRET_ENV, secretsManagerReader, type SecretReader } from './credentials';
import type { CallbackProvider, PaymentProviderAdapter } from './port';
import { alipayAdapter } from './providers/alipay';
import { stripeAdapter } from './providers/stripe';
import { wechatpayAdapter } from './providers/wechatpay';

// The stage's provider adapters: base URLs from the environment (the stage config puts
// the real APIs there, the local stage its sandbox), credentials from Secrets Manager
// on first use. The payment use cases and the webhook receiver look adapters up here.

export const ProviderEnv = z.object({
  STRIPE_API_URL: z.url().default('https://api.stripe.com'),
  ALIPAY_GATEWAY_URL: z.url().default('https://openapi.alipay.com/gateway.do'),
  WECHATPAY_API_URL: z.url().default('https://api.mch.weixin.qq.com'),
  STRIPE_SECRET_ARN: z.string().min(1).optional(),
  ALIPAY_SECRET_ARN: z.string().min(1).optional(),
  WECHATPAY_SECRET_ARN: z.string().min(1).optional(),
});

/** Our own ids at a provider, which a reported payment must name (app id, merchant / seller id). */
export interface ExpectedMerchant {
  appId?: string;
  merchantId?: string;
}

export interface ProviderRegistry {
  adapterFor(provider: CallbackProvider): PaymentProviderAdapter;
  expectedMerchant(provider: CallbackProvider): Promise<ExpectedMerchant | undefined>;
}

/** A registry over an environment; nothing is read (not even the environment) until first used. */
export function providerRegistry(env: Record<string, string | undefined> = process.env, read: SecretReader = secretsManagerReader): ProviderRegistry {
  let built: ReturnType<typeof build> | undefined;
  function build() {
    const config = parseConfig(ProviderEnv, env);
    const credentials = {
      stripe: credentialsLoader('stripe', config[SECRET_ENV.stripe], read),
      alipay: credentialsLoader('alipay', config[SECRET_ENV.alipay], read),
      wechatpay: credentialsLoader('wechatpay', config[SECRET_ENV.wechatpay], read),
    };
    const adapters: Record<CallbackProvider, PaymentProviderAdapter> = {
      stripe: stripeAdapter({ baseUrl: config.STRIPE_API_URL, credentials: credentials.stripe }),
      alipay: alipayAdapter({ baseUrl: config.ALIPAY_GATEWAY_URL, credentials: credentials.alipay }),
      wechatpay: wechatpayAdapter({ baseUrl: config.WECHATPAY_API_URL, credentials: credentials.wechatpay }),
    };
    return { credentials, adapters };
  }
  const get = () => (built ??= build());
  return {
    adapterFor: (provider) => get().adapters[provider],
    async expectedMerchant(provider) {
      const { credentials } = get();
      switch (provider) {
        case 'stripe':
          return undefined; // a Stripe event is bound to our account by the webhook secret alone
        case 'alipay': {
          const c = await credentials.alipay();
          return { appId: c.appId, merchantId: c.sellerId };
        }
        case 'wechatpay': {
          const c = await credentials.wechatpay();
          return { appId: c.appid, merchantId: c.mchid };
        }
      }
    },
  };
}

let stage: ProviderRegistry | undefined;
const stageRegistry = () => (stage ??= providerRegistry());

/** The stage's adapter for a provider (credentials are read on its first call). */
export const adapterFor = (provider: CallbackProvider): PaymentProviderAdapter => stageRegistry().adapterFor(provider);

/** Our merchant ids at a provider, from its credentials, for binding a reported payment to us. */
export const expectedMerchant = (provider: CallbackProvider): Promise<ExpectedMerchant | undefined> => stageRegistry().expectedMerchant(provider);
