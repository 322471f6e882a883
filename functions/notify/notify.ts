import { PublishBatchCommand, type PublishBatchCommandOutput } from '@aws-sdk/client-sns';
import type { SQSRecord } from 'aws-lambda';
import * as z from 'zod';
import { eventView, parseSqsRecord } from '../../events/define-event';
import { render, route, type Notification } from '../../shared/domain/notifications';
import { logger, withLogContext } from '../../shared/middleware/logger';
import { messageLogContext, sqsBatchTogether } from '../../shared/middleware/sqs-batch';
import type { Notifications } from '../../shared/app/notifications';
import { readEvery } from '../../shared/app/read-every';

/** One message for a topic. */
export interface TopicMessage {
  subject: string;
  message: string;
}

export interface NotifyDeps {
  notifications: Pick<Notifications, 'settings' | 'recordAll' | 'markAllPublished'>;
  /** department -> topic ARN (the stage's topics); a department without one is only recorded */
  topics: Readonly<Record<string, string>>;
  /** publishes messages to one topic; resolves to each one's outcome, an error for one not published */
  publish: (topicArn: string, messages: readonly TopicMessage[]) => Promise<(Error | undefined)[]>;
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

const asError = (err: unknown) => (err instanceof Error ? err : new Error(String(err)));

/** A notification to record and publish, and the batch's records that asked for it. */
interface Wanted {
  n: Notification;
  records: number[];
}

/**
 * Tells the departments that must act about an event: the settings say which
 * departments hear of it; each notification is recorded (the audit trail, and what
 * GET /notifications shows) and published to the department's topic. A batch is handled
 * as a whole: its notifications recorded together, the new ones published per topic, then
 * marked published together. Recording first makes a redelivery skip what was already
 * published; a record whose notification could not be published is returned to the queue
 * alone.
 */
export function makeHandler(deps: NotifyDeps) {
  const settings = readEvery(() => deps.notifications.settings(), deps.settingsTtlMs ?? 30_000);

  return sqsBatchTogether(async (records: SQSRecord[]) => {
    const outcomes: (Error | undefined)[] = records.map(() => undefined);
    const fail = (w: Wanted, err: Error) => w.records.forEach((i) => (outcomes[i] ??= err));
    const log = (w: Wanted, message: string) => withLogContext(messageLogContext(records[w.records[0]!]!), () =>
      logger.info(message, { department: w.n.department, detailType: w.n.detailType, eventId: w.n.eventId }));

    // one notification per department and event, however often the batch carries the event
    const wanted = new Map<string, Wanted>();
    const current = await settings();
    records.forEach((record, i) => {
      try {
        const { detailType, metadata, data } = parseSqsRecord(DomainEvent, record);
        const departments = route(detailType, current);
        if (departments.length === 0) return;
        const { subject, text } = render({ detailType, data });
        const recordedAt = deps.now().toISOString();
        for (const department of departments) {
          const key = `${department}\n${metadata.eventId}`;
          const same = wanted.get(key);
          if (same) same.records.push(i);
          else wanted.set(key, {
            n: {
              department, eventId: metadata.eventId, detailType, subject, text, occurredAt: metadata.occurredAt, recordedAt,
              ...(typeof data.orderId === 'string' ? { orderId: data.orderId } : {}),
            },
            records: [i],
          });
        }
      } catch (err) {
        outcomes[i] = asError(err);
      }
    });
    if (wanted.size === 0) return outcomes;

    const all = [...wanted.values()];
    const recorded = await deps.notifications.recordAll(all.map((w) => w.n));
    const byTopic = new Map<string, Wanted[]>();
    all.forEach((w, j) => {
      const r = recorded[j]!;
      if (r instanceof Error) return fail(w, r);
      if (!r.isNew && r.publishedAt) return; // published before: a redelivery
      const topic = deps.topics[w.n.department];
      if (!topic) return log(w, 'Notification recorded; the department has no topic in this stage');
      byTopic.set(topic, [...(byTopic.get(topic) ?? []), w]);
    });

    const published: Wanted[] = [];
    await Promise.all([...byTopic].map(async ([topic, ws]) => {
      const results = await deps.publish(topic, ws.map((w) => ({ subject: snsSubject(w.n.subject), message: w.n.text })))
        .catch((err: unknown) => ws.map(() => asError(err)));
      ws.forEach((w, k) => {
        const err = results[k];
        if (err) fail(w, err);
        else published.push(w);
      });
    }));
    if (published.length === 0) return outcomes;

    const marked = await deps.notifications.markAllPublished(published.map((w) => w.n), deps.now());
    published.forEach((w, k) => {
      const err = marked[k];
      if (err) fail(w, err);
      else log(w, 'Notification published');
    });
    return outcomes;
  });
}

/** SNS's limit of entries in one PublishBatch. */
export const PUBLISH_BATCH_ENTRIES = 10;

/** What `publish` needs of an SNS client: PublishBatch. */
export interface PublishBatchClient {
  send(command: PublishBatchCommand): Promise<PublishBatchCommandOutput>;
}

/**
 * `publish` over SNS PublishBatch: up to 10 messages per request; each message's outcome from
 * the answer's Successful and Failed lists, a request that failed failing its messages.
 */
export function publishInBatches(sns: PublishBatchClient): NotifyDeps['publish'] {
  return async (topicArn, messages) => {
    const outcomes: (Error | undefined)[] = [];
    for (let from = 0; from < messages.length; from += PUBLISH_BATCH_ENTRIES) {
      const chunk = messages.slice(from, from + PUBLISH_BATCH_ENTRIES);
      try {
        const out = await sns.send(new PublishBatchCommand({
          TopicArn: topicArn,
          PublishBatchRequestEntries: chunk.map((m, k) => ({ Id: String(k), Subject: m.subject, Message: m.message })),
        }));
        const ok = new Set((out.Successful ?? []).map((s) => s.Id));
        const failed = new Map((out.Failed ?? []).map((f) => [f.Id, f]));
        chunk.forEach((_, k) => {
          const f = failed.get(String(k));
          outcomes.push(ok.has(String(k)) ? undefined : new Error(`SNS did not publish the message: ${f ? `${f.Code} ${f.Message ?? ''}` : 'no answer for it'}`));
        });
      } catch (err) {
        chunk.forEach(() => outcomes.push(asError(err)));
      }
    }
    return outcomes;
  };
}
