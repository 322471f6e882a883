// Secrets Manager secrets of the template, as the local cloud gives them to functions,
// both through dynamic references (`{{resolve:secretsmanager:<arn>:SecretString:::}}`)
// and through GetSecretValue on the local AWS endpoint (aws-endpoint.ts).
//
// A payment provider's secret holds the merchant-side credentials of `.oms/local.json`
// `providers` in the JSON shape the functions expect. A secret is a provider's when it
// carries the tag `oms:provider` = stripe | alipay | wechatpay, or a carrier's: aftership |
// easypost | kuaidi100 | 17track (`oms/<stage>/carriers/<provider>`), or when a function
// gets its ARN (or name) in <PROVIDER>_SECRET_ARN (STRIPE_, ALIPAY_, WECHATPAY_,
// AFTERSHIP_, EASYPOST_, KUAIDI100_, SEVENTEENTRACK_).
//
// Every other secret gets a random value of its own the first time it is asked for,
// kept in `<data>/secrets.json` so values (and whatever they signed) survive a restart;
// with no data folder (`--in-memory`, tests) they live as long as the process.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProviderCredentials } from './handshake';
import type { Resolver, StackTemplate } from './intrinsics';
import type { FunctionSpec } from './template';

export const PAYMENT_PROVIDERS = ['stripe', 'alipay', 'wechatpay'] as const;
/** Carriers' secrets (`oms/<stage>/carriers/<provider>`), served the same way. */
export const CARRIER_PROVIDERS = ['aftership', 'easypost', 'kuaidi100', '17track'] as const;
const SECRET_PROVIDERS = [...PAYMENT_PROVIDERS, ...CARRIER_PROVIDERS] as const;
export type SecretProvider = (typeof SECRET_PROVIDERS)[number];

/** The tag that names the payment provider a secret belongs to. */
export const PROVIDER_TAG = 'oms:provider';
/** The function environment variable that holds each provider's secret ARN. */
export const PROVIDER_SECRET_ENV: Record<SecretProvider, string> = {
  stripe: 'STRIPE_SECRET_ARN',
  alipay: 'ALIPAY_SECRET_ARN',
  wechatpay: 'WECHATPAY_SECRET_ARN',
  aftership: 'AFTERSHIP_SECRET_ARN',
  easypost: 'EASYPOST_SECRET_ARN',
  kuaidi100: 'KUAIDI100_SECRET_ARN',
  '17track': 'SEVENTEENTRACK_SECRET_ARN',
};

export interface TemplateSecret {
  arn: string;
  name: string;
  provider?: SecretProvider;
}

/** A provider's secret value, in the JSON shape the functions read (the payments contract). */
export function providerSecretValue(provider: SecretProvider, c: ProviderCredentials): Record<string, string> {
  switch (provider) {
    case 'stripe':
      return { secretKey: c.stripe.secretKey, webhookSecret: c.stripe.webhookSecret };
    case 'alipay': {
      const { appId, sellerId, appPrivateKeyPem, alipayPublicKeyPem } = c.alipay;
      return { appId, sellerId, appPrivateKeyPem, alipayPublicKeyPem };
    }
    case 'wechatpay': {
      const { mchid, appid, merchantSerial, merchantPrivateKeyPem, apiV3Key, platformSerial, platformPublicKeyPem } = c.wechatpay;
      return { mchid, appid, merchantSerial, merchantPrivateKeyPem, apiV3Key, platformSerial, platformPublicKeyPem };
    }
    case 'aftership':
      return { webhookSecret: c.aftership.webhookSecret };
    case 'easypost':
      return { apiKey: c.easypost.apiKey, webhookSecret: c.easypost.webhookSecret };
    case 'kuaidi100':
      return { key: c.kuaidi100.key, customer: c.kuaidi100.customer, salt: c.kuaidi100.salt };
    case '17track':
      return { securityKey: c['17track'].securityKey };
  }
}

const isProvider = (v: unknown): v is SecretProvider => SECRET_PROVIDERS.includes(v as SecretProvider);

/** The template's secrets with their local ARN, name and, for a provider's secret, the provider. */
export function templateSecrets(stacks: StackTemplate[], resolver: Resolver, functions: FunctionSpec[]): TemplateSecret[] {
  const out: TemplateSecret[] = [];
  for (const s of stacks) {
    for (const [id, r] of Object.entries(s.template.Resources ?? {})) {
      if (r.Type !== 'AWS::SecretsManager::Secret') continue;
      if (r.Condition && !resolver.condition(s.stackName, r.Condition)) continue;
      const arn = String(resolver.ref(s.stackName, id));
      const name = resolver.physicalName(s.stackName, id);
      const tags = (resolver.resolve(s.stackName, r.Properties?.Tags ?? []) as { Key: string; Value: string }[]) ?? [];
      const tagged = tags.find((t) => t.Key === PROVIDER_TAG)?.Value;
      const byEnv = SECRET_PROVIDERS.find((p) => functions.some((f) => [arn, name].includes(f.env[PROVIDER_SECRET_ENV[p]] ?? '')));
      const provider = isProvider(tagged) ? tagged : byEnv;
      out.push(provider ? { arn, name, provider } : { arn, name });
    }
  }
  return out;
}

export interface LocalSecrets {
  /** A secret's value by ARN or name (dynamic references; random for any non-provider secret). */
  value(secretId: string): string;
  /** The template's secrets, once the model is built (GetSecretValue serves only these). */
  setTemplate(secrets: TemplateSecret[], providers: ProviderCredentials): void;
  /** GetSecretValue's view: the secret a SecretId (ARN, partial ARN without the random suffix, or name) names. */
  find(secretId: string): { arn: string; name: string; value: string } | undefined;
}

export function localSecrets(dataDir?: string): LocalSecrets {
  const file = dataDir ? join(dataDir, 'secrets.json') : undefined;
  const values: Record<string, string> = file && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>) : {};
  let secrets: TemplateSecret[] = [];
  let creds: ProviderCredentials | undefined;
  const lookup = (id: string) => secrets.find((s) => s.arn === id || s.name === id || s.arn.replace(/-[A-Za-z0-9]{6}$/, '') === id);
  const value = (secretId: string) => {
    const known = lookup(secretId);
    if (known?.provider && creds) return JSON.stringify(providerSecretValue(known.provider, creds));
    // One value per secret, whichever id it is asked by.
    const key = known?.arn ?? secretId;
    let v = values[key] ?? (known ? values[known.name] : undefined);
    if (v === undefined) {
      v = randomBytes(32).toString('base64url');
      values[key] = v;
      if (file) {
        mkdirSync(dataDir!, { recursive: true });
        writeFileSync(file, JSON.stringify(values, null, 2), { mode: 0o600 });
      }
    }
    return v;
  };
  return {
    value,
    setTemplate(list, providers) {
      secrets = list;
      creds = providers;
    },
    find(secretId) {
      const s = lookup(secretId);
      return s && { arn: s.arn, name: s.name, value: value(s.arn) };
    },
  };
}
