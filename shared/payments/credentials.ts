import * as z from 'zod';
import type { CallbackProvider } from './port';
import type { AlipayCredentials } from './providers/alipay';
import type { StripeCredentials } from './providers/stripe';
import type { WechatPayCredentials } from './providers/wechatpay';

// Provider credentials live in Secrets Manager, one JSON secret per provider, named by
// an environment variable (STRIPE_SECRET_ARN, ALIPAY_SECRET_ARN, WECHATPAY_SECRET_ARN).
// They are fetched on first use (a function that never pays never reads them), kept
// for CACHE_SECONDS per container, and never logged: a malformed secret is reported by
// the names of its missing fields only.

/** How long a container keeps a provider secret before reading it again (a rotation shows within this). */
export const CACHE_SECONDS = 300;

const text = z.string().min(1);
export const CREDENTIAL_SCHEMAS = {
  stripe: z.object({ secretKey: text, webhookSecret: text }) satisfies z.ZodType<StripeCredentials>,
  alipay: z.object({ appId: text, sellerId: text, appPrivateKeyPem: text, alipayPublicKeyPem: text }) satisfies z.ZodType<AlipayCredentials>,
  wechatpay: z.object({
    mchid: text, appid: text, merchantSerial: text, merchantPrivateKeyPem: text,
    apiV3Key: z.string().length(32), platformSerial: text, platformPublicKeyPem: text,
  }) satisfies z.ZodType<WechatPayCredentials>,
};
export type CredentialsOf<P extends CallbackProvider> = z.infer<(typeof CREDENTIAL_SCHEMAS)[P]>;

/** The environment variable that names each provider's secret. */
export const SECRET_ENV: Record<CallbackProvider, 'STRIPE_SECRET_ARN' | 'ALIPAY_SECRET_ARN' | 'WECHATPAY_SECRET_ARN'> = {
  stripe: 'STRIPE_SECRET_ARN', alipay: 'ALIPAY_SECRET_ARN', wechatpay: 'WECHATPAY_SECRET_ARN',
};

/** Reads a secret's value (a JSON string or already parsed); Secrets Manager by default. */
export type SecretReader = (secretId: string) => Promise<unknown>;

// The Secrets Manager client loads with the first read, not with the function: most
// invocations of a function that may call a provider or a carrier never read a secret, and
// a cold start no longer loads a client it may not use. The loaders below keep what they
// read for CACHE_SECONDS, so no other cache sits in between. Endpoint and region come from
// the SDK's environment variables, as for every client (shared/aws.ts).
let secretsManager: Promise<(secretId: string) => Promise<unknown>> | undefined;

export const secretsManagerReader: SecretReader = async (secretId) => {
  secretsManager ??= import('@aws-sdk/client-secrets-manager').then(({ SecretsManagerClient, GetSecretValueCommand }) => {
    const client = new SecretsManagerClient({});
    return async (id: string) => {
      const out = await client.send(new GetSecretValueCommand({ SecretId: id }));
      if (out.SecretString !== undefined) return out.SecretString;
      if (out.SecretBinary !== undefined) return new TextDecoder().decode(out.SecretBinary);
      throw new Error(`Secret ${id} has no value`);
    };
  });
  // a failed load is not kept: the next read tries again
  secretsManager.catch(() => (secretsManager = undefined));
  return (await secretsManager)(secretId);
};

/**
 * A loader of one provider's credentials: reads the secret on first call (and again
 * after CACHE_SECONDS), checks its shape, and shares one read between concurrent callers.
 */
export function credentialsLoader<P extends CallbackProvider>(
  provider: P,
  secretId: string | undefined,
  read: SecretReader = secretsManagerReader,
  now: () => number = Date.now,
): () => Promise<CredentialsOf<P>> {
  return jsonSecretLoader<CredentialsOf<P>>(provider, SECRET_ENV[provider], CREDENTIAL_SCHEMAS[provider], secretId, read, now);
}

/**
 * A loader of one JSON secret (a payment provider's or a carrier's credentials): reads it
 * on first call (and again after CACHE_SECONDS), checks its shape, and shares one read
 * between concurrent callers; a failed read is not kept.
 */
export function jsonSecretLoader<T>(
  provider: string,
  envName: string,
  /** the secret's shape; T is what it parses to */
  schema: z.ZodType,
  secretId: string | undefined,
  read: SecretReader = secretsManagerReader,
  now: () => number = Date.now,
): () => Promise<T> {
  let cached: { at: number; value: Promise<T> } | undefined;
  const load = async (): Promise<T> => {
    if (!secretId) throw new Error(`${envName} is not set: no ${provider} credentials in this function`);
    const raw = await read(secretId);
    let value: unknown = raw;
    if (typeof raw === 'string') {
      try {
        value = JSON.parse(raw);
      } catch {
        throw new Error(`The ${provider} secret is not JSON`);
      }
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      throw new Error(`The ${provider} secret lacks or has invalid fields: ${[...new Set(parsed.error.issues.map((i) => i.path.join('.')))].join(', ')}`);
    }
    return parsed.data as T;
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
