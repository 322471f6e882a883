import type { SQSRecord } from 'aws-lambda';
import { logger } from '../../shared/middleware/logger';
import { sqsBatch } from '../../shared/middleware/sqs-batch';
import { PaymentCallbackMessage } from '../../shared/payments/callback-message';
import type { PaymentCallbackSink } from '../../shared/payments/port';
import { businessMetrics, COUNTS, LATENCIES } from '../../shared/observability/metrics';

export interface PaymentCallbacksDeps {
  /** the payment use cases' entry for provider notifications (paymentCallbacks(store) in shared/app/payments.ts) */
  sink: PaymentCallbackSink;
  now: () => Date;
}

/** The inbox key doubles as the causation of whatever the notification changes. */
export const causationOf = (m: PaymentCallbackMessage) => `${m.inbox.provider}:${m.inbox.eventKey}`;

/** What an applied notification concluded: a payment made or failed, money refunded. */
function recordOutcome(outcome: string, placedAt: string | undefined, now: Date): void {
  if (outcome === 'paid') {
    businessMetrics.count(COUNTS.paymentsSucceeded);
    businessMetrics.latency(LATENCIES.placedToPaid, placedAt, now);
  }
  if (outcome === 'failed') businessMetrics.count(COUNTS.paymentsFailed);
  if (outcome === 'refunded') businessMetrics.count(COUNTS.refunds);
}

/**
 * Applies each queued provider notification. Applying is idempotent and ordered by
 * the payment's rank (the use case's job), so a redelivered message changes nothing;
 * a message that throws is retried and, after maxReceiveCount, parks in the DLQ.
 * A message that is not a notification is a bug upstream: it fails into the DLQ too.
 */
export function makeHandler(deps: PaymentCallbacksDeps) {
  return sqsBatch(async (record: SQSRecord) => {
    const message = PaymentCallbackMessage.parse(JSON.parse(record.body));
    const n = message.notification;
    const { outcome, placedAt } = await deps.sink.apply(n, { now: deps.now(), causationId: causationOf(message) });
    logger.info('Callback applied', { provider: n.provider, eventKey: n.eventKey, kind: n.kind, status: n.status, paymentId: n.paymentId, outcome });
    recordOutcome(outcome, placedAt, deps.now());
  });
}
