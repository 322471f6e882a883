import type { Context } from 'aws-lambda';
import { logger } from '../../shared/middleware/logger';
import { tickTime, type ScheduledTick } from '../../shared/middleware/schedule';
import type { OutboxStore } from '../../shared/store/outbox';
import { removePublished } from '../outbox-relay/outbox-relay';
import { publishEvents, type EventBusPort } from '../outbox-relay/publish';

/** An outbox item still unpublished this long after it was written is re-driven (the relay normally takes well under a second). */
export const SWEEP_AFTER_MS = 2 * 60_000;
const PAGE = 100;
/** stop taking new pages with less than this left; the next run continues */
const RESERVE_MS = 3000;

export interface SweeperDeps {
  outbox: Pick<OutboxStore, 'unpublishedBefore' | 'removePublished'>;
  bus: EventBusPort;
  busName: string;
  now: () => Date;
}

export interface SweepRun {
  republished: number;
  /** still refused by the bus: left in the outbox for the next run */
  failed: number;
}

/**
 * Re-drives the outbox: every item still there SWEEP_AFTER_MS after it was written, as of
 * the tick's time (the clock when the event carries none), because its relay batch failed
 * or exhausted its retries into the failure queue, is published again with the same event
 * id, then deleted. The items come from a sparse "unpublished" index, oldest first: one
 * Query per page, no scan. An item deleted late only causes a duplicate, which consumers
 * dedupe by event id.
 */
export function makeHandler(deps: SweeperDeps) {
  return async (event: ScheduledTick | undefined, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<SweepRun> => {
    const run: SweepRun = { republished: 0, failed: 0 };
    const tick = tickTime(event) ?? deps.now();
    const before = new Date(tick.getTime() - SWEEP_AFTER_MS);
    const seen = new Set<string>();
    for (;;) {
      const page = await deps.outbox.unpublishedBefore(before, PAGE);
      // an item that could not be deleted comes back: never send it twice in one run
      const todo = page.filter((e) => !seen.has(e.eventId));
      if (todo.length === 0) break;
      todo.forEach((e) => seen.add(e.eventId));
      const { accepted, failed } = await publishEvents(deps.bus, deps.busName, todo);
      await removePublished(deps.outbox, accepted);
      run.republished += accepted.length;
      run.failed += failed.length;
      // the bus refuses (the next run tries again), the index is drained, or time is short
      if (failed.length > 0 || page.length < PAGE) break;
      if (context && context.getRemainingTimeInMillis() < RESERVE_MS) break;
    }
    if (run.republished + run.failed > 0) logger.warn('Outbox re-driven', { ...run, olderThan: before.toISOString() });
    return run;
  };
}
