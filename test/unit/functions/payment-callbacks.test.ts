import type { Context, SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { makeHandler } from '../../../functions/payment-callbacks/payment-callbacks';
import { callbackMessage } from '../../../shared/payments/callback-message';
import type { PaymentCallbackSink, ProviderNotification } from '../../../shared/payments/port';

const NOW = new Date('2026-11-30T10:00:00Z');
const notification = (eventKey: string): ProviderNotification => ({
  provider: 'wechatpay', eventKey, kind: 'payment', paymentId: `pay-${eventKey}`, status: 'SUCCEEDED',
  amount: { amount: 4900, currency: 'CNY' }, occurredAt: '2026-11-30T18:01:02+08:00', providerEventType: 'TRANSACTION.SUCCESS',
});
const batch = (...bodies: string[]): SQSEvent => ({
  Records: bodies.map((body, i) => ({
    messageId: `m-${i}`, receiptHandle: `r-${i}`, body, attributes: {} as never, messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:oms-dev-payment-callbacks', awsRegion: 'us-east-1',
  })),
});
const context = { functionName: 'payment-callbacks', awsRequestId: 'req-1' } as Context;

describe('payment-callbacks worker', () => {
  it('hands each notification to the sink with the inbox key as causation; a failed or unreadable one is retried alone', async () => {
    const applied: { n: ProviderNotification; causationId: string; now: Date }[] = [];
    const sink: PaymentCallbackSink = {
      apply: async (n, opts) => {
        if (n.eventKey === 'EV-boom') throw new Error('conflict');
        applied.push({ n, ...opts });
        return { outcome: 'settled' };
      },
    };
    const handler = makeHandler({ sink, now: () => NOW });
    const result = await handler(batch(
      JSON.stringify(callbackMessage(notification('EV-1'))),
      JSON.stringify(callbackMessage(notification('EV-boom'))),
      JSON.stringify({ notification: { provider: 'wechatpay' } }),
      JSON.stringify(callbackMessage(notification('EV-2'))),
    ), context);
    expect(result.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['m-1', 'm-2']);
    expect(applied).toEqual([
      { n: notification('EV-1'), causationId: 'wechatpay:EV-1', now: NOW },
      { n: notification('EV-2'), causationId: 'wechatpay:EV-2', now: NOW },
    ]);
  });
});
