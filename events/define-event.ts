import { z } from 'zod';

// Every event on the bus has the same envelope; `data` is the event's own contract.
// A published version is never changed: a breaking change becomes version 2, and
// both are published while consumers move.

export const EventMetadata = z.object({
  eventId: z.string().min(1),
  occurredAt: z.iso.datetime(),
  correlationId: z.string().min(1),
  causationId: z.string().min(1),
  schemaVersion: z.int().min(1),
});
export type EventMetadata = z.infer<typeof EventMetadata>;

export interface EventDefinition<S extends string, D extends string, T extends z.ZodType> {
  source: S;
  detailType: D;
  version: number;
  data: T;
  /** The EventBridge `detail`: envelope with metadata and data. */
  detail: z.ZodObject<{ metadata: typeof EventMetadata; data: T }>;
}

export function defineEvent<S extends string, D extends string, T extends z.ZodType>(def: {
  source: S;
  detailType: D;
  version: number;
  data: T;
}): EventDefinition<S, D, T> {
  const detail = z.object({
    metadata: EventMetadata.extend({ schemaVersion: z.literal(def.version) }),
    data: def.data,
  }) as unknown as z.ZodObject<{ metadata: typeof EventMetadata; data: T }>;
  return { ...def, detail };
}

export type EventDetail<E extends EventDefinition<string, string, z.ZodType>> = {
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

export function buildEvent<E extends EventDefinition<string, string, z.ZodType>>(
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
