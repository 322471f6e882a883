import type { Change, ChangeSet } from '../domain/decision';
import { WaitsForEarlierEvent } from '../domain/errors';
import { aggregate, shardOf, trailAfter, type Aggregation, type Increment, type OrderTrail, type ReportEvent } from '../domain/reports';
import { defaultWorkflowSettings, WorkflowSettings } from '../domain/workflow-settings';
import { reportRepository, type ReportRepository } from '../store/report-repository';
import { settingsRepository } from '../store/settings-repository';
import type { TableContext } from '../store/table';
import { makeBatchWriter, type BatchWriter } from '../store/batch-writer';
import { ConditionFailed } from '../store/writer';
import { readEvery } from './read-every';

export interface ReportAggregationDeps {
  reports: Pick<ReportRepository, 'trail' | 'trails'>;
  writer: Pick<BatchWriter, 'commit' | 'commitTogether'>;
  /** the business's time zone (workflow settings) */
  timeZone: () => Promise<string>;
  /**
   * How many orders' trails the worker remembers from its own writes (0, the default: it
   * reads the trail before every event). A remembered trail saves the read; the version
   * condition on the trail still guards the transaction, so one that another container
   * moved meanwhile fails that condition and is read again.
   */
  rememberTrails?: number;
}

/** Markers are kept this long: a redelivery, a DLQ redrive or an archive replay within it counts nothing twice. */
export const SEEN_TTL_DAYS = 90;
/** The trail outlives the order's last event (a refund months after delivery still finds its channel). */
export const TRAIL_TTL_DAYS = 400;
const epochIn = (now: Date, days: number) => Math.floor(now.getTime() / 1000) + days * 86_400;

/** SKU counter items per transaction (an order has at most 100 lines: two parts at most). */
const SKU_CHUNK = 90;

/** The event's counters wait for an earlier event of the same order: the queue retries it. */
export class NotYetCountable extends WaitsForEarlierEvent {}

function counterChange(inc: Increment, shard: number): Change {
  return inc.sku
    ? { op: 'update', entity: 'reportSku', id: [inc.day, String(shard), inc.sku], set: { day: inc.day, sku: inc.sku }, add: inc.add }
    : { op: 'update', entity: 'reportDay', id: [inc.day, String(shard), inc.part ?? 'sales'], set: { day: inc.day }, add: inc.add };
}

type Decided = Extract<Aggregation, { increments: Increment[] }>;
type Outcome = 'applied' | 'already';

/**
 * The changes that count a decided event: its marker, the trail update (conditioned on the
 * version it was decided on) and the counters on `shard`, in parts of at most SKU_CHUNK SKU
 * items (an order of more SKUs than one part takes has more than one), and the trail as
 * written.
 */
function countChanges(event: ReportEvent, trail: OrderTrail | undefined, decided: Decided, now: Date, shard: number) {
  const marker = (part: number): Change => ({
    op: 'put', entity: 'reportSeen', id: [event.orderId, part === 0 ? event.eventId : `${event.eventId}#${part}`], tag: 'marker',
    expect: { exists: false }, item: { eventId: event.eventId, eventType: event.type, at: now.toISOString(), expiresAt: epochIn(now, SEEN_TTL_DAYS) },
  });
  const first: Change[] = [marker(0)];
  const written = decided.trail && trailAfter(trail, decided.trail);
  if (written) {
    first.push({
      op: 'update', entity: 'reportTrail', id: [event.orderId], tag: 'trail',
      expect: trail ? { equals: { version: trail.version } } : { exists: false },
      set: { orderId: event.orderId, ...decided.trail!.set, at: written.at, version: written.version, expiresAt: epochIn(now, TRAIL_TTL_DAYS) },
    });
  }
  // SKU counters go in fixed chunks, so a retry after a partial run cuts them the same way
  // (part 0 also holds the marker, the trail and at most 4 day items: 96 actions at most)
  const days = decided.increments.filter((i) => !i.sku).map((inc) => counterChange(inc, shard));
  const skus = decided.increments.filter((i) => i.sku).map((inc) => counterChange(inc, shard));
  const parts: Change[][] = [[...first, ...days, ...skus.slice(0, SKU_CHUNK)]];
  for (let i = SKU_CHUNK; i < skus.length; i += SKU_CHUNK) parts.push([marker(parts.length), ...skus.slice(i, i + SKU_CHUNK)]);
  return { parts, written };
}

const changeSet = (event: ReportEvent, changes: Change[], now: Date): ChangeSet<never> => ({
  aggregate: { entity: 'reportTrail', id: event.orderId }, at: now.toISOString(), changes, events: [], movements: [],
});

