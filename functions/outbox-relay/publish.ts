import type { PutEventsRequestEntry, PutEventsResultEntry } from '@aws-sdk/client-eventbridge';
import { logger } from '../../shared/middleware/logger';
import type { StoredOutboxEvent } from '../../shared/store/outbox';

/** The part of EventBridge the relay and the sweeper use (a port, so tests can fail entries on purpose). */
export interface EventBusPort {
  putEvents(entries: PutEventsRequestEntry[]): Promise<{ FailedEntryCount?: number; Entries?: PutEventsResultEntry[] }>;
}

/** PutEvents accepts at most 10 entries per call. */
export const PUT_EVENTS_MAX = 10;

function entry(event: StoredOutboxEvent, busName: string): PutEventsRequestEntry {
  return {
    EventBusName: busName,
    Source: event.source,
    DetailType: event.detailType,
    // the detail carries metadata.eventId, so a re-drive publishes the same id
    Detail: event.detail,
    ...(event.createdAt ? { Time: new Date(event.createdAt) } : {}),
  };
}

/**
 * Publishes outbox events, 10 per PutEvents, and answers which were accepted: an
 * entry EventBridge refused (its result has an ErrorCode) or one of a call that
 * failed is not. Never throws for the bus.
 */
export async function publishEvents<E extends StoredOutboxEvent>(bus: EventBusPort, busName: string, events: readonly E[]) {
  const accepted: E[] = [];
  const failed: E[] = [];
  for (let i = 0; i < events.length; i += PUT_EVENTS_MAX) {
    const chunk = events.slice(i, i + PUT_EVENTS_MAX);
    try {
      const res = await bus.putEvents(chunk.map((e) => entry(e, busName)));
      // result entries are positional: entry i answers request entry i
      chunk.forEach((e, j) => {
        const r = res.Entries?.[j];
        if ((res.FailedEntryCount ?? 0) > 0 && (!r || r.ErrorCode)) {
          logger.warn('Event not accepted', { eventId: e.eventId, errorCode: r?.ErrorCode, errorMessage: r?.ErrorMessage });
          failed.push(e);
        } else {
          accepted.push(e);
        }
      });
    } catch (err) {
      logger.error('PutEvents failed', err instanceof Error ? err : String(err));
      failed.push(...chunk);
    }
  }
  return { accepted, failed };
}
