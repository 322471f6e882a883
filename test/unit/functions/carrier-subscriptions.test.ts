import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { makeHandler } from '../../../functions/carrier-subscriptions/carrier-subscriptions';
import type { SubscribeInput } from '../../../shared/shipping/carriers/kuaidi100';
import { lambdaContext } from '../../support/api-event';
import sqsSample from '../../../events/samples/order-placed.sqs.json';
import created from '../../../events/samples/shipment-created.eventbridge.json';

const template = (sqsSample as unknown as SQSEvent).Records[0]!;
const shipped = (data: Record<string, unknown>[]): SQSEvent => ({
  Records: data.map((d, i) => ({
    ...template, messageId: `m-${i}`,
    body: JSON.stringify({ ...created, detail: { ...created.detail, data: { ...created.detail.data, ...d } } }),
  })),
});

function deps(answers: boolean[] = []) {
  const calls: SubscribeInput[] = [];
  return {
    calls,
    deps: {
      subscriber: () => ({ provider: 'kuaidi100' as const, subscribe: async (input: SubscribeInput) => (calls.push(input), { alreadySubscribed: answers.shift() ?? false }) }),
      phoneOf: async () => '13800138000',
      publicApiUrl: 'https://api.example.com/',
    },
  };
}

describe('carrier-subscriptions', () => {
  it('subscribes a kuaidi100 parcel with its courier, the receiver\'s phone and our push URL', async () => {
    const { calls, deps: d } = deps();
    expect(await makeHandler(d)(shipped([{ carrier: 'kuaidi100', courier: 'shunfeng', trackingNumber: 'SF100' }]), lambdaContext)).toEqual({ batchItemFailures: [] });
    expect(calls).toEqual([{ trackingNumber: 'SF100', company: 'shunfeng', notifyUrl: 'https://api.example.com/webhooks/carriers/kuaidi100', phone: '13800138000' }]);
  });

  it('leaves the courier to Kuaidi100 when ops gave none; a parcel already subscribed is no error', async () => {
    const { calls, deps: d } = deps([true]);
    expect(await makeHandler(d)(shipped([{ carrier: 'kuaidi100', courier: undefined, trackingNumber: 'YT200' }]), lambdaContext)).toEqual({ batchItemFailures: [] });
    expect(calls[0]).toMatchObject({ trackingNumber: 'YT200', company: undefined });
  });

  it('ignores other carriers, and retries (a batch item failure) when Kuaidi100 cannot be asked', async () => {
    const { calls, deps: d } = deps();
    expect(await makeHandler(d)(shipped([{ carrier: 'easypost' }]), lambdaContext)).toEqual({ batchItemFailures: [] });
    expect(calls).toEqual([]);
    const failing = makeHandler({ ...d, subscriber: () => ({ provider: 'kuaidi100', subscribe: async () => { throw new Error('kuaidi100 answered 503'); } }) });
    expect(await failing(shipped([{ carrier: 'kuaidi100' }]), lambdaContext)).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-0' }] });
  });
});
