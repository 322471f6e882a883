import { Secret, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { CARRIER_SECRET_ENV } from '../../shared/shipping/credentials';
import { TRACKING_PROVIDERS, type TrackingProvider } from '../../shared/shipping/port';
import type { StageConfig } from '../config';
import type { OmsFunction } from './oms-function';
import { providerSecret } from './payment-providers';

// Carriers' and tracking providers' credentials, as the payment providers': one Secrets
// Manager secret per provider and stage (`oms/<stage>/carriers/<provider>`), JSON in the
// shape shared/shipping/credentials.ts reads, created with empty fields for an operator
// to fill in, tagged `oms:provider` (the local cloud fills such secrets with its own).

const FIELDS: Record<TrackingProvider, readonly string[]> = {
  aftership: ['webhookSecret'],
  easypost: ['apiKey', 'webhookSecret'],
  kuaidi100: ['key', 'customer', 'salt'],
  '17track': ['securityKey'],
};

export type CarrierSecrets = Readonly<Record<TrackingProvider, ISecret>>;

const LOGICAL: Record<TrackingProvider, string> = {
  aftership: 'AftershipCarrierCredentials', easypost: 'EasypostCarrierCredentials', kuaidi100: 'Kuaidi100CarrierCredentials', '17track': 'SeventeentrackCarrierCredentials',
};

export function carrierSecrets(scope: Construct, config: StageConfig): CarrierSecrets {
  const entries = TRACKING_PROVIDERS.map((provider) => [
    provider,
    providerSecret(scope, LOGICAL[provider], config, { provider, path: 'carriers', what: 'tracking credentials', fields: FIELDS[provider] }),
  ] as const);
  return Object.fromEntries(entries) as Record<TrackingProvider, Secret>;
}

/** Gives a function the carrier secrets' ARNs (AFTERSHIP_SECRET_ARN, …) and read access to those secrets only. */
export function bindCarrierProviders(fn: OmsFunction, secrets: CarrierSecrets): void {
  for (const provider of TRACKING_PROVIDERS) {
    fn.fn.addEnvironment(CARRIER_SECRET_ENV[provider], secrets[provider].secretArn);
    secrets[provider].grantRead(fn.role);
  }
}

/** Lets a function book waybills and subscribe parcels: the carriers' API base URLs and where they call back. */
export function bindCarrierApis(fn: OmsFunction, config: StageConfig, publicApiUrl: string): void {
  // carriers post tracking to `<url>/webhooks/carriers/<provider>`
  fn.fn.addEnvironment('PUBLIC_API_URL', publicApiUrl);
  fn.fn.addEnvironment('EASYPOST_API_URL', config.carriers.easypostApiUrl);
  fn.fn.addEnvironment('KUAIDI100_API_URL', config.carriers.kuaidi100ApiUrl);
}
