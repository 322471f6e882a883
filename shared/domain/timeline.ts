import { actorLabel, type Actor } from './actor';
import type { TimelineEntry } from './order';

/**
 * THE way a timeline entry is made (order placed, every transition, review, staff
 * notes): when, what, who in the one actor format, and why.
 */
export function timelineEntry(at: Date | string, type: string, actor: Actor | string, detail?: string): TimelineEntry {
  return {
    at: typeof at === 'string' ? at : at.toISOString(),
    type,
    // a string is a label already made by actorLabel (e.g. carried from the request)
    actor: typeof actor === 'string' ? actor : actorLabel(actor),
    ...(detail !== undefined ? { detail } : {}),
  };
}
