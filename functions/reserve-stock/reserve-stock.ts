import * as z from 'zod';
import { OrderCancelled, OrderExpired, OrderPlaced, OrderRejected, OrderShipped } from '../../events/orders';
import { eventView, parseSqsRecord } from '../../events/define-event';
import { logger } from '../../shared/middleware/logger';
import { sqsBatch } from '../../shared/middleware/sqs-batch';
import type { OrdersApp } from '../../shared/app';
import type { Stock } from '../../shared/app/stock';
import { placedOrder, type PlacedOrder } from '../../shared/domain/carried-order';
import { businessMetrics, COUNTS, LATENCIES } from '../../shared/observability/metrics';

export interface ReserveStockDeps {
  orders: Pick<OrdersApp, 'reserve'>;
  /** optional so that tests of the reservation alone need no stock store */
  stock?: Pick<Stock, 'syncReorderFlags'>;
  now: () => Date;
}

/**
 * A placed order to reserve, or one that left or shipped: an order of more SKUs than
 * one transaction moves ends its holds in stages after it moved, and if that was
 * interrupted (a crash), this event's delivery ends what is left.
 */
const OrderHoldsEvent = eventView({
  name: 'order placed, left or shipped',
  events: [OrderPlaced, OrderRejected, OrderCancelled, OrderExpired, OrderShipped],
  metadata: ['eventId'],
  // the rest of an OrderPlaced's data is read by its own contract (asPlaced)
  data: z.looseObject({ orderId: z.string(), orderNumber: z.string() }),
});

/** The order as its OrderPlaced describes it, or nothing for the other events (and one that lacks a field). */
function asPlaced(event: { detailType: string; data: unknown }): PlacedOrder | undefined {
  if (event.detailType !== OrderPlaced.detailType) return undefined;
  const placed = OrderPlaced.data.safeParse(event.data);
  return placed.success ? placedOrder(placed.data) : undefined;
}

/**
 * Reserves stock for each placed order, deciding on what its OrderPlaced says (the
 * reservation reads the order only if that went stale, or for a big order). Reserving is idempotent (an order that is no
 * longer PENDING is left alone, apart from ending what a staged reservation or a
 * staged release left held), so redelivered messages change nothing; the events of an
 * order leaving or shipping go the same way and only finish ending its holds. A
 * message that throws is retried and, after maxReceiveCount, lands in the DLQ.
 */
export function makeHandler(deps: ReserveStockDeps) {
  return sqsBatch(async (record) => {
    const event = parseSqsRecord(OrderHoldsEvent, record);
    const result = await deps.orders.reserve(event.data.orderId, event.metadata.eventId, deps.now(), asPlaced(event));
    logger.info('Reservation processed', { detailType: event.detailType, orderId: event.data.orderId, orderNumber: event.data.orderNumber, ...result });
    if (result.outcome === 'rejected') businessMetrics.count(COUNTS.ordersRejectedForStock);
    if (result.outcome === 'reserved') businessMetrics.latency(LATENCIES.placedToReserved, result.placedAt, deps.now());
    if (result.outcome !== 'reserved' || !deps.stock || result.reorderCheck.length === 0) return;
    // Follow-up, not part of the reservation: flag SKUs now at or below their reorder
    // point (StockLow once per crossing); a SKU without a reorder point needs none. A
    // failure here must not redeliver the order, which is reserved already; the hourly
    // reconciliation repairs a missed flag.
    const skus = result.reorderCheck;
    const outcomes = await deps.stock.syncReorderFlags(skus, deps.now(), event.metadata.eventId).catch((err: unknown) => skus.map(() => ({ status: 'rejected' as const, reason: err })));
    outcomes.forEach((o, i) => {
      if (o.status === 'rejected') logger.warn('Reorder flag not updated', { sku: skus[i], error: o.reason instanceof Error ? o.reason.message : String(o.reason) });
    });
  });
}
