import type { PutEventsRequestEntry, PutEventsResultEntry } from '@aws-sdk/client-eventbridge';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { z } from 'zod';
import { logger } from '../../shared/middleware/logger';

/** The part of EventBridge the relay uses (a port, so tests can fail entries on purpose). */
export interface EventBusPort {
  putEvents(entries: PutEventsRequestEntry[]): Promise<{ FailedEntryCount?: number; Entries?: PutEventsResultEntry[] }>;
}

export interface RelayDeps {
  bus: EventBusPort;
  busName: string;
}

/** PutEvents accepts at most 10 entries per call. */
export const PUT_EVENTS_MAX = 10;

// The outbox item as it arrives in the stream (AttributeValue form); only the
// fields the relay publishes are read.
const OutboxImage = z.object({
  type: z.object({ S: z.literal('OUTBOX') }),
  eventId: z.object({ S: z.string().min(1) }),
  source: z.object({ S: z.string().min(1) }),
  detailType: z.object({ S: z.string().min(1) }),
  detail: z.object({ S: z.string().min(1) }),
  createdAt: z.object({ S: z.string() }).optional(),
});

interface Pending {
  sequenceNumber: string;
  eventId: string;
  entry: PutEventsRequestEntry;
}

function toPending(record: DynamoDBRecord, busName: string): Pending | 'skip' | 'invalid' {
  if (record.eventName !== 'INSERT') return 'skip';
  const image = record.dynamodb?.NewImage as unknown;
  if ((image as { type?: { S?: string } } | undefined)?.type?.S !== 'OUTBOX') return 'skip';
  const parsed = OutboxImage.safeParse(image);
  if (!parsed.success || !record.dynamodb?.SequenceNumber) return 'invalid';
  const item = parsed.data;
  return {
    sequenceNumber: record.dynamodb.SequenceNumber,
    eventId: item.eventId.S,
    entry: {
      EventBusName: busName,
      Source: item.source.S,
      DetailType: item.detailType.S,
      // the detail already carries metadata.eventId, so a re-drive publishes the same id
      Detail: item.detail.S,
      ...(item.createdAt ? { Time: new Date(item.createdAt.S) } : {}),
    },
  };
}

/**
 * Publishes outbox items from the table's stream, 10 per PutEvents. Entries that
 * EventBridge refused (FailedEntryCount > 0) or whose call failed are reported back
 * by SequenceNumber, so Lambda retries them (duplicates are fine: consumers are
 * idempotent and the event id is stable).
 */
export function makeHandler(deps: RelayDeps) {
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const failures: string[] = [];
    const pending: Pending[] = [];
    for (const record of event.Records) {
      const p = toPending(record, deps.busName);
      if (p === 'skip') continue;
      if (p === 'invalid') {
        logger.error('Malformed outbox record', { eventID: record.eventID });
        if (record.dynamodb?.SequenceNumber) failures.push(record.dynamodb.SequenceNumber);
        continue;
      }
      pending.push(p);
    }

    for (let i = 0; i < pending.length; i += PUT_EVENTS_MAX) {
      const chunk = pending.slice(i, i + PUT_EVENTS_MAX);
      try {
        const res = await deps.bus.putEvents(chunk.map((p) => p.entry));
        if ((res.FailedEntryCount ?? 0) > 0) {
          // result entries are positional: entry i answers request entry i
          chunk.forEach((p, j) => {
            const r = res.Entries?.[j];
            if (!r || r.ErrorCode) {
              logger.warn('Event not accepted', { eventId: p.eventId, errorCode: r?.ErrorCode, errorMessage: r?.ErrorMessage });
              failures.push(p.sequenceNumber);
            }
          });
        }
      } catch (err) {
        logger.error('PutEvents failed', err instanceof Error ? err : String(err));
        failures.push(...chunk.map((p) => p.sequenceNumber));
      }
    }
    return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}
