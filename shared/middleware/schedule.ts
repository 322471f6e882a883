/** A schedule's tick: EventBridge puts the time it fired for in `time`. */
export interface ScheduledTick {
  time?: string;
}

/**
 * The time a scheduled run works as of: the tick's own time, so a run (and a test that
 * fires the tick for a given time) sees what was due then; undefined when the event carries
 * none (the caller takes the clock).
 */
export function tickTime(event: ScheduledTick | undefined): Date | undefined {
  return event?.time !== undefined && !Number.isNaN(Date.parse(event.time)) ? new Date(event.time) : undefined;
}
