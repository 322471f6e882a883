import type { Outbound } from '../../shared/app/outbound';
import { logger } from '../../shared/middleware/logger';

export interface CompleteOrdersDeps {
  outbound: Pick<Outbound, 'completeDue'>;
  now: () => Date;
}

/**
 * Completes the DELIVERED orders whose return window closed: read from the completion
 * due index (a Query, never a scan), each a conditional transition, so an order that
 * moved meanwhile is skipped. Returns do not exist yet; when they do, an order with an
 * open return waits (see Outbound.completeDue).
 */
export function makeHandler(deps: CompleteOrdersDeps) {
  return async (): Promise<{ completed: number; skipped: number }> => {
    const now = deps.now();
    const run = await deps.outbound.completeDue({ causationId: `complete-orders:${now.toISOString()}`, now });
    logger.info('Completion run', run);
    return run;
  };
}
