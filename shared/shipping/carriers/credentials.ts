import * as z from 'zod';
import { secretsManagerReader, type SecretReader } from '../../payments/credentials';
import type { TrackingProvider } from '../port';

// Carrier credentials: one JSON secret per provider in Secrets Manager
// (`oms/<stage>/carriers/<provider>`), its ARN in `<PROVIDER>_SECRET_ARN`. Read on first
// use, kept for CACHE_SECONDS, never logged: a malformed secret is reported by the names
// of its fields only. Same shapes as the tracking providers' verifiers read.

export const CACHE_SECONDS = 300;

const text = z.string().min(1);
export const CARRIER_CREDENTIAL_SCHEMAS = {
  aftership: z.object({ webhookSecret: text }),
  easypost: z.object({ apiKey: text, webhookSecret: text }),
  kuaidi100: z.object({ key: text, customer: text, salt: text }),
  '17track': z.object({ securityKey: text }),
} satisfies Record<TrackingProvider, z.ZodType>;
export type CarrierCredentialsOf<P extends TrackingProvider> = z.infer<(typeof CARRIER_CREDENTIAL_SCHEMAS)[P]>;

/** The environment variable that names each provider's secret. */
export const CARRIER_SECRET_ENV = {
  aftership: 'AFTERSHIP_SECRET_ARN',
  easypost: 'EASYPOST_SECRET_ARN',
  kuaidi100: 'KUAIDI100_SECRET_ARN',
  '17track': 'SEVENTEENTRACK_SECRET_ARN',
} as const satisfies Record<TrackingProvider, string>;

/** A loader of one provider's credentials: read on first call (again after CACHE_SECONDS), shape checked, one read shared. */
export function carrierCredentialsLoader<P extends TrackingProvider>(
  provider: P,
  secretId: string | undefined,
  read: SecretReader = secretsManagerReader,
  now: () => number = Date.now,
): () => Promise<CarrierCredentialsOf<P>> {
  let cached: { at: number; value: Promise<CarrierCredentialsOf<P>> } | undefined;
  const load = async (): Promise<CarrierCredentialsOf<P>> => {
    if (!secretId) throw new Error(`${CARRIER_SECRET_ENV[provider]} is not set: no ${provider} credentials in this function`);
    let value = await read(secretId);
    if (typeof value === 'string') {
      try {
        value = JSON.parse(value);
      } catch {
        throw new Error(`The ${provider} secret is not JSON`);
      }
    }
    const parsed = CARRIER_CREDENTIAL_SCHEMAS[provider].safeParse(value);
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
