import type { OutgoingEvent } from '../../events/define-event';
import { ENTITY, keys } from './keys';

/** Kept a week: long enough for the relay and a re-drive sweeper, then DynamoDB's TTL removes it. */
const OUTBOX_TTL_SECONDS = 7 * 24 * 3600;

/** The outbox item written in the same transaction as the change the event describes. */
export function outboxItem(aggregatePk: string, event: OutgoingEvent, now: Date) {
  return {
    ...keys.outbox(aggregatePk, event.eventId),
    type: ENTITY.outbox,
    eventId: event.eventId,
    source: event.source,
    detailType: event.detailType,
    detail: event.detail,
    createdAt: now.toISOString(),
    expiresAt: Math.floor(now.getTime() / 1000) + OUTBOX_TTL_SECONDS,
  };
}
