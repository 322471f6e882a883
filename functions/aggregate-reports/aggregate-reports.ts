import type { SQSRecord } from 'aws-lambda';
import {
  OrderApproved, OrderDelivered, OrderPaid, OrderPlaced, OrderShipped, PaymentSucceeded, RefundIssued,
} from '../../events/catalog';
import { EventBridgeEvent, type AnyEventDefinition } from '../../events/define-event';
import type { ReportAggregation } from '../../shared/app/report-aggregation';
import type { ReportEvent } from '../../shared/domain/reports';
import { logger } from '../../shared/middleware/logger';
import { sqsBatch } from '../../shared/middleware/sqs-batch';

export interface AggregateReportsDeps {
  reports: Pick<ReportAggregation, 'count'>;
  now: () => Date;
}

/** The events the reports count (the bus rule in infra/queued-steps.ts sends exactly these). */
export const REPORTED_EVENTS = [OrderPlaced, OrderApproved, OrderPaid, OrderShipped, OrderDelivered, PaymentSucceeded, RefundIssued] as const;

/** An event as the report counters read it. */
export function reportEventOf(input: unknown): ReportEvent {
  const envelope = EventBridgeEvent.parse(input);
  const def = REPORTED_EVENTS.find((d) => d.accepts(envelope.source, envelope['detail-type'])) as AnyEventDefinition | undefined;
  if (!def) throw new Error(`Unexpected event ${envelope.source}/${envelope['detail-type']}`);
  const { metadata, data } = def.parseDetail(envelope.detail) as { metadata: { eventId: string; occurredAt: string }; data: Record<string, unknown> };
  const base = { eventId: metadata.eventId, occurredAt: metadata.occurredAt, orderId: String(data.orderId) };
  switch (def.detailType) {
    case 'OrderPlaced': {
      const d = OrderPlaced.data.parse(data);
      return { ...base, type: 'OrderPlaced', channel: d.channel, placedAt: d.placedAt, subtotal: d.totals.subtotal, total: d.totals.total, lines: d.lines };
    }
    case 'PaymentSucceeded': {
      const d = PaymentSucceeded.data.parse(data);
      return { ...base, type: 'PaymentSucceeded', method: d.method, amount: d.amount };
    }
    case 'RefundIssued':
      return { ...base, type: 'RefundIssued', amount: RefundIssued.data.parse(data).amount };
    default:
      return { ...base, type: def.detailType as 'OrderApproved' | 'OrderPaid' | 'OrderShipped' | 'OrderDelivered' };
  }
}

/**
 * Counts order, payment and refund events into the report counters, each exactly once
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
