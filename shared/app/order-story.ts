import { storyEvents } from '../domain/order-story';
import { ENTITY } from '../store/keys';
import type { NotificationRepository } from '../store/notification-repository';
import type { OrderRepository } from '../store/order-repository';
import { withOutbound } from '../store/outbound-repository';
import type { TrackingRepository } from '../store/tracking-repository';

/** Items of the returns aggregate in the order's partition (present once after-sales exist). */
const RETURN_TYPE = 'RETURN';

/** What an item carries beside its keys and index attributes. */
const fieldsOf = (item: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(item).filter(([k]) => !['pk', 'sk', 'type', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'expiresAt'].includes(k)));

export interface OrderFeedback {
  rating: number;
  comment?: string;
  createdAt: string;
}

export interface OrderStoryDeps {
  orders: Pick<OrderRepository, 'partitionItems' | 'orderViewOf'>;
  tracking: Pick<TrackingRepository, 'get'>;
  notifications: Pick<NotificationRepository, 'aboutOrder'>;
}

/**
 * The order's whole story for customer service. Bounded reads: one Query of the
 * order's partition (order, timeline, payments, refunds, fulfilments, shipments,
 * returns, feedback), one GetItem per parcel for its tracking checkpoints, and one
 * index Query for the notifications sent about it.
 */
export function makeOrderStory(deps: OrderStoryDeps) {
  return async function story(orderId: string) {
    const items = await deps.orders.partitionItems(orderId);
    const view = deps.orders.orderViewOf(items);
    if (!view) return undefined;
    const { placedBy: _placedBy, ...order } = view;
    const withParcels = withOutbound(order);
    const shipments = withParcels.outbound?.shipments ?? [];
    const [records, notifications] = await Promise.all([
      Promise.all([...new Set(shipments.map((s) => s.trackingNumber))].map((n) => deps.tracking.get(n))),
      deps.notifications.aboutOrder(orderId),
    ]);
    const tracking = records.flatMap((r) => (r
      ? [{ trackingNumber: r.trackingNumber, carrier: r.carrier, status: r.status, statusAt: r.statusAt, ...(r.estimatedDelivery ? { estimatedDelivery: r.estimatedDelivery } : {}), checkpoints: r.checkpoints }]
      : []));
    const returns = items.filter((i) => i.type === RETURN_TYPE).map(fieldsOf);
    const feedbackItem = items.find((i) => i.type === ENTITY.feedback);
    const feedback = feedbackItem
      ? { rating: Number(feedbackItem.rating), ...(typeof feedbackItem.comment === 'string' ? { comment: feedbackItem.comment } : {}), createdAt: String(feedbackItem.createdAt) }
      : undefined;
    return {
      ...withParcels,
      tracking,
      ...(returns.length ? { returns } : {}),
      notes: order.timeline.filter((t) => t.type === 'NOTE'),
      // the order's own notes, which `notes` (the staff notes) replaces in the order's shape
      ...(order.notes !== undefined ? { orderNotes: order.notes } : {}),
      notifications,
      ...(feedback ? { feedback } : {}),
      story: storyEvents({
        timeline: order.timeline, payments: order.payments, refunds: order.refunds,
        fulfilments: withParcels.outbound?.fulfilments ?? [], shipments, tracking, returns, notifications, feedback,
      }),
    };
  };
}
export type OrderStory = NonNullable<Awaited<ReturnType<ReturnType<typeof makeOrderStory>>>>;
