import { Tags, Validations } from 'aws-cdk-lib';
import { Secret, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { CALLBACK_PROVIDERS, type CallbackProvider } from '../../shared/payments/port';
import type { StageConfig } from '../config';
import type { OmsFunction } from './oms-function';

// Payment providers' credentials: one Secrets Manager secret per provider and stage,
// JSON in the shape shared/payments/credentials.ts reads. The stack creates each with
// its fields empty; an operator pastes the real values in (console or CLI), and
// functions read them at runtime (cached per container), so they are never in the
// template, the bundle, the environment or the logs.

/** The tag that names a secret's provider (the local cloud fills such secrets with its sandbox credentials). */
export const PROVIDER_TAG = 'oms:provider';

/** Each provider's secret fields, created empty. */
const FIELDS: Record<CallbackProvider, readonly string[]> = {
  stripe: ['secretKey', 'webhookSecret'],
  alipay: ['appId', 'sellerId', 'appPrivateKeyPem', 'alipayPublicKeyPem'],
  wechatpay: ['mchid', 'appid', 'merchantSerial', 'merchantPrivateKeyPem', 'apiV3Key', 'platformSerial', 'platformPublicKeyPem'],
};

export type ProviderSecrets = Readonly<Record<CallbackProvider, ISecret>>;

const pascal = (s: string) => s[0]!.toUpperCase() + s.slice(1);

export function providerSecrets(scope: Construct, config: StageConfig): ProviderSecrets {
  const entries = CALLBACK_PROVIDERS.map((provider) => [
    provider,
    providerSecret(scope, `${pascal(provider)}Credentials`, config, { provider, path: 'payments', what: 'merchant credentials', fields: FIELDS[provider] }),
  ] as const);
  return Object.fromEntries(entries) as Record<CallbackProvider, Secret>;
}

/**
 * One provider's credentials secret (`oms/<stage>/<path>/<provider>`), created as JSON with
 * every field present and empty (a function reading it before it is filled in names the
 * missing fields), tagged `oms:provider` for the local cloud to fill with its own.
 */
export function providerSecret(
  scope: Construct,
  id: string,
  config: StageConfig,
  spec: { provider: string; path: string; what: string; fields: readonly string[] },
): Secret {
  const { provider, fields } = spec;
  const secret = new Secret(scope, id, {
    secretName: `oms/${config.stage}/${spec.path}/${provider}`,
    description: `OMS (${config.stage}): ${provider} ${spec.what}, JSON {${fields.join(', ')}}; fill in after the first deploy`,
    generateSecretString: {
      secretStringTemplate: JSON.stringify(Object.fromEntries(fields.map((f) => [f, '']))),
      generateStringKey: 'unused',
      passwordLength: 16,
    },
    removalPolicy: config.removalPolicy,
  });
  Tags.of(secret).add(PROVIDER_TAG, provider);
  Validations.of(secret).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason: `Issued by ${provider}, not by us: rotated in the provider's console, then pasted here; functions pick a new value up within five minutes.`,
  });
  return secret;
}

/** The environment variables naming each provider's secret (shared/payments/credentials.ts reads them). */
export const SECRET_ENV: Record<CallbackProvider, string> = {
  stripe: 'STRIPE_SECRET_ARN', alipay: 'ALIPAY_SECRET_ARN', wechatpay: 'WECHATPAY_SECRET_ARN',
};

/**
 * Lets a function call the providers: their API base URLs from the stage config and
 * their secrets' ARNs in its environment, and read access to those secrets only.
 */
export function bindPaymentProviders(fn: OmsFunction, secrets: ProviderSecrets, config: StageConfig, publicApiUrl: string): void {
  // where providers are told to call back (`<url>/webhooks/payments/<provider>`)
  fn.fn.addEnvironment('PUBLIC_API_URL', publicApiUrl);
  fn.fn.addEnvironment('STRIPE_API_URL', config.payments.stripeApiUrl);
  fn.fn.addEnvironment('ALIPAY_GATEWAY_URL', config.payments.alipayGatewayUrl);
  fn.fn.addEnvironment('WECHATPAY_API_URL', config.payments.wechatpayApiUrl);
  for (const provider of CALLBACK_PROVIDERS) {
    fn.fn.addEnvironment(SECRET_ENV[provider], secrets[provider].secretArn);
    secrets[provider].grantRead(fn.role);
  }
}
