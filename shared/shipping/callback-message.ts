import * as z from 'zod';
import { TrackingNotification, TrackingProvider } from './port';

// What the carrier webhook receiver puts on the carrier-callbacks queue and the callback
// worker reads: one verified, normalized notification and the inbox item it came from.

export const CarrierCallbackMessage = z.strictObject({
  inbox: z.strictObject({ provider: TrackingProvider, eventKey: z.string().min(1) }),
  notification: TrackingNotification,
});
export type CarrierCallbackMessage = z.infer<typeof CarrierCallbackMessage>;

export const carrierCallbackMessage = (n: TrackingNotification): CarrierCallbackMessage => ({
  inbox: { provider: n.provider, eventKey: n.eventKey },
  notification: n,
});
