import { secretsManagerReader, type SecretReader } from '../payments/credentials';
import { CARRIER_SECRET_ENV, carrierCredentialsLoader } from './credentials';
import type { TrackingProvider, TrackingProviderAdapter } from './port';
import { aftershipAdapter } from './providers/aftership';
import { easypostAdapter } from './providers/easypost';
import { kuaidi100Adapter } from './providers/kuaidi100';
import { seventeentrackAdapter } from './providers/seventeentrack';

// The stage's tracking adapters, credentials from Secrets Manager on first use (the
// secrets' ARNs are in the environment). The carrier webhook receiver looks them up here.

export type TrackingAdapters = Readonly<Record<TrackingProvider, TrackingProviderAdapter>>;

/** Adapters over an environment; nothing is read until a callback is verified. */
export function trackingAdapters(env: Record<string, string | undefined> = process.env, read: SecretReader = secretsManagerReader): TrackingAdapters {
  const secret = (p: TrackingProvider) => env[CARRIER_SECRET_ENV[p]];
  return {
    aftership: aftershipAdapter({ credentials: carrierCredentialsLoader('aftership', secret('aftership'), read) }),
    easypost: easypostAdapter({ credentials: carrierCredentialsLoader('easypost', secret('easypost'), read) }),
    kuaidi100: kuaidi100Adapter({ credentials: carrierCredentialsLoader('kuaidi100', secret('kuaidi100'), read) }),
    '17track': seventeentrackAdapter({ credentials: carrierCredentialsLoader('17track', secret('17track'), read) }),
  };
}

let stage: TrackingAdapters | undefined;

/** The stage's adapter for a tracking provider (its credentials are read on its first callback). */
export const trackingAdapterFor = (provider: TrackingProvider): TrackingProviderAdapter => (stage ??= trackingAdapters())[provider];
