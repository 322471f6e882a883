import type { Context } from 'aws-lambda';
import { ConflictError } from '../../shared/domain/errors';
import { logger } from '../../shared/middleware/logger';
import { tickTime, type ScheduledTick } from '../../shared/middleware/schedule';
import type { OrderLifecycle } from '../../shared/app/order-lifecycle';
import { businessMetrics, COUNTS } from '../../shared/observability/metrics';

export const EXPIRY_JOB = { kind: 'system', id: 'expire-unpaid' } as const;
const PAGE = 100;
const PARALLEL = 10;
/** stop taking new pages with less than this left; the next run continues */
const RESERVE_MS = 3000;

export interface ExpireUnpaidDeps {
  lifecycle: Pick<OrderLifecycle, 'dueForExpiry' | 'transition'>;
  now: () => Date;
}

export interface ExpiryRun {
  expired: number;
  /** paid, cancelled or moved by someone else between the index read and the write */
  skipped: number;
}

/**
 * Expires every order past its payment deadline as of the tick's time (the clock when the
 * event carries none), releasing its stock. The due orders
 * come from the payment-due index (a Query, never a scan); each expiry is a conditional
 * transition, so a payment or cancel racing it wins or loses whole, and a stale index
 * entry changes nothing.
 */
export function makeHandler(deps: ExpireUnpaidDeps) {
  return async (event: ScheduledTick | undefined, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<ExpiryRun> => {
    const run: ExpiryRun = { expired: 0, skipped: 0 };
    const seen = new Set<string>();
    const tick = tickTime(event);
    for (;;) {
      const now = tick ?? deps.now();
      const due = (await deps.lifecycle.dueForExpiry(now, PAGE)).filter((id) => !seen.has(id));
      for (let i = 0; i < due.length; i += PARALLEL) {
        await Promise.all(
          due.slice(i, i + PARALLEL).map(async (orderId) => {
            seen.add(orderId);
            try {
              await deps.lifecycle.transition(orderId, { type: 'expire', actor: EXPIRY_JOB }, { causationId: `expire-unpaid:${now.toISOString()}`, now });
              run.expired++;
            } catch (err) {
              if (!(err instanceof ConflictError)) throw err;
              run.skipped++;
              logger.info('Expiry skipped', { orderId, status: err.extensions.status, reason: err.message });
            }
          }),
        );
      }
      if (due.length < PAGE || (context && context.getRemainingTimeInMillis() < RESERVE_MS)) break;
    }
    if (run.expired + run.skipped > 0) logger.info('Expiry run', { ...run });
    businessMetrics.count(COUNTS.ordersExpired, run.expired);
    return run;
  };
}
