import * as z from 'zod';
import { CustomerPatch } from '../domain/customer';
import { lazySchema } from '../domain/lazy-schema';
import { StoryEvent } from '../domain/order-story';
import { OrderResponse } from './schemas-orders';

// Customer service's schemas (the order's story, customer edits): routes/order-lookup.ts
// imports this module, so no other function carries them.

export const StoryEventView = StoryEvent.meta({ id: 'StoryEvent' });
export const OrderStoryResponse = lazySchema(() =>
  OrderResponse.unwrap().extend({
    /** each parcel's tracking record: status and carrier checkpoints */
    tracking: z.array(z.object({
      trackingNumber: z.string(), carrier: z.string(), status: z.string(), statusAt: z.string(), estimatedDelivery: z.string().optional(),
      checkpoints: z.array(z.object({ at: z.string(), status: z.string(), location: z.string().optional(), description: z.string() })),
    })),
    /** returns, claims and exchanges of the order, once there are any */
    returns: z.array(z.record(z.string(), z.unknown())).optional(),
    notes: z.array(z.object({ at: z.string(), type: z.string(), actor: z.string(), detail: z.string().optional() })),
    /** the notes the order was placed with (`notes` above lists staff notes) */
    orderNotes: z.string().optional(),
    notifications: z.array(z.object({ department: z.string(), detailType: z.string(), subject: z.string(), recordedAt: z.string() })),
    feedback: z.object({ rating: z.int(), comment: z.string().optional(), createdAt: z.string() }).optional(),
    /** everything above as one list, oldest first */
    story: z.array(StoryEventView),
  }).meta({ id: 'OrderStory' }),
);
export const CustomerPatchRequest = CustomerPatch.meta({ id: 'CustomerPatch' });
