import * as z from 'zod';
import { parseConfig } from '../config';
import type { Merchant } from '../domain/payment';
import type { CallbackProvider, PaymentProviderAdapter } from '../payments/port';
import { adapterFor, expectedMerchant } from '../payments/registry';

// The one place the payment use cases get their provider adapters from. The use
// cases (payments.ts) take a PaymentProviders object; tests hand them fakes, and
// the functions' composition roots call stageProviders(), which builds them from the
// stage's configuration through the provider registry (shared/payments/registry.ts).

export interface PaymentProviders {
  adapterFor(provider: CallbackProvider): PaymentProviderAdapter;
  /** our merchant ids at the provider (app id, merchant id), to bind a reported payment to us */
  expectedMerchant(provider: CallbackProvider): Promise<Merchant | undefined>;
  /** where the provider calls back: `<public API URL>/webhooks/payments/<provider>` */
  notifyUrl(provider: CallbackProvider): string;
}

/** The registry of provider adapters (`shared/payments/registry.ts`): what it must export. */
export interface ProviderRegistry {
  adapterFor(provider: CallbackProvider): PaymentProviderAdapter;
  expectedMerchant(provider: CallbackProvider): Promise<Merchant | undefined>;
}

const PaymentsConfig = z.object({
  /** the API's public base URL (no trailing slash), for the providers' notify URLs */
  PUBLIC_API_URL: z.url().optional(),
});

/** Providers through a registry, with notify URLs under the stage's public API URL. */
export function providersFrom(registry: ProviderRegistry, env: Record<string, string | undefined> = process.env): PaymentProviders {
  const { PUBLIC_API_URL } = parseConfig(PaymentsConfig, env);
  return {
    adapterFor: (provider) => registry.adapterFor(provider),
    expectedMerchant: (provider) => registry.expectedMerchant(provider),
    notifyUrl(provider) {
      if (!PUBLIC_API_URL) throw new Error('PUBLIC_API_URL is not set: providers cannot be told where to call back');
      return `${PUBLIC_API_URL.replace(/\/+$/, '')}/webhooks/payments/${provider}`;
    },
  };
}

/**
 * The stage's providers, as the functions use them: the provider registry (base URLs
 * from the environment, credentials from Secrets Manager on first use).
 */
export const stageProviders = (env: Record<string, string | undefined> = process.env): PaymentProviders => providersFrom({ adapterFor, expectedMerchant }, env);
