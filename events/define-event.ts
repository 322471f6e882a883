import type { SQSRecord } from 'aws-lambda';
import * as z from 'zod';

// Every event on the bus has the same envelope; `data` is the event's own contract.
// A published version is never changed: a breaking change becomes version 2, and
// both are published while consumers move. Nothing here (or anywhere in events/)
// imports from shared/: a refactor of the domain cannot change a contract silently.

export const EventMetadata = z.object({
  eventId: z.string().min(1),
  occurredAt: z.iso.datetime(),
  correlationId: z.string().min(1),
  causationId: z.string().min(1),
  schemaVersion: z.int().min(1),
});
export type EventMetadata = z.infer<typeof EventMetadata>;

/** What a consumer expects to receive: which events, and the envelope it reads of them. */
export interface EventContract<T> {
  /** for error messages */
  readonly name: string;
  accepts(source: string, detailType: string): boolean;
  /** validates an EventBridge `detail` (metadata and data) */
  parseDetail(detail: unknown): T;
}

export interface EventDefinition<S extends string, D extends string, T extends z.ZodType> extends EventContract<{ metadata: EventMetadata; data: z.infer<T> }> {
  source: S;
  detailType: D;
  version: number;
  data: T;
  /** The EventBridge `detail`: envelope with metadata and data. */
  detail: z.ZodObject<{ metadata: typeof EventMetadata; data: T }>;
}

export type AnyEventDefinition = EventDefinition<string, string, z.ZodType>;

export function defineEvent<S extends string, D extends string, T extends z.ZodType>(def: {
  source: S;
  detailType: D;
  version: number;
  /**
   * The data's schema, built on first use: a function's bundle loads whole event modules,
   * and most functions publish or read only a few of the events they hold.
   */
  data: () => T;
}): EventDefinition<S, D, T> {
  let data: T | undefined;
  let detail: z.ZodObject<{ metadata: typeof EventMetadata; data: T }> | undefined;
  const dataSchema = () => (data ??= def.data());
  const detailSchema = () =>
    (detail ??= z.object({
      metadata: EventMetadata.extend({ schemaVersion: z.literal(def.version) }),
      data: dataSchema(),
    }) as unknown as z.ZodObject<{ metadata: typeof EventMetadata; data: T }>);
  return {
    source: def.source,
    detailType: def.detailType,
    version: def.version,
    get data() {
      return dataSchema();
    },
    get detail() {
      return detailSchema();
    },
    name: `${def.source}/${def.detailType}`,
    accepts: (source, detailType) => source === def.source && detailType === def.detailType,
    parseDetail: (input) => detailSchema().parse(input) as { metadata: EventMetadata; data: z.infer<T> },
  };
}

/**
 * A consumer's view of several events (a tolerant reader): the metadata fields and
 * the data fields it uses, nothing more, for consumers that fan in many events
 * (notifications, customer stats). `events` lists the definitions it takes, or
 * `{ sourcePrefix }` for every event of those sources, known or not yet.
 */
export function eventView<M extends keyof EventMetadata, T extends z.ZodType>(view: {
  name: string;
  events: readonly AnyEventDefinition[] | { sourcePrefix: string };
  metadata: readonly M[];
  data: T;
}): EventContract<{ metadata: Pick<EventMetadata, M>; data: z.infer<T> }> {
  const mask = Object.fromEntries(view.metadata.map((k) => [k, true])) as Partial<Record<keyof EventMetadata, true>>;
  let detail: z.ZodType | undefined;
  const { events } = view;
  return {
    name: view.name,
    accepts: (source, detailType) =>
      'sourcePrefix' in events ? source.startsWith(events.sourcePrefix) : events.some((e) => e.accepts(source, detailType)),
    parseDetail: (input) =>
      (detail ??= z.object({ metadata: EventMetadata.pick(mask), data: view.data })).parse(input) as { metadata: Pick<EventMetadata, M>; data: z.infer<T> },
  };
}

export type EventDetail<E extends AnyEventDefinition> = {
  metadata: EventMetadata;
  data: z.infer<E['data']>;
};

/** What the outbox stores and the relay publishes. */
export interface OutgoingEvent {
  eventId: string;
  source: string;
  detailType: string;
  /** JSON of the envelope, exactly as it will be published. */
  detail: string;
}

export function buildEvent<E extends AnyEventDefinition>(
  def: E,
  data: z.infer<E['data']>,
  meta: { eventId: string; occurredAt: Date; correlationId: string; causationId: string },
): OutgoingEvent {
  const envelope = {
    metadata: {
      eventId: meta.eventId,
      occurredAt: meta.occurredAt.toISOString(),
      correlationId: meta.correlationId,
      causationId: meta.causationId,
      schemaVersion: def.version,
    },
    // validated on publish as well as on consume: a producer bug fails here, not downstream
    data: def.data.parse(data),
  };
  return { eventId: meta.eventId, source: def.source, detailType: def.detailType, detail: JSON.stringify(envelope) };
}

/** The EventBridge event as a target (SQS body, Lambda) receives it. */
export const EventBridgeEvent = z.object({
  version: z.string().optional(),
  id: z.string(),
  'detail-type': z.string(),
  source: z.string(),
  account: z.string().optional(),
  time: z.string().optional(),
  region: z.string().optional(),
  resources: z.array(z.string()).optional(),
  detail: z.unknown(),
});
export type EventBridgeEvent = z.infer<typeof EventBridgeEvent>;

/** A received event: which one it is, and its envelope validated by the consumer's contract. */
export type Received<T> = T & { source: string; detailType: string };

/**
 * Reads an EventBridge event (as a rule target receives it) against the contract the
 * consumer expects: an event of another type, or one whose envelope breaks the
 * contract, throws (the queue retries it, then parks it in the DLQ).
 */
export function parseEventBridgeEvent<T>(contract: EventContract<T>, input: unknown): Received<T> {
  const event = EventBridgeEvent.parse(input);
  const { source, 'detail-type': detailType } = event;
  if (!contract.accepts(source, detailType)) {
    throw new Error(`Unexpected event ${source}/${detailType}; expected ${contract.name}`);
  }
  return { ...contract.parseDetail(event.detail), source, detailType };
}

/** The event carried in an SQS message body (EventBridge rule -> SQS target), validated. */
export function parseSqsRecord<T>(contract: EventContract<T>, record: Pick<SQSRecord, 'body'>): Received<T> {
  return parseEventBridgeEvent(contract, JSON.parse(record.body));
}
