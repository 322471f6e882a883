import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { makeHandler, snsSubject } from '../../../functions/notify/notify';
import { DEFAULT_NOTIFICATION_SETTINGS, type Notification } from '../../../shared/domain/notifications';
import { lambdaContext } from '../../support/api-event';

const event = (detailType: string, eventId: string, data: Record<string, unknown>): SQSEvent => ({
  Records: [
    {
      messageId: eventId, receiptHandle: 'rh', attributes: {} as never, messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:q', awsRegion: 'us-east-1',
      body: JSON.stringify({ id: 'x', 'detail-type': detailType, source: 'oms.orders', detail: { metadata: { eventId, occurredAt: '2026-11-27T04:00:00.000Z' }, data } }),
    },
  ],
});

function fakes() {
  const recorded = new Map<string, Notification & { publishedAt?: string }>();
  const published: string[] = [];
  let settingsReads = 0;
  const handler = makeHandler({
    notifications: {
      settings: async () => (settingsReads++, DEFAULT_NOTIFICATION_SETTINGS),
      recordAll: async (ns) => ns.map((n) => {
        const key = `${n.department}/${n.eventId}`;
        const old = recorded.get(key);
        if (old) return { isNew: false as const, publishedAt: old.publishedAt };
        recorded.set(key, n);
        return { isNew: true as const };
      }),
      markAllPublished: async (ns, at) => ns.map((n) => void (recorded.get(`${n.department}/${n.eventId}`)!.publishedAt = at.toISOString())),
    },
    topics: { 'customer-service': 'arn:cs' },
    publish: async (topic, messages) => messages.map((m) => void published.push(`${topic} ${m.subject}`)),
    now: () => new Date('2026-11-27T04:00:01.000Z'),
  });
  return { handler, recorded, published, settingsReads: () => settingsReads };
}

describe('notify', () => {
  it('records and publishes once per department and event, and reuses the settings it read', async () => {
    const f = fakes();
    const rejected = event('OrderRejected', 'e1', { orderId: 'O1', orderNumber: 'W20261127-0001' });
    await f.handler(rejected, lambdaContext);
    await f.handler(rejected, lambdaContext);
    expect(f.published).toEqual(['arn:cs [OMS] Order rejected: W20261127-0001']);
    expect([...f.recorded.keys()]).toEqual(['customer-service/e1']);
    expect(f.settingsReads()).toBe(1);
  });

  it('records without publishing for a department without a topic; ignores events nobody listens to', async () => {
    const f = fakes();
    await f.handler(event('OrderApproved', 'e2', { orderId: 'O2' }), lambdaContext);
    await f.handler(event('StockReserved', 'e3', { orderId: 'O2' }), lambdaContext);
    expect([...f.recorded.keys()]).toEqual(['warehouse/e2']);
    expect(f.published).toEqual([]);
  });

  it('a malformed message fails alone (and is retried)', async () => {
    const f = fakes();
    const res = await f.handler({ Records: [{ ...event('OrderRejected', 'e4', {}).Records[0]!, body: '{"nope":1}' }] }, lambdaContext);
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: 'e4' }]);
  });

  it('keeps SNS subjects ASCII and under 100 characters', () => {
    expect(snsSubject('[OMS] 訂單 rejected')).toBe('[OMS] ?? rejected');
    expect(snsSubject('x'.repeat(150))).toHaveLength(99);
  });
});
