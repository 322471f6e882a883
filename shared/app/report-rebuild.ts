import { compareCounters, countAll, type CounterDrift, type ReportEvent } from '../domain/reports';
import { defaultWorkflowSettings, WorkflowSettings } from '../domain/workflow-settings';
import { reportRepository, type CounterRead, type ReportRepository } from '../store/report-repository';
import { settingsRepository } from '../store/settings-repository';
import type { TableContext } from '../store/table';

export interface ReportRebuildDeps {
  /** the live counters (the worker's) */
  live: Pick<ReportRepository, 'days' | 'skus'>;
  /** a fresh, separate set of counters the rebuild writes into and reads back */
  fresh: Pick<ReportRepository, 'days' | 'skus' | 'addCounters'>;
  /** the business's time zone (workflow settings) */
  timeZone: () => Promise<string>;
}

export interface RebuildResult {
  from?: string;
  to?: string;
  /** reported events read (duplicates included) */
  events: number;
  /** distinct events counted */
  counted: number;
  /** events of orders whose placement is not in the history */
  uncounted: ReportEvent[];
  /** counter items written to the fresh set */
  items: number;
  drifts: CounterDrift[];
}

/**
 * rebuild-reports: counts a history of events (the event lake, or the archive) from
 * scratch with the worker's rules (countAll), writes the counters into a fresh set of
 * report items (a generation of its own: the live set is never touched), reads both
 * sets back for the business days asked (default: every day the history counts) and
 * returns the counters that differ.
 */
export function makeReportRebuild(deps: ReportRebuildDeps) {
  return {
    async rebuild(events: readonly ReportEvent[], range: { from?: string; to?: string } = {}): Promise<RebuildResult> {
      const timeZone = await deps.timeZone();
      const { items, counted, uncounted } = countAll(events, timeZone);
      await deps.fresh.addCounters(items);
      const days = items.map((i) => i.day).sort();
      const from = range.from ?? days[0];
      const to = range.to ?? days[days.length - 1];
      if (!from || !to) return { events: events.length, counted, uncounted, items: items.length, drifts: [] };
      const read = async (set: Pick<ReportRepository, 'days' | 'skus'>) => {
        const both: CounterRead[] = await Promise.all([set.days(from, to), set.skus(from, to)]);
        return both.flatMap((r) => r.items);
      };
      const [live, fresh] = await Promise.all([read(deps.live), read(deps.fresh)]);
      return { from, to, events: events.length, counted, uncounted, items: items.length, drifts: compareCounters(live, fresh) };
    },
  };
}

/** The rebuild over one table: the live set, a fresh generation, the workflow settings' time zone (or the one given). */
export function reportRebuildOver(ctx: TableContext, opts: { generation: string; timeZone?: string }) {
  const settings = settingsRepository(ctx);
  return makeReportRebuild({
    live: reportRepository(ctx),
    fresh: reportRepository(ctx, { generation: opts.generation }),
    timeZone: async () => opts.timeZone ?? (await settings.get('workflow', WorkflowSettings, defaultWorkflowSettings())).timeZone,
  });
}
