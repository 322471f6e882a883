import type { SQSRecord } from 'aws-lambda';
import { logger } from '../../shared/middleware/logger';
import { sqsBatch } from '../../shared/middleware/sqs-batch';
import { CarrierCallbackMessage } from '../../shared/shipping/callback-message';
import type { TrackingCallbackSink } from '../../shared/shipping/port';

export interface CarrierCallbacksDeps {
  /** the tracking use cases' entry for carrier reports (shipmentTracking in shared/app/shipment-tracking.ts) */
  sink: TrackingCallbackSink;
  now: () => Date;
}

/** The inbox key doubles as the causation of whatever the report changes. */
export const causationOf = (m: CarrierCallbackMessage) => `${m.inbox.provider}:${m.inbox.eventKey}`;

/**
 * Applies each queued carrier report. Applying is idempotent and independent of order
 * (the tracking rules), so a redelivered message changes nothing; an unknown tracking
 * number is acknowledged (logged by the use case); a message that throws is retried and,
 * after maxReceiveCount, parks in the DLQ, as does one that is not a report.
 */
export function makeHandler(deps: CarrierCallbacksDeps) {
  return sqsBatch(async (record: SQSRecord) => {
    const message = CarrierCallbackMessage.parse(JSON.parse(record.body));
    const n = message.notification;
    const { outcome } = await deps.sink.apply(n, { now: deps.now(), causationId: causationOf(message) });
    logger.info('Carrier report applied', { provider: n.provider, eventKey: n.eventKey, trackingNumber: n.trackingNumber, status: n.status, outcome });
  });
}
