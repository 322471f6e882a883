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
  messages: Pick<CustomerMessages, 'contact' | 'wasSent' | 'claimSend' | 'releaseSend' | 'markSent'>;
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

/** How long a delivery holds an event's send: far longer than a send takes; a holder that died frees it after this. */
export const SEND_HOLD_MS = 30_000;
/** How long a copy of an event waits for another delivery that is sending it before the queue brings it back (well inside the function's 10 s timeout). */
const WAIT_FOR_OTHER_MS = 5_000;
const WAIT_STEP_MS = 200;

/**
 * Tells the customer of an event by e-mail, once per event. A delivery takes the event's
 * send (a hold, put if no other delivery holds it) before it sends, and writes the
 * sent-marker after: a redelivery after the marker sends nothing, and a copy that meets
 * another delivery's hold (two copies in one batch, or in two containers at once) waits for
 * its marker. A failed send gives the hold back and throws, so the queue delivers the event
 * again; a crash between the send and the marker can still send it twice (at least once,
 * never lost).
 */
export function makeHandler(deps: CustomerMessagesDeps) {
  /** Waits until the event is sent by another delivery (true) or this one holds its send (false). */
  async function sentOrHeld(eventId: string, holder: string): Promise<boolean> {
    const giveUp = Date.now() + WAIT_FOR_OTHER_MS;
    for (;;) {
      if (await deps.messages.wasSent(eventId)) return true;
      const now = deps.now();
      if (await deps.messages.claimSend(eventId, holder, now, now.getTime() + SEND_HOLD_MS)) return false;
      if (Date.now() > giveUp) throw new Error(`Event ${eventId} is being sent by another delivery; retry`);
      await new Promise((r) => setTimeout(r, WAIT_STEP_MS));
    }
  }

  return sqsBatch(async (record: SQSRecord) => {
    const { detailType, metadata, data } = parseSqsRecord(MessageEvent, record);
    const event = CustomerMessageEvent.parse({ detailType, data });
    const { eventId } = metadata;
    const orderId = event.data.orderId;
    if (await sentOrHeld(eventId, record.messageId)) {
      logger.info('Customer message already sent', { detailType, orderId, eventId });
      return;
    }
    try {
      const contact = await deps.messages.contact(orderId);
      if (!contact) throw new Error(`Order ${orderId} not found`);
      const message = customerMessage(event, contact, { trackingBaseUrl: deps.trackingBaseUrl });
      if (!message) {
        logger.info('No customer message: the order has no e-mail address', { detailType, orderId, eventId });
        await deps.messages.releaseSend(eventId, record.messageId);
        return;
      }
      const messageId = await deps.send(message);
      const marked = await deps.messages.markSent({ eventId, orderId, detailType, messageId, sentAt: deps.now().toISOString() });
      logger.info(marked ? 'Customer message sent' : 'Customer message sent by a concurrent delivery too', { detailType, orderId, eventId, messageId });
    } catch (err) {
      await deps.messages.releaseSend(eventId, record.messageId).catch(() => undefined);
      throw err;
    }
  });
}
