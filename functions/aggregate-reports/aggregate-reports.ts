import type { SQSRecord } from 'aws-lambda';
import type { ReportAggregation } from '../../shared/app/report-aggregation';
import { reportEventOf } from '../../shared/app/report-events';
import type { ReportEvent } from '../../shared/domain/reports';
import { logger } from '../../shared/middleware/logger';
import { sqsBatchTogether } from '../../shared/middleware/sqs-batch';

export { REPORTED_EVENTS, reportEventOf } from '../../shared/app/report-events';

/**
 * Orders whose trail a container remembers from its own writes: the next event of a
 * recent order is counted without reading the trail first (its version condition still
 * guards the count).
 */
export const REMEMBERED_TRAILS = 2000;

export interface AggregateReportsDeps {
  reports: Pick<ReportAggregation, 'countBatch'>;
  now: () => Date;
  /** offers the messages whose event waits for an earlier one again soon (their order's placement is usually a moment behind) */
  retrySooner?: (records: readonly SQSRecord[]) => Promise<void>;
}

const asError = (err: unknown) => (err instanceof Error ? err : new Error(String(err)));

/**
 * Counts order, payment, refund and return events into the report counters, each exactly once
 * (a redelivered event changes nothing), a batch's events together in few transactions. An
 * event that overtook its order's OrderPlaced fails and is retried by the queue until the
 * placement is counted (offered again within seconds, then less often); so is a message
 * that is not a reported event (after the queue's visibility timeout).
 */
export function makeHandler(deps: AggregateReportsDeps) {
  return sqsBatchTogether(async (records: SQSRecord[]) => {
    const parsed = records.map((record): ReportEvent | Error => {
      try {
        return reportEventOf(JSON.parse(record.body));
      } catch (err) {
        return asError(err);
      }
    });
    const events = parsed.filter((e): e is ReportEvent => !(e instanceof Error));
    const counted = await deps.reports.countBatch(events, deps.now());
    let next = 0;
    const outcomes = parsed.map((e) => (e instanceof Error ? e : counted[next++]!));
    const tally = (o: string) => outcomes.filter((x) => x === o).length;
    logger.info('Report counters', { events: records.length, applied: tally('applied'), already: tally('already'), failed: outcomes.filter((x) => x instanceof Error).length });
    return outcomes.map((o) => (o instanceof Error ? o : undefined));
  }, deps.retrySooner ? { retrySooner: deps.retrySooner } : {});
}
