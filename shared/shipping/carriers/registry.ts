import * as z from 'zod';
import { parseConfig } from '../../config';
import { secretsManagerReader, type SecretReader } from '../../payments/credentials';
import type { Carrier, WaybillCarrier } from '../port';
import { CARRIER_SECRET_ENV, carrierCredentialsLoader } from '../credentials';
import { easypostCarrier } from './easypost';
import { kuaidi100Subscriber, type TrackingSubscriber } from './kuaidi100';
import { sandboxCarrier } from './sandbox';

// The stage's waybill carriers: base URLs from the environment (the stage config puts the
// real APIs there; the local cloud its sandbox carrier), credentials from Secrets Manager
// on first use. Only EasyPost and, where CARRIER_SANDBOX_URL is set (the local stage), the
// sandbox book waybills; AfterShip and 17TRACK only track, and Kuaidi100 is subscribed to
// a tracking number the shipment brings.

export const CarrierEnv = z.object({
  EASYPOST_API_URL: z.url().default('https://api.easypost.com'),
  KUAIDI100_API_URL: z.url().default('https://poll.kuaidi100.com'),
  CARRIER_SANDBOX_URL: z.url().optional(),
  EASYPOST_SECRET_ARN: z.string().min(1).optional(),
  KUAIDI100_SECRET_ARN: z.string().min(1).optional(),
  /** EasyPost Address id (adr_…) parcels ship from */
  EASYPOST_FROM_ADDRESS_ID: z.string().min(1).optional(),
});

export interface CarrierRegistry {
  waybillCarrierFor(carrier: Carrier): WaybillCarrier | undefined;
  trackingSubscriber(): TrackingSubscriber;
}

/** A registry over an environment; nothing is read (not even the environment) until first used. */
export function carrierRegistry(env: Record<string, string | undefined> = process.env, read: SecretReader = secretsManagerReader): CarrierRegistry {
  let built: ReturnType<typeof build> | undefined;
  function build() {
    const config = parseConfig(CarrierEnv, env);
    const carriers: Partial<Record<Carrier, WaybillCarrier>> = {
      easypost: easypostCarrier({
        baseUrl: config.EASYPOST_API_URL,
        credentials: carrierCredentialsLoader('easypost', config[CARRIER_SECRET_ENV.easypost], read),
        ...(config.EASYPOST_FROM_ADDRESS_ID ? { fromAddressId: config.EASYPOST_FROM_ADDRESS_ID } : {}),
      }),
      ...(config.CARRIER_SANDBOX_URL ? { sandbox: sandboxCarrier({ baseUrl: config.CARRIER_SANDBOX_URL }) } : {}),
    };
    const subscriber = kuaidi100Subscriber({
      baseUrl: config.KUAIDI100_API_URL,
      credentials: carrierCredentialsLoader('kuaidi100', config[CARRIER_SECRET_ENV.kuaidi100], read),
    });
    return { carriers, subscriber };
  }
  const get = () => (built ??= build());
  return {
    waybillCarrierFor: (carrier) => get().carriers[carrier],
    trackingSubscriber: () => get().subscriber,
  };
}

let stage: CarrierRegistry | undefined;
const stageRegistry = () => (stage ??= carrierRegistry());

/** The stage's waybill carrier, or undefined when it cannot book (aftership, 17track, kuaidi100; sandbox outside the local stage). */
export const waybillCarrierFor = (carrier: Carrier): WaybillCarrier | undefined => stageRegistry().waybillCarrierFor(carrier);

/** Kuaidi100's subscription, for a kuaidi100 shipment's tracking number. */
export const trackingSubscriber = (): TrackingSubscriber => stageRegistry().trackingSubscriber();
