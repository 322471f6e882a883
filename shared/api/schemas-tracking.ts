import * as z from 'zod';
import { Carrier, Checkpoint, ShipmentStatus } from '../shipping/port';
import { lazySchema } from '../domain/lazy-schema';

// --- shipment tracking (re-exported by schemas.ts; routes/tracking.ts imports this module) ---

export const TrackingNumberPath = lazySchema(() =>
  z.strictObject({ trackingNumber: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'is not a tracking number') }),
);
/** What anyone with the tracking number sees: the parcel's progress, nothing about the order or the people. */
export const PublicTracking = lazySchema(() =>
  z.strictObject({
    trackingNumber: z.string(),
    carrier: Carrier,
    status: ShipmentStatus,
    estimatedDelivery: z.iso.date().optional(),
    checkpoints: z.array(Checkpoint),
  }).meta({ id: 'PublicTracking' }),
);
export type PublicTracking = z.infer<typeof PublicTracking>;
