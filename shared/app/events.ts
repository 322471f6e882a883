import { buildEvent, type AnyEventDefinition, type OutgoingEvent } from '../../events/define-event';
import type { ChangeSet, DomainEvent } from '../domain/decision';
import { newId } from '../store/ids';

export interface EventContext {
  now: Date;
  /** the aggregate the events are about (order id, SKU, adjustment id) */
  correlationId: string;
  /** request id or the consumed event's id */
  causationId: string;
}

export type Stamp = (set: ChangeSet, ctx: EventContext) => ChangeSet<OutgoingEvent>;

/**
 * What stamps a use case's change sets: each decided event validated against its contract,
 * with a fresh id and the envelope metadata. A use case names the events it publishes (by
 * area, events/<area>.ts), so a function's bundle carries only those contracts; an event
 * outside them is a bug and fails here, before anything is written.
 */
export function stamper(...published: readonly (readonly AnyEventDefinition[])[]): Stamp {
  const contracts = new Map(published.flat().map((e) => [e.detailType, e]));
  const publishable = (event: DomainEvent, ctx: EventContext): OutgoingEvent => {
    const def = contracts.get(event.detailType);
    if (!def) throw new Error(`Event ${event.detailType} is not among the events this use case publishes`);
    return buildEvent(def, event.data, { eventId: newId(ctx.now), occurredAt: ctx.now, correlationId: ctx.correlationId, causationId: ctx.causationId });
  };
  return (set, ctx) => ({ ...set, events: set.events.map((e) => publishable(e, ctx)) });
}
