import { ShipmentCreated } from '../../events/outbound';
import { parseSqsRecord } from '../../events/define-event';
import type { TrackingSubscriber } from '../../shared/shipping/carriers/kuaidi100';
import { logger } from '../../shared/middleware/logger';
import { sqsBatch } from '../../shared/middleware/sqs-batch';

export interface CarrierSubscriptionsDeps {
  subscriber: () => TrackingSubscriber;
  /** the receiver's phone (SF Express answers a subscription only with it) */
  phoneOf: (orderId: string) => Promise<string | undefined>;
  /** the API's public base URL, where Kuaidi100 pushes (`…/webhooks/carriers/kuaidi100`) */
  publicApiUrl: string | undefined;
}

/**
 * A kuaidi100 parcel shipped: Kuaidi100 is asked to push its tracking to us (it books no
 * waybill here, so the subscription is what makes the callbacks come). The rule sends
 * only kuaidi100 shipments; a redelivered event finds the parcel subscribed already,
 * which Kuaidi100 answers as a duplicate and is no error.
 */
export function makeHandler(deps: CarrierSubscriptionsDeps) {
  return sqsBatch(async (record) => {
    const { data } = parseSqsRecord(ShipmentCreated, record);
    if (data.carrier !== 'kuaidi100') return;
    if (!deps.publicApiUrl) throw new Error('PUBLIC_API_URL is not set: Kuaidi100 cannot be told where to push');
    const phone = await deps.phoneOf(data.orderId);
    const { alreadySubscribed } = await deps.subscriber().subscribe({
      trackingNumber: data.trackingNumber,
      company: data.courier,
      notifyUrl: `${deps.publicApiUrl.replace(/\/+$/, '')}/webhooks/carriers/kuaidi100`,
      ...(phone ? { phone } : {}),
    });
    logger.info('Parcel subscribed with Kuaidi100', { orderId: data.orderId, trackingNumber: data.trackingNumber, courier: data.courier ?? 'auto', alreadySubscribed });
  });
}
