import { PublishBatchCommand, PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSnsEndpoint } from '../../support/sns-endpoint';

// The SDK's own SNS client against the local endpoint: the query protocol both ways.
describe('local SNS Publish and PublishBatch', () => {
  const lines: string[] = [];
  let sns: SNSClient;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ sns, close } = await startSnsEndpoint(lines));
  });
  afterAll(() => close?.());

  it('answers with a MessageId and logs the subject and message readably', async () => {
    const out = await sns.send(
      new PublishCommand({
        TopicArn: 'arn:aws:sns:us-east-1:000000000000:oms-dev-notify-warehouse',
        Subject: '[OMS] Order approved: W20261127-0001',
        Message: 'Prepare the order\norderId: 01ABC & <x>',
      }),
    );
    expect(out.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines).toContain('sns oms-dev-notify-warehouse: [OMS] Order approved: W20261127-0001');
    expect(lines).toContain('  oms-dev-notify-warehouse | orderId: 01ABC & <x>');
  });

  it('rejects an empty message as SNS does', async () => {
    await expect(sns.send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:000000000000:t', Message: '' }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
  });

  it('publishes a batch, each entry logged and answered by its Id; an empty message fails alone', async () => {
    const TopicArn = 'arn:aws:sns:us-east-1:000000000000:oms-dev-notify-cs';
    const out = await sns.send(new PublishBatchCommand({
      TopicArn,
      PublishBatchRequestEntries: [
        { Id: 'n-1', Subject: '[OMS] Order rejected: W20261127-0002', Message: 'Call the customer' },
        { Id: 'n_2', Message: '' },
        { Id: 'n3', Subject: '[OMS] Order rejected: W20261127-0003', Message: 'Refund <all>' },
      ],
    }));
    expect(out.Successful?.map((s) => s.Id)).toEqual(['n-1', 'n3']);
    expect(out.Successful?.every((s) => /^[0-9a-f-]{36}$/.test(s.MessageId ?? ''))).toBe(true);
    expect(out.Failed).toEqual([{ Id: 'n_2', Code: 'InvalidParameter', Message: 'Invalid parameter: Empty message', SenderFault: true }]);
    expect(lines).toContain('sns oms-dev-notify-cs: [OMS] Order rejected: W20261127-0002');
    expect(lines).toContain('  oms-dev-notify-cs | Refund <all>');
  });

  it('refuses a batch of more than 10 entries, an empty one and repeated ids, as SNS does', async () => {
    const TopicArn = 'arn:aws:sns:us-east-1:000000000000:t';
    const entries = (n: number) => Array.from({ length: n }, (_, i) => ({ Id: `e${i}`, Message: 'm' }));
    await expect(sns.send(new PublishBatchCommand({ TopicArn, PublishBatchRequestEntries: entries(11) }))).rejects.toMatchObject({ name: 'TooManyEntriesInBatchRequestException' });
    await expect(sns.send(new PublishBatchCommand({ TopicArn, PublishBatchRequestEntries: [] }))).rejects.toMatchObject({ name: 'EmptyBatchRequestException' });
    await expect(sns.send(new PublishBatchCommand({ TopicArn, PublishBatchRequestEntries: [{ Id: 'a', Message: 'm' }, { Id: 'a', Message: 'n' }] }))).rejects.toMatchObject({ name: 'BatchEntryIdsNotDistinctException' });
    await expect(sns.send(new PublishBatchCommand({ TopicArn, PublishBatchRequestEntries: [{ Id: 'not ok!', Message: 'm' }] }))).rejects.toMatchObject({ name: 'InvalidBatchEntryIdException' });
  });
});
