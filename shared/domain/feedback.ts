import * as z from 'zod';
import { actorLabel, type Actor } from './actor';
import type { ChangeSet } from './decision';
import { ConflictError } from './errors';
import type { OrderRecord } from './order';
import { humanText } from './text';
import { timelineEntry } from './timeline';
import { lazySchema } from './lazy-schema';

// A customer's rating of a delivered order (once per order). It is counted into the
// customer's and each SKU's rating (count and sum, so the average is exact) in the same
// transaction that puts the order's one FEEDBACK item: a second rating fails on that
// item and counts nothing, so every rating is counted exactly once. A rating of 1 or 2
// is PoorFeedbackReceived, which customer service hears of; 3 to 5 FeedbackReceived.

export const FeedbackInput = lazySchema(() =>
  z.strictObject({
    rating: z.int().min(1).max(5),
    comment: humanText({ max: 1000, multiline: true }).optional(),
  }),
);
export type FeedbackInput = z.infer<typeof FeedbackInput>;

export const Feedback = lazySchema(() =>
  FeedbackInput.unwrap().extend({ orderId: z.string(), orderNumber: z.string(), createdAt: z.iso.datetime() }),
);
export type Feedback = z.infer<typeof Feedback>;

/** Ratings this low reach customer service. */
export const POOR_RATING = 2;

const RATEABLE: readonly OrderRecord['status'][] = ['DELIVERED', 'COMPLETED'];

/** The feedback's change set: the FEEDBACK item (only if absent, tag `feedback`), the counters, a timeline entry and the event. */
export function feedbackChangeSet(order: OrderRecord, input: FeedbackInput, actor: Actor, now: Date): { feedback: Feedback; set: ChangeSet } {
  if (!RATEABLE.includes(order.status)) {
    throw new ConflictError(`Order ${order.orderNumber} is ${order.status}; only a delivered order can be rated`, { status: order.status }, 'not-delivered', 'Not delivered');
  }
  const at = now.toISOString();
  const feedback: Feedback = { orderId: order.orderId, orderNumber: order.orderNumber, rating: input.rating, ...(input.comment ? { comment: input.comment } : {}), createdAt: at };
  const counted = { feedbackCount: 1, feedbackSum: input.rating };
  const skus = [...new Set(order.lines.map((l) => l.sku))];
  return {
    feedback,
    set: {
      aggregate: { entity: 'order', id: order.orderId },
      at,
      changes: [
        { op: 'put', entity: 'feedback', id: [order.orderId], tag: 'feedback', expect: { exists: false }, item: { ...feedback } },
        { op: 'update', entity: 'customer', id: [order.customer.customerId], tag: 'customer', expect: { exists: true }, add: counted },
        ...skus.map((sku) => ({ op: 'update' as const, entity: 'product', id: [sku], expect: { exists: true }, add: counted })),
      ],
      timeline: timelineEntry(now, 'FEEDBACK', actor, `rated ${input.rating} of 5${input.comment ? `: ${input.comment}` : ''}`),
      events: [{
        detailType: input.rating <= POOR_RATING ? 'PoorFeedbackReceived' : 'FeedbackReceived',
        data: {
          orderId: order.orderId, orderNumber: order.orderNumber, customerId: order.customer.customerId, rating: input.rating,
          ...(input.comment ? { comment: input.comment } : {}), skus, actor: actorLabel(actor),
        },
      }],
      movements: [],
    },
  };
}
