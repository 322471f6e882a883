import * as z from 'zod';
import { secretsManagerReader, type SecretReader, CACHE_SECONDS } from '../payments/credentials';
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
  let cached: { at: number; value: Promise<CarrierCredentialsOf<P>> } | undefined;
  const load = async (): Promise<CarrierCredentialsOf<P>> => {
    if (!secretId) throw new Error(`${CARRIER_SECRET_ENV[provider]} is not set: no ${provider} credentials in this function`);
    let raw = await read(secretId);
    if (typeof raw === 'string') {
      try {
        raw = JSON.parse(raw);
      } catch {
        throw new Error(`The ${provider} secret is not JSON`);
      }
    }
    const parsed = CARRIER_CREDENTIAL_SCHEMAS[provider].safeParse(raw);
    if (!parsed.success) {
      throw new Error(`The ${provider} secret lacks or has invalid fields: ${[...new Set(parsed.error.issues.map((i) => i.path.join('.')))].join(', ')}`);
    }
    return parsed.data as CarrierCredentialsOf<P>;
  };
  return () => {
    if (!cached || now() - cached.at > CACHE_SECONDS * 1000) {
      const value = load();
      cached = { at: now(), value };
      // a failed read is not kept: the next call tries again
      value.catch(() => {
        if (cached?.value === value) cached = undefined;
      });
    }
    return cached.value;
  };
}
