import { ShipmentStatusChanged } from '../../events/shipping';
import { parseSqsRecord } from '../../events/define-event';
import type { Outbound } from '../../shared/app/outbound';
import { logger } from '../../shared/middleware/logger';
import { sqsBatch } from '../../shared/middleware/sqs-batch';
import { businessMetrics, COUNTS } from '../../shared/observability/metrics';

export interface ShipmentProgressDeps {
  outbound: Pick<Outbound, 'delivered'>;
  now: () => Date;
}

/**
 * A shipment's tracking moved. DELIVERED: its units are delivered, the order
 * PARTIALLY_DELIVERED or DELIVERED (its return window starts), cash on delivery
 * settled. A redelivered event finds the shipment delivered and changes nothing.
 * Other statuses are the notification settings' business (EXCEPTION and
 * DELIVERY_FAILED reach customer service through the notify step).
 */
export function makeHandler(deps: ShipmentProgressDeps) {
  return sqsBatch(async (record) => {
    const { data, metadata } = parseSqsRecord(ShipmentStatusChanged, record);
    if (data.status !== 'DELIVERED') return;
    const { outcome } = await deps.outbound.delivered(data.orderId, data.shipmentId, data.at, { causationId: metadata.eventId, now: deps.now() });
    logger.info('Shipment delivered', { orderId: data.orderId, shipmentId: data.shipmentId, outcome });
    if (outcome === 'delivered') businessMetrics.count(COUNTS.deliveries);
  });
}