/**
 * Counts one event into the report counters exactly once: the event's marker is put
 * (if absent) in the same TransactWriteItems as its ADDs and the order's trail update
 * (conditioned on the trail's version, so two events of one order never both miss
 * each other's stage time). An order of many SKUs that does not fit one transaction
 * is counted in parts, each with its own marker.
 */
export function makeReportAggregation(deps: ReportAggregationDeps) {
  const remembered = new Map<string, OrderTrail>();
  const limit = deps.rememberTrails ?? 0;
  const remember = (orderId: string, trail: OrderTrail) => {
    if (limit <= 0) return;
    remembered.delete(orderId);
    remembered.set(orderId, trail);
    if (remembered.size > limit) remembered.delete(remembered.keys().next().value!);
  };

  /**
   * The order's trail: on a first try, the one this worker wrote last if it remembers one,
   * or none for a placement (which comes first: a trail already there means a redelivery,
   * which the marker's condition finds); read otherwise.
   */
  async function trailFor(event: ReportEvent, firstTry: boolean): Promise<{ trail: OrderTrail | undefined; read: boolean }> {
    if (firstTry && limit > 0) {
      const known = remembered.get(event.orderId);
      if (known) return { trail: known, read: false };
      if (event.type === 'OrderPlaced') return { trail: undefined, read: false };
    }
    return { trail: await deps.reports.trail(event.orderId), read: true };
  }

  async function commitOnce(set: ChangeSet<never>): Promise<Outcome> {
    try {
      await deps.writer.commit(set);
      return 'applied';
    } catch (err) {
      if (err instanceof ConditionFailed && err.find('marker')) return 'already';
      throw err;
    }
  }

  async function attempt(event: ReportEvent, now: Date, firstTry: boolean): Promise<Outcome> {
    const [{ trail, read }, timeZone] = await Promise.all([trailFor(event, firstTry), deps.timeZone()]);
    const decided = aggregate(event, trail, timeZone);
    if ('wait' in decided) {
      // what this worker remembered may be behind the table: read before making the queue wait
      if (!read) return attempt(event, now, false);
      throw new NotYetCountable(`${event.type} ${event.eventId}: ${decided.wait}`);
    }
    const { parts, written } = countChanges(event, trail, decided, now, shardOf(event.eventId));
    const set = (changes: Change[]) => changeSet(event, changes, now);
    let outcome: Outcome;
    try {
      outcome = await commitOnce(set(parts[0]!));
    } catch (err) {
      remembered.delete(event.orderId);
      throw err;
    }
    // counted before (a redelivery): the trail is whatever the table holds now
    if (outcome === 'already') remembered.delete(event.orderId);
    else if (written) remember(event.orderId, written);
    else if (trail) remember(event.orderId, trail);
    // later parts depend only on the order's placement facts: a retry after a partial run completes them
    for (const part of parts.slice(1)) await commitOnce(set(part));
    return outcome;
  }

  async function count(event: ReportEvent, now: Date): Promise<Outcome> {
    for (let tries = 1; ; tries++) {
      try {
        return await attempt(event, now, tries === 1);
      } catch (err) {
        // another event of the same order moved its trail meanwhile: read it again
        if (err instanceof ConditionFailed && err.find('trail') && tries < 5) continue;
        throw err;
      }
    }
  }

  /**
   * The trails a batch's events are decided on: the ones this worker remembers, none for an
   * order whose first event here is its placement (as on the one-event path), the others in
   * one read. `guessed`: orders whose trail was not read from the table.
   */
  async function batchTrails(events: readonly ReportEvent[]) {
    const trails = new Map<string, OrderTrail | undefined>();
    const guessed = new Set<string>();
    const toRead = new Set<string>();
    for (const e of events) {
      if (trails.has(e.orderId) || toRead.has(e.orderId)) continue;
      const known = limit > 0 ? remembered.get(e.orderId) : undefined;
      if (known || (limit > 0 && e.type === 'OrderPlaced')) {
        trails.set(e.orderId, known);
        guessed.add(e.orderId);
      } else toRead.add(e.orderId);
    }
    if (toRead.size) {
      const read = await deps.reports.trails([...toRead]);
      for (const id of toRead) trails.set(id, read.get(id));
    }
    return { trails, guessed };
  }

  return {
    count,

    /**
     * Counts a queue batch's events together, each exactly once, in few transactions: every
     * event decided in the batch's order (an order's later event on the trail its earlier one
     * writes), all counters on the shard of the batch's first event (so a batch adds to each
     * counter item once), the sets written with commitTogether, an order's n-th event of the
     * batch in the n-th round (written only if its earlier one was, as decided). A failed
     * marker is a redelivery; an event whose set failed otherwise, that waited on a trail
     * this worker only remembered, that came after such an event of its order, or whose order
     * is too large for one transaction is counted on the one-event path. Resolves to each
     * event's outcome, or the error that returns it to the queue (NotYetCountable: its order's
     * placement is not counted yet).
     */
    async countBatch(events: readonly ReportEvent[], now: Date): Promise<(Outcome | Error)[]> {
      const results: (Outcome | Error | undefined)[] = events.map(() => undefined);
      if (!events.length) return [];
      const [{ trails, guessed }, timeZone] = await Promise.all([batchTrails(events), deps.timeZone()]);
      const shard = shardOf(events[0]!.eventId);
      const planned: { index: number; event: ReportEvent; trail: OrderTrail | undefined; written?: OrderTrail; set: ChangeSet<never>; round: number }[] = [];
      const alone = new Set<string>(); // orders whose remaining events take the one-event path
      const rounds = new Map<string, number>();
      // placements first: an order's other events are decided on the trail its placement writes
      const placementsFirst = [...events.keys()].sort((x, y) => Number(events[y]!.type === 'OrderPlaced') - Number(events[x]!.type === 'OrderPlaced'));
      placementsFirst.forEach((index) => {
        const event = events[index]!;
        const { orderId } = event;
        if (alone.has(orderId)) return;
        const trail = trails.get(orderId);
        const decided = aggregate(event, trail, timeZone);
        if ('wait' in decided) {
          // what this worker remembered may be behind the table: the one-event path reads it
          if (guessed.has(orderId)) alone.add(orderId);
          else results[index] = new NotYetCountable(`${event.type} ${event.eventId}: ${decided.wait}`);
          return;
        }
        const { parts, written } = countChanges(event, trail, decided, now, shard);
        if (parts.length > 1) {
          alone.add(orderId);
          return;
        }
        const round = rounds.get(orderId) ?? 0;
        rounds.set(orderId, round + 1);
        planned.push({ index, event, trail, ...(written ? { written } : {}), set: changeSet(event, parts[0]!, now), round });
        if (written) trails.set(orderId, written);
      });

      const unwritten = new Set<string>(); // orders with a set not written as decided
      for (let round = 0; planned.some((p) => p.round >= round); round++) {
        const sets = planned.filter((p) => p.round === round && !unwritten.has(p.event.orderId));
        if (!sets.length) continue;
        let outcomes: (Error | undefined)[];
        try {
          outcomes = await deps.writer.commitTogether(sets.map((p) => p.set));
        } catch (err) {
          outcomes = sets.map(() => (err instanceof Error ? err : new Error(String(err))));
        }
        sets.forEach((p, i) => {
          const err = outcomes[i];
          if (!err) {
            results[p.index] = 'applied';
            const trail = p.written ?? p.trail;
            if (trail) remember(p.event.orderId, trail);
            return;
          }
          remembered.delete(p.event.orderId);
          unwritten.add(p.event.orderId);
          // counted before (a redelivery); otherwise left to the one-event path
          if (err instanceof ConditionFailed && err.find('marker')) results[p.index] = 'already';
        });
      }

      // the rest, one by one, placements first
      for (const index of placementsFirst) {
        const event = events[index]!;
        if (results[index] !== undefined) continue;
        try {
          results[index] = await count(event, now);
        } catch (err) {
          results[index] = err instanceof Error ? err : new Error(String(err));
        }
      }
      return results as (Outcome | Error)[];
    },
  };
}
export type ReportAggregation = ReturnType<typeof makeReportAggregation>;

/** The business time zone, read at most once per `ttlMs` (a change applies to events counted after that). */
export const cachedTimeZone = (read: () => Promise<string>, ttlMs = 30_000, clock = () => Date.now()) => readEvery(read, ttlMs, clock);

/** The aggregation over one table: trails and counters, the writer, the workflow settings' time zone. */
export function reportAggregationOver(ctx: TableContext, opts: Pick<ReportAggregationDeps, 'rememberTrails'> = {}) {
  const settings = settingsRepository(ctx);
  return makeReportAggregation({
    ...opts,
    reports: reportRepository(ctx),
    writer: makeBatchWriter(ctx),
    timeZone: cachedTimeZone(async () => (await settings.get('workflow', WorkflowSettings, defaultWorkflowSettings())).timeZone),
  });
}
