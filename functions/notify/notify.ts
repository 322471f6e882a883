import type { SQSRecord } from 'aws-lambda';
import * as z from 'zod';
import { eventView, parseSqsRecord } from '../../events/define-event';
import { render, route } from '../../shared/domain/notifications';
import { logger } from '../../shared/middleware/logger';
import { sqsBatch } from '../../shared/middleware/sqs-batch';
import type { Notifications } from '../../shared/app/notifications';
import { readEvery } from '../../shared/app/read-every';

export interface NotifyDeps {
  notifications: Pick<Notifications, 'settings' | 'record' | 'markPublished'>;
  /** department -> topic ARN (the stage's topics); a department without one is only recorded */
  topics: Readonly<Record<string, string>>;
  publish: (topicArn: string, subject: string, message: string) => Promise<void>;
  now: () => Date;
  /** how long read settings are reused; an admin's change applies within this time */
  settingsTtlMs?: number;
}

/** Every domain event, known to the catalog or not yet: the settings route it by detail-type. */
const DomainEvent = eventView({
  name: 'any oms.* event',
  events: { sourcePrefix: 'oms.' },
  metadata: ['eventId', 'occurredAt'],
  data: z.record(z.string(), z.unknown()),
});

/** SNS subjects: ASCII, no line breaks, under 100 characters. */
export const snsSubject = (s: string) => s.replace(/[^\x20-\x7E]/g, '?').slice(0, 99);

/**
 * Tells the departments that must act about an event: the settings say which
 * departments hear of it; each notification is recorded (the audit trail, and what
 * GET /notifications shows) and published to the department's topic. Recording first
 * makes a redelivery skip what was already published.
 */
export function makeHandler(deps: NotifyDeps) {
  const settings = readEvery(() => deps.notifications.settings(), deps.settingsTtlMs ?? 30_000);

  return sqsBatch(async (record: SQSRecord) => {
    const { detailType, metadata, data } = parseSqsRecord(DomainEvent, record);
    const departments = route(detailType, await settings());
    if (departments.length === 0) return;
    const { subject, text } = render({ detailType, data });
    for (const department of departments) {
      const now = deps.now();
      const n = {
        department, eventId: metadata.eventId, detailType, subject, text, occurredAt: metadata.occurredAt, recordedAt: now.toISOString(),
        ...(typeof data.orderId === 'string' ? { orderId: data.orderId } : {}),
      };
      const recorded = await deps.notifications.record(n);
      if (!recorded.isNew && recorded.publishedAt) continue;
      const topic = deps.topics[department];
      if (!topic) {
        logger.info('Notification recorded; the department has no topic in this stage', { department, detailType, eventId: metadata.eventId });
        continue;
      }
      await deps.publish(topic, snsSubject(subject), text);
      await deps.notifications.markPublished(n, deps.now());
      logger.info('Notification published', { department, detailType, eventId: metadata.eventId });
    }
  });
}
