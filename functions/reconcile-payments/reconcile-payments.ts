import type { ScheduledEvent } from 'aws-lambda';
import { logger } from '../../shared/middleware/logger';
import type { PaymentReconciliation, ReconcileRun } from '../../shared/app/payment-reconciliation';
import { businessMetrics, COUNTS } from '../../shared/observability/metrics';

export interface ReconcilePaymentsDeps {
  reconciliation: PaymentReconciliation;
  now: () => Date;
}

/**
 * Asks the providers about attempts long PENDING and payments settled in the last
 * day; a difference is raised as PaymentDriftDetected to finance (and an ERROR log
 * line for the alarm), never corrected.
 */
export function makeHandler(deps: ReconcilePaymentsDeps) {
  return async (event: Partial<ScheduledEvent> = {}): Promise<Omit<ReconcileRun, 'errors'> & { errors: number }> => {
    const run = await deps.reconciliation.reconcileAll(deps.now(), event.id ?? 'schedule');
    if (run.drifts) logger.error('Payment drift detected', { drifts: run.drifts });
    for (const e of run.errors) logger.warn('Provider could not be asked; the next run asks again', e);
    logger.info('Payments reconciled', { ...run, errors: run.errors.length });
    businessMetrics.count(COUNTS.paymentDrifts, run.drifts);
    return { ...run, errors: run.errors.length };
  };
}
