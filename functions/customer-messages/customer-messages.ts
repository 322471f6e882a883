import type { SQSRecord } from 'aws-lambda';
import * as z from 'zod';
import { OrderDelivered } from '../../events/orders';
import { ShipmentCreated } from '../../events/outbound';
import { RefundIssued } from '../../events/payments';
import { eventView, parseSqsRecord } from '../../events/define-event';
import { customerMessage, CustomerMessageEvent, type CustomerMessage } from '../../shared/domain/customer-messages';
import { logger } from '../../shared/middleware/logger';
import { sqsBatch } from '../../shared/middleware/sqs-batch';
import type { CustomerMessages } from '../../shared/app/customer-messages';

export interface CustomerMessagesDeps {
  messages: Pick<CustomerMessages, 'contact' | 'wasSent' | 'markSent'>;
  /** Sends one e-mail; answers the mail service's message id. */
  send: (message: CustomerMessage) => Promise<string>;
  /** Base URL of the public tracking route. */
  trackingBaseUrl: string;
  now: () => Date;
}

const MessageEvent = eventView({
  name: 'event the customer is told of',
  events: [ShipmentCreated, OrderDelivered, RefundIssued],
  metadata: ['eventId'],
  data: z.looseObject({ orderId: z.string() }),
});

/**
 * Tells the customer of an event by e-mail, once per event: a sent-marker keyed by the
 * event id is checked before the send and written (put-if-absent) after it. A redelivery
 * after the marker sends nothing, nor does a second copy in the same container while the
 * first is being told; a crash between the send and the marker, or two copies of one event
 * in two containers at the same moment, can send it twice (at least once, never lost:
 * a failed send or a failed marker write throws and the queue delivers the event again).
 */
export function makeHandler(deps: CustomerMessagesDeps) {
  /** what this container is telling now, by event id: the same event twice in one batch (records run side by side) is told once */
  const telling = new Map<string, Promise<void>>();

  async function tell(event: CustomerMessageEvent, eventId: string, earlier: Promise<void> | undefined): Promise<void> {
    // a second delivery of an event being told waits for the first, then finds its marker
    await earlier?.catch(() => undefined);
    const { detailType } = event;
    const orderId = event.data.orderId;
    if (await deps.messages.wasSent(eventId)) {
      logger.info('Customer message already sent', { detailType, orderId, eventId });
      return;
    }
    const contact = await deps.messages.contact(orderId);
    if (!contact) throw new Error(`Order ${orderId} not found`);
    const message = customerMessage(event, contact, { trackingBaseUrl: deps.trackingBaseUrl });
    if (!message) {
      logger.info('No customer message: the order has no e-mail address', { detailType, orderId, eventId });
      return;
    }
    const messageId = await deps.send(message);
    const marked = await deps.messages.markSent({ eventId, orderId, detailType, messageId, sentAt: deps.now().toISOString() });
    logger.info(marked ? 'Customer message sent' : 'Customer message sent by a concurrent delivery too', { detailType, orderId, eventId, messageId });
  }

  return sqsBatch(async (record: SQSRecord) => {
    const { detailType, metadata, data } = parseSqsRecord(MessageEvent, record);
    const event = CustomerMessageEvent.parse({ detailType, data });
    const run = tell(event, metadata.eventId, telling.get(metadata.eventId));
    telling.set(metadata.eventId, run);
    try {
      await run;
    } finally {
      if (telling.get(metadata.eventId) === run) telling.delete(metadata.eventId);
    }
  });
}
