import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { logger } from '../../shared/middleware/logger';
import { decodeOutboxRecord, type OutboxStore, type StoredOutboxEvent } from '../../shared/store/outbox';
import { publishEvents, type EventBusPort } from './publish';

export { PUT_EVENTS_MAX, type EventBusPort } from './publish';

export interface RelayDeps {
  bus: EventBusPort;
  busName: string;
  /** deletes the outbox items of what was published; without it the sweeper re-sends (tests of publishing alone) */
  outbox?: Pick<OutboxStore, 'removePublished'>;
}

/**
 * Publishes outbox items from the table's stream, 10 per PutEvents. Entries that
 * EventBridge refused (FailedEntryCount > 0) or whose call failed are reported back
 * by SequenceNumber, so Lambda retries them (duplicates are fine: consumers are
 * idempotent and the event id is stable); after the mapping's retries the outbox
 * sweeper re-drives whatever outbox item is still there. Accepted entries have
 * their outbox items deleted together (one BatchWriteItem per 25).
 */
export function makeHandler(deps: RelayDeps) {
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const failures: string[] = [];
    const pending: (StoredOutboxEvent & { sequenceNumber: string })[] = [];
    for (const record of event.Records) {
      const decoded = decodeOutboxRecord(record);
      if (decoded.kind === 'skip') continue;
      if (decoded.kind === 'invalid') {
        logger.error('Malformed outbox record', { eventID: record.eventID });
        if (record.dynamodb?.SequenceNumber) failures.push(record.dynamodb.SequenceNumber);
        continue;
      }
      pending.push({ ...decoded.event, sequenceNumber: decoded.sequenceNumber });
    }

    const { accepted, failed } = await publishEvents(deps.bus, deps.busName, pending);
    failures.push(...failed.map((p) => p.sequenceNumber));
    if (deps.outbox) await removePublished(deps.outbox, accepted);
    return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

/**
 * Published is published: an outbox item left behind only costs a duplicate from the
 * sweeper (same eventId, consumers dedupe), so a failed delete is logged, not retried.
 */
export async function removePublished(outbox: Pick<OutboxStore, 'removePublished'>, events: readonly StoredOutboxEvent[]) {
  if (events.length === 0) return;
  try {
    const left = await outbox.removePublished(events);
    if (left.length > 0) logger.warn('Published outbox items not deleted', { eventIds: left.map((e) => e.eventId) });
  } catch (err) {
    logger.warn('Published outbox items not deleted', { eventIds: events.map((e) => e.eventId), error: err instanceof Error ? err.message : String(err) });
  }
}
