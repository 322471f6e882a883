import type { z } from 'zod';
import { EVENTS } from '../../events/catalog';
import { buildEvent, type EventDefinition, type OutgoingEvent } from '../../events/define-event';
import type { ChangeSet, DomainEvent } from '../domain/decision';
import { newId } from '../store/ids';

const CATALOG = new Map<string, EventDefinition<string, string, z.ZodType>>(EVENTS.map((e) => [e.detailType, e]));

export interface EventContext {
  now: Date;
  /** the aggregate the events are about (order id, SKU, adjustment id) */
  correlationId: string;
  /** request id or the consumed event's id */
  causationId: string;
}

/** A decided event as published: validated against its contract, with a fresh id and the envelope metadata. */
export function publishable(event: DomainEvent, ctx: EventContext): OutgoingEvent {
  const def = CATALOG.get(event.detailType);
  if (!def) throw new Error(`Event ${event.detailType} is not in the catalog`);
  return buildEvent(def, event.data, { eventId: newId(ctx.now), occurredAt: ctx.now, correlationId: ctx.correlationId, causationId: ctx.causationId });
}

/** A change set ready for the writer: its events stamped. */
export function stamped(set: ChangeSet, ctx: EventContext): ChangeSet<OutgoingEvent> {
  return { ...set, events: set.events.map((e) => publishable(e, ctx)) };
}
