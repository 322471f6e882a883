import type { Context, SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { makeHandler } from '../../../functions/carrier-callbacks/carrier-callbacks';
import { carrierCallbackMessage } from '../../../shared/shipping/callback-message';
import type { TrackingNotification } from '../../../shared/shipping/port';

const n: TrackingNotification = {
  provider: '17track', eventKey: 'LX1|2026-11-30T06:00:00Z|Delivered', trackingNumber: 'LX1', status: 'DELIVERED',
  occurredAt: '2026-11-30T06:00:00Z', checkpoints: [], providerEventType: 'TRACKING_UPDATED/Delivered',
};
const batch = (...bodies: string[]): SQSEvent => ({
  Records: bodies.map((body, i) => ({ messageId: `m${i}`, body, receiptHandle: '', attributes: {} as never, messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:us-east-1:0:q', awsRegion: 'us-east-1' })),
});

describe('carrier-callbacks worker', () => {
  it('applies each report with its inbox key as causation, and hands back for retry only what failed or is not a report', async () => {
    const applied: string[] = [];
    const handler = makeHandler({
      sink: {
        apply: async (report, opts) => {
          if (report.trackingNumber === 'BROKEN') throw new Error('table unavailable');
          applied.push(opts.causationId);
          return { outcome: 'status-changed' };
        },
      },
      now: () => new Date('2026-12-01T00:00:00Z'),
    });
    const res = await handler(batch(
      JSON.stringify(carrierCallbackMessage(n)),
      JSON.stringify(carrierCallbackMessage({ ...n, trackingNumber: 'BROKEN' })),
      JSON.stringify({ inbox: { provider: 'dhl', eventKey: 'x' }, notification: n }),
    ), {} as Context);
    expect(applied).toEqual(['17track:LX1|2026-11-30T06:00:00Z|Delivered']);
    expect(res.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['m1', 'm2']);
  });
});
