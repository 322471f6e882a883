import type { Context } from 'aws-lambda';
import type { Webhooks } from '../../shared/app/webhooks';
import { logger } from '../../shared/middleware/logger';
import { tickTime, type ScheduledTick } from '../../shared/middleware/schedule';
import { COUNTS, type BusinessMetrics } from '../../shared/observability/metrics';

export interface WebhookRetriesDeps {
  webhooks: Pick<Webhooks, 'retryDue'>;
  metrics: BusinessMetrics;
}

/** deliveries looked at per run; the rest wait for the next run, a minute later */
export const RETRY_PAGE = 200;

/**
 * Retries webhook deliveries whose backoff has passed as of the tick's time (the clock when
 * the event carries none; a sparse index sorted by next
 * attempt: one Query, no scan). Retries live in the table, not in SQS: a retry window
 * of 24 hours is beyond SQS's longest delay (15 minutes) and its visibility timeout
 * (12 hours), and the table is also where the admin sees each delivery's state.
 */
export function makeHandler(deps: WebhookRetriesDeps) {
  return async (event: ScheduledTick | undefined, context?: Pick<Context, 'getRemainingTimeInMillis'>) => {
    const remaining = () => context?.getRemainingTimeInMillis() ?? Number.POSITIVE_INFINITY;
    const run = await deps.webhooks.retryDue(RETRY_PAGE, remaining, tickTime(event));
    if (run.failed > 0) {
      deps.metrics.count(COUNTS.webhookDeliveriesFailed, run.failed);
      logger.error('Webhook deliveries failed for good after their retry window', run);
    } else if (run.attempted > 0) logger.info('Webhook deliveries retried', run);
    return run;
  };
}
