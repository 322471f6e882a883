import type { ScheduledEvent } from 'aws-lambda';
import { logger } from '../../shared/middleware/logger';
import type { StockChecks } from '../../shared/app/stock-checks';

export interface ReplenishmentDeps {
  checks: Pick<StockChecks, 'remindReplenishment'>;
  now: () => Date;
}

/** Daily: purchasing hears of every product at or below its reorder point, with the quantity to order. */
export function makeHandler(deps: ReplenishmentDeps) {
  return async (event: Partial<ScheduledEvent> = {}): Promise<{ reminded: number }> => {
    const low = await deps.checks.remindReplenishment(deps.now(), event.id ?? 'schedule');
    logger.info('Replenishment reminders sent', { count: low.length, skus: low.map((l) => `${l.sku}:${l.suggestedQuantity}`) });
    return { reminded: low.length };
  };
}
