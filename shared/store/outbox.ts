import { BatchWriteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import * as z from 'zod';
import type { OutgoingEvent } from '../../events/define-event';
import * as keys from './keys';
import { ENTITY, INDEX, type Key } from './keys';
import type { TableContext } from './table';
import { TABLE_SCHEMA } from './table-schema';
import { lazySchema } from '../domain/lazy-schema';

// The outbox owns its format: the item written beside every change, the stream
// filter that hands new items to the relay (infra/stacks/api-stack.ts), and the
// decoder the relay and the sweeper read items with. Nothing else spells them.

/**
 * An outbox item lives until its event is published (the relay or the sweeper deletes it then,
 * usually within a second). The TTL is the backstop: an event the bus refused for a week goes.
 */
const OUTBOX_TTL_SECONDS = 7 * 24 * 3600;

/** The outbox item as stored (and as an index Query returns it). */
export const OutboxItem = lazySchema(() =>
  z.object({
    pk: z.string(),
    sk: z.string(),
    type: z.literal(ENTITY.outbox),
    eventId: z.string().min(1),
    source: z.string().min(1),
    detailType: z.string().min(1),
    /** the envelope's JSON, exactly as it is published */
    detail: z.string().min(1),
    createdAt: z.string(),
    [TABLE_SCHEMA.timeToLiveAttribute]: z.number(),
    /** the sparse "unpublished" index entry, removed once EventBridge accepted the event */
    gsi2pk: z.string().optional(),
    gsi2sk: z.string().optional(),
  }),
);
export type OutboxItem = z.infer<typeof OutboxItem>;

/** An outbox item read back for publishing: the event, where it is stored, and when it was written. */
export interface StoredOutboxEvent extends OutgoingEvent {
  key: Key;
  createdAt: string;
}

/** BatchWriteItem's limit of requests per call. */
const BATCH_WRITE_MAX = 25;
/** calls per chunk before what is still unprocessed is given up (left in place: the sweeper re-sends it) */
const BATCH_WRITE_ATTEMPTS = 3;

/**
 * The outbox item written in the same transaction as the change the event
 * describes, with its "unpublished" index entry (cleared when published).
 */
export function outboxItem(aggregatePk: string, event: OutgoingEvent, now: Date): OutboxItem {
  const createdAt = now.toISOString();
  return {
    ...keys.outbox(aggregatePk, event.eventId),
    ...keys.outboxUnpublished(createdAt, event.eventId),
    type: ENTITY.outbox,
    eventId: event.eventId,
    source: event.source,
    detailType: event.detailType,
    detail: event.detail,
    createdAt,
    [TABLE_SCHEMA.timeToLiveAttribute]: Math.floor(now.getTime() / 1000) + OUTBOX_TTL_SECONDS,
  };
}

/**
 * Lambda event-source filter for the table stream: new outbox items only (the
 * relay's deletion of a published one is a REMOVE and does not come back). Written
 * in the filter-pattern JSON that `FilterCriteria.filter` takes.
 */
export const OUTBOX_STREAM_FILTER = {
  eventName: ['INSERT'],
  dynamodb: { NewImage: { type: { S: [ENTITY.outbox] } } },
};

// The same item as the stream carries it (AttributeValue form); only what is published is read.
const S = lazySchema(() =>
  z.object({ S: z.string().min(1) }),
);
const OutboxImage = lazySchema(() =>
  z.object({
    pk: S,
    sk: S,
    type: z.object({ S: z.literal(ENTITY.outbox) }),
    eventId: S,
    source: S,
    detailType: S,
    detail: S,
    createdAt: z.object({ S: z.string() }).optional(),
  }),
);

export type DecodedRecord = { kind: 'outbox'; sequenceNumber: string; event: StoredOutboxEvent } | { kind: 'skip' } | { kind: 'invalid' };

/** A stream record: a new outbox item to publish, something else (skip), or a broken outbox item. */
export function decodeOutboxRecord(record: DynamoDBRecord): DecodedRecord {
  if (record.eventName !== 'INSERT') return { kind: 'skip' };
  const image = record.dynamodb?.NewImage as unknown;
  if ((image as { type?: { S?: string } } | undefined)?.type?.S !== ENTITY.outbox) return { kind: 'skip' };
  const parsed = OutboxImage.safeParse(image);
  if (!parsed.success || !record.dynamodb?.SequenceNumber) return { kind: 'invalid' };
  const item = parsed.data;
  return {
    kind: 'outbox',
    sequenceNumber: record.dynamodb.SequenceNumber,
    event: {
      key: { pk: item.pk.S, sk: item.sk.S },
      eventId: item.eventId.S,
      source: item.source.S,
      detailType: item.detailType.S,
      detail: item.detail.S,
      createdAt: item.createdAt?.S ?? '',
    },
  };
}

/** An outbox item as a Query returns it (document form). */
export function decodeOutboxItem(raw: Record<string, unknown>): StoredOutboxEvent {
  const item = OutboxItem.parse(raw);
  return {
    key: { pk: item.pk, sk: item.sk },
    eventId: item.eventId,
    source: item.source,
    detailType: item.detailType,
    detail: item.detail,
    createdAt: item.createdAt,
  };
}

const keyText = (key: Key) => `${key.pk}\n${key.sk}`;

/** What the relay and the sweeper do with the table: find what is still unpublished, and delete it once published. */
export function outboxStore(ctx: TableContext) {
  return {
    /** Outbox items written before `at` and not yet published, oldest first (one Query on the sparse index). */
    async unpublishedBefore(at: Date, limit: number): Promise<StoredOutboxEvent[]> {
      const res = await ctx.doc.send(
        new QueryCommand({
          TableName: ctx.tableName,
          IndexName: INDEX.gsi2,
          KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk < :before',
          ExpressionAttributeValues: { ':pk': keys.outboxUnpublishedPk, ':before': keys.outboxUnpublishedBefore(at.toISOString()) },
          Limit: limit,
        }),
      );
      return (res.Items ?? []).map(decodeOutboxItem);
    },

    /**
     * EventBridge accepted these events: delete their outbox items, 25 per BatchWriteItem.
     * Nothing reads an outbox item once its event is out (the order's timeline is its
     * history, the event lake its archive), so the table keeps no week of copies (a
     * ReturnRequested carries the return's free-text note, which an erasure would chase).
     * Deleting is idempotent: a redelivered stream batch, or the sweeper deleting what the
     * relay already deleted, changes nothing; a REMOVE is not handed back by the relay's
     * stream filter. Returns the events whose items are still there after a few tries at
     * unprocessed items (the sweeper re-sends those; consumers dedupe by event id).
     */
    async removePublished(events: readonly StoredOutboxEvent[]): Promise<StoredOutboxEvent[]> {
      const unique = [...new Map(events.map((e) => [keyText(e.key), e])).values()];
      const left: StoredOutboxEvent[] = [];
      for (let i = 0; i < unique.length; i += BATCH_WRITE_MAX) {
        const chunk = unique.slice(i, i + BATCH_WRITE_MAX);
        let todo = chunk.map((e) => ({ DeleteRequest: { Key: { pk: e.key.pk, sk: e.key.sk } as Key } }));
        for (let attempt = 0; todo.length > 0 && attempt < BATCH_WRITE_ATTEMPTS; attempt++) {
          const res = await ctx.doc.send(new BatchWriteCommand({ RequestItems: { [ctx.tableName]: todo } }));
          todo = (res.UnprocessedItems?.[ctx.tableName] ?? []) as typeof todo;
        }
        const unprocessed = new Set(todo.map((r) => keyText(r.DeleteRequest.Key)));
        left.push(...chunk.filter((e) => unprocessed.has(keyText(e.key))));
      }
      return left;
    },
  };
}
export type OutboxStore = ReturnType<typeof outboxStore>;
