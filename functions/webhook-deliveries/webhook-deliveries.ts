import type { SQSRecord } from 'aws-lambda';
import * as z from 'zod';
import { eventView, parseSqsRecord } from '../../events/define-event';
import type { Webhooks } from '../../shared/app/webhooks';
import { logger } from '../../shared/middleware/logger';
import { sqsBatch } from '../../shared/middleware/sqs-batch';

export interface WebhookDeliveriesDeps {
  webhooks: Pick<Webhooks, 'fanOut'>;
}

/**
 * How long a container reuses the subscriptions it read: one Query per container every
 * couple of seconds instead of one per event. A webhook registered or changed takes effect
 * for events delivered after this time.
 */
export const SUBSCRIPTIONS_TTL_MS = 2_000;

/** Every domain event, known to the catalog or not yet: the subscriptions' patterns choose. */
const DomainEvent = eventView({
  name: 'any oms.* event',
  events: { sourcePrefix: 'oms.' },
  metadata: ['eventId', 'occurredAt'],
  data: z.record(z.string(), z.unknown()),
});

/**
 * Outbound webhooks, first attempts: each event becomes one delivery per subscription
 * that takes it, sent at once. A partner's failure is not the message's: the delivery is
 * kept and retried from the table (webhook-retries), so the message is done once its
 * deliveries are recorded. Only a failure to record them returns it to the queue.
 */
export function makeHandler(deps: WebhookDeliveriesDeps) {
  return sqsBatch(async (record: SQSRecord) => {
    const { metadata, data, source, detailType } = parseSqsRecord(DomainEvent, record);
    const { matched, delivered } = await deps.webhooks.fanOut({ eventId: metadata.eventId, occurredAt: metadata.occurredAt, source, detailType, data });
    if (matched > 0) logger.info('Webhook deliveries', { detailType, eventId: metadata.eventId, matched, delivered });
  });
}
