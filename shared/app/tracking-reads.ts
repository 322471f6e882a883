import type { TableContext } from '../store/table';
import { trackingRepository } from '../store/tracking-repository';

// What the public tracking route reads: a parcel's tracking record, nothing else (its
// bundle carries no writer and no event catalog).
export const trackingReads = (ctx: TableContext) => {
  const tracking = trackingRepository(ctx);
  return { get: (trackingNumber: string) => tracking.get(trackingNumber) };
};
