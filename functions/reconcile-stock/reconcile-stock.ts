import type { ScheduledEvent } from 'aws-lambda';
import { logger } from '../../shared/middleware/logger';
import type { StockChecks } from '../../shared/app/stock-checks';
import { businessMetrics, COUNTS } from '../../shared/observability/metrics';

export interface ReconcileStockDeps {
  checks: Pick<StockChecks, 'reconcileAll'>;
  now: () => Date;
}

/**
 * Hourly: every SKU's reserved count must equal the sum of its live reservations
 * (in total and per location). Drift is an alert — StockDriftDetected to the
 * warehouse, and an ERROR log line for the alarm on errors — never a silent fix.
 */
export function makeHandler(deps: ReconcileStockDeps) {
  return async (event: Partial<ScheduledEvent> = {}): Promise<{ skus: number; drifts: number; unsettled: number }> => {
    const run = await deps.checks.reconcileAll(deps.now(), event.id ?? 'schedule');
    for (const { report, locationId } of run.drifts) {
      logger.error('Stock drift detected', {
        sku: report.sku, locationId: locationId ?? 'total', reserved: report.reserved, expectedReserved: report.expectedReserved,
        drift: report.drift, problems: report.problems.map((p) => p.message),
      });
    }
    if (run.unsettled.length) logger.warn('SKUs kept moving during reconciliation; the next run checks them', { skus: run.unsettled });
    logger.info('Stock reconciled', { skus: run.skus, drifts: run.drifts.length, unsettled: run.unsettled.length });
    businessMetrics.count(COUNTS.stockDrifts, run.drifts.length);
    return { skus: run.skus, drifts: run.drifts.length, unsettled: run.unsettled.length };
  };
}
