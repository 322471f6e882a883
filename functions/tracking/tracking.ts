import { TRACKING_ROUTES as ROUTES } from '../../shared/api/routes/tracking';
import type { PublicTracking } from '../../shared/api/schemas';
import { NotFoundError } from '../../shared/domain/errors';
import { http, ok, type HttpHandler } from '../../shared/middleware/http';
import type { TrackingRecord } from '../../shared/shipping/port';

export interface TrackingDeps {
  tracking: { get(trackingNumber: string): Promise<TrackingRecord | undefined> };
}

/** The public view of a record: named fields only, so nothing about the order or the people can slip through. */
export const publicTracking = (r: TrackingRecord): PublicTracking => ({
  trackingNumber: r.trackingNumber,
  carrier: r.carrier,
  status: r.status,
  ...(r.estimatedDelivery ? { estimatedDelivery: r.estimatedDelivery } : {}),
  checkpoints: r.checkpoints.map((c) => ({ at: c.at, status: c.status, ...(c.location ? { location: c.location } : {}), description: c.description })),
});

/** `GET /tracking/{trackingNumber}` (public; throttled per stage at the gateway). */
export function makeHandler(deps: TrackingDeps): HttpHandler {
  return http(ROUTES.getTracking, async ({ params }) => {
    const record = await deps.tracking.get(params.trackingNumber);
    if (!record) throw new NotFoundError(`No parcel has tracking number ${params.trackingNumber}`);
    return ok(publicTracking(record));
  });
}
