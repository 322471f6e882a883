import { OrderPlaced } from '../../events/catalog';
import { parseSqsRecord } from '../../events/define-event';
import { logger } from '../../shared/middleware/logger';
import { sqsBatch } from '../../shared/middleware/sqs-batch';
import type { OrdersApp } from '../../shared/app';
import type { Stock } from '../../shared/app/stock';

export interface ReserveStockDeps {
  orders: Pick<OrdersApp, 'reserve'>;
  /** optional so that tests of the reservation alone need no stock store */
  stock?: Pick<Stock, 'syncReorderFlags'>;
  now: () => Date;
}

/**
 * Reserves stock for each placed order. Reserving is idempotent (an order that is no
 * longer PENDING is left alone), so redelivered messages change nothing; a message
 * that throws is retried and, after maxReceiveCount, lands in the DLQ.
 */
export function makeHandler(deps: ReserveStockDeps) {
  return sqsBatch(async (record) => {
    const placed = parseSqsRecord(OrderPlaced, record);
    const result = await deps.orders.reserve(placed.data.orderId, placed.metadata.eventId, deps.now());
    logger.info('Reservation processed', { orderId: placed.data.orderId, orderNumber: placed.data.orderNumber, ...result });
    if (result.outcome !== 'reserved' || !deps.stock) return;
    // Follow-up, not part of the reservation: flag SKUs now at or below their reorder
    // point (StockLow once per crossing). A failure here must not redeliver the order,
    // which is reserved already; the hourly reconciliation repairs a missed flag.
    const skus = result.reservations.map((r) => r.sku);
    const outcomes = await deps.stock.syncReorderFlags(skus, deps.now(), placed.metadata.eventId).catch((err: unknown) => skus.map(() => ({ status: 'rejected' as const, reason: err })));
    outcomes.forEach((o, i) => {
      if (o.status === 'rejected') logger.warn('Reorder flag not updated', { sku: skus[i], error: o.reason instanceof Error ? o.reason.message : String(o.reason) });
    });
  });
}
