import type { SQSRecord } from 'aws-lambda';
import type { ReportAggregation } from '../../shared/app/report-aggregation';
import { reportEventOf } from '../../shared/app/report-events';
import { logger } from '../../shared/middleware/logger';
import { sqsBatch } from '../../shared/middleware/sqs-batch';

export { REPORTED_EVENTS, reportEventOf } from '../../shared/app/report-events';

/**
 * Orders whose trail a container remembers from its own writes: the next event of a
 * recent order is counted without reading the trail first (its version condition still
 * guards the count).
 */
export const REMEMBERED_TRAILS = 2000;

export interface AggregateReportsDeps {
  reports: Pick<ReportAggregation, 'count'>;
  now: () => Date;
}

/**
 * Counts order, payment, refund and return events into the report counters, each exactly once
 * (a redelivered event changes nothing). An event that overtook its order's OrderPlaced
 * fails and is retried by the queue until the placement is counted.
 */
export function makeHandler(deps: AggregateReportsDeps) {
  return sqsBatch(async (record: SQSRecord) => {
    const event = reportEventOf(JSON.parse(record.body));
    const outcome = await deps.reports.count(event, deps.now());
    logger.info('Report counters', { type: event.type, eventId: event.eventId, orderId: event.orderId, outcome });
  });
}
