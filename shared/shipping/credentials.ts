import * as z from 'zod';
import { jsonSecretLoader, secretsManagerReader, type SecretReader } from '../payments/credentials';
import type { TrackingProvider } from './port';
import type { AftershipCredentials } from './providers/aftership';
import type { EasypostCredentials } from './providers/easypost';
import type { Kuaidi100Credentials } from './providers/kuaidi100';
import type { SeventeentrackCredentials } from './providers/seventeentrack';

// Carrier credentials live in Secrets Manager, one JSON secret per provider
// (`oms/<stage>/carriers/<provider>`), named by an environment variable. Read on first
// use, kept CACHE_SECONDS per container (the payments' reader), never logged: a
// malformed secret is reported by the names of its missing fields only.

const value = z.string().min(1);
export const CARRIER_CREDENTIAL_SCHEMAS = {
  aftership: z.object({ webhookSecret: value }) satisfies z.ZodType<AftershipCredentials>,
  easypost: z.object({ apiKey: value, webhookSecret: value }) satisfies z.ZodType<EasypostCredentials>,
  kuaidi100: z.object({ key: value, customer: value, salt: value }) satisfies z.ZodType<Kuaidi100Credentials>,
  '17track': z.object({ securityKey: value }) satisfies z.ZodType<SeventeentrackCredentials>,
};
export type CarrierCredentialsOf<P extends TrackingProvider> = z.infer<(typeof CARRIER_CREDENTIAL_SCHEMAS)[P]>;

/** The environment variable that names each provider's secret. */
export const CARRIER_SECRET_ENV = {
  aftership: 'AFTERSHIP_SECRET_ARN',
  easypost: 'EASYPOST_SECRET_ARN',
  kuaidi100: 'KUAIDI100_SECRET_ARN',
  '17track': 'SEVENTEENTRACK_SECRET_ARN',
} as const satisfies Record<TrackingProvider, string>;

/**
 * A loader of one provider's credentials: reads the secret on first call (and again after
 * CACHE_SECONDS), checks its shape, and shares one read between concurrent callers.
 */
export function carrierCredentialsLoader<P extends TrackingProvider>(
  provider: P,
  secretId: string | undefined,
  read: SecretReader = secretsManagerReader,
  now: () => number = Date.now,
): () => Promise<CarrierCredentialsOf<P>> {
  return jsonSecretLoader<CarrierCredentialsOf<P>>(provider, CARRIER_SECRET_ENV[provider], CARRIER_CREDENTIAL_SCHEMAS[provider], secretId, read, now);
}
