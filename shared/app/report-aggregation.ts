import type { Change, ChangeSet } from '../domain/decision';
import { aggregate, shardOf, type Increment, type OrderTrail, type ReportEvent } from '../domain/reports';
import { DEFAULT_WORKFLOW_SETTINGS, WorkflowSettings } from '../domain/workflow-settings';
import { reportRepository, type ReportRepository } from '../store/report-repository';
import { settingsRepository } from '../store/settings-repository';
import type { TableContext } from '../store/table';
import { ConditionFailed, makeWriter, type Writer } from '../store/writer';
import { readEvery } from './read-every';

export interface ReportAggregationDeps {
  reports: Pick<ReportRepository, 'trail'>;
  writer: Pick<Writer, 'commit'>;
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
export class NotYetCountable extends Error {}

function counterChange(inc: Increment, shard: number): Change {
  return inc.sku
    ? { op: 'update', entity: 'reportSku', id: [inc.day, String(shard), inc.sku], set: { day: inc.day, sku: inc.sku }, add: inc.add }
    : { op: 'update', entity: 'reportDay', id: [inc.day, String(shard), inc.part ?? 'sales'], set: { day: inc.day }, add: inc.add };
}

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

  async function commitOnce(set: ChangeSet<never>): Promise<'applied' | 'already'> {
    try {
      await deps.writer.commit(set);
      return 'applied';
    } catch (err) {
      if (err instanceof ConditionFailed && err.find('marker')) return 'already';
      throw err;
    }
  }

  async function attempt(event: ReportEvent, now: Date, firstTry: boolean): Promise<'applied' | 'already'> {
    const [{ trail, read }, timeZone] = await Promise.all([trailFor(event, firstTry), deps.timeZone()]);
    const decided = aggregate(event, trail, timeZone);
    if ('wait' in decided) {
      // what this worker remembered may be behind the table: read before making the queue wait
      if (!read) return attempt(event, now, false);
      throw new NotYetCountable(`${event.type} ${event.eventId}: ${decided.wait}`);
    }
    const shard = shardOf(event.eventId);
    const marker = (part: number): Change => ({
      op: 'put', entity: 'reportSeen', id: [event.orderId, part === 0 ? event.eventId : `${event.eventId}#${part}`], tag: 'marker',
      expect: { exists: false }, item: { eventId: event.eventId, eventType: event.type, at: now.toISOString(), expiresAt: epochIn(now, SEEN_TTL_DAYS) },
    });
    const first: Change[] = [marker(0)];
    const written: OrderTrail | undefined = decided.trail && {
      ...trail, ...decided.trail.set, at: { ...trail?.at, ...decided.trail.at }, version: (trail?.version ?? 0) + 1,
    };
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
    const set = (changes: Change[]): ChangeSet<never> => ({
      aggregate: { entity: 'reportTrail', id: event.orderId }, at: now.toISOString(), changes, events: [], movements: [],
    });
    let outcome: 'applied' | 'already';
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

  return {
    async count(event: ReportEvent, now: Date): Promise<'applied' | 'already'> {
      for (let tries = 1; ; tries++) {
        try {
          return await attempt(event, now, tries === 1);
        } catch (err) {
          // another event of the same order moved its trail meanwhile: read it again
          if (err instanceof ConditionFailed && err.find('trail') && tries < 5) continue;
          throw err;
        }
      }
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
    writer: makeWriter(ctx),
    timeZone: cachedTimeZone(async () => (await settings.get('workflow', WorkflowSettings, DEFAULT_WORKFLOW_SETTINGS)).timeZone),
  });
}
