import type { TimelineEntry } from '../domain/order';
import { NotFoundError } from '../domain/errors';
import { noteChangeSet } from '../domain/order-changes';
import { ConditionFailed, type Writer } from '../store/writer';
import { stamper } from './events';

/** The events these use cases publish, stamped for the outbox. */
const stamped = stamper();

/** A staff note in the order's timeline, written only if the order exists. */
export function makeAddNote(writer: Writer) {
  return async function addNote(orderId: string, text: string, actor: string, now: Date): Promise<TimelineEntry> {
    const set = noteChangeSet(orderId, text, actor, now);
    try {
      await writer.commit(stamped(set, { now, correlationId: orderId, causationId: orderId }));
    } catch (err) {
      if (err instanceof ConditionFailed && err.find('order')) throw new NotFoundError(`Order ${orderId} not found`);
      throw err;
    }
    return set.timeline!;
  };
}
