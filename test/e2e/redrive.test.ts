import { randomUUID } from 'node:crypto';
import { GetQueueUrlCommand, SendMessageCommand, SQSClient, StartMessageMoveTaskCommand } from '@aws-sdk/client-sqs';
import { describe, expect, inject, it } from 'vitest';
import { redrive } from '../../scripts/redrive';
import { call, eventually } from './client';

// npm run redrive against the local cloud: a dead-lettered event waits in the notifications
// queue's DLQ; a dry run lists it and moves nothing; the redrive moves it back and the notify
// worker applies it (the department's notification appears).
const sqs = new SQSClient({ endpoint: inject('awsUrl'), region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });

const notified = (orderNumber: string) =>
  call('GET', '/notifications?department=customer-service&limit=100', { as: 'ops' }).then((r) =>
    (r.body.items as { subject: string }[]).some((n) => n.subject.includes(orderNumber)),
  );

describe('npm run redrive', () => {
  it('lists a dead-lettered message, moves it back and it is applied', async () => {
    const orderNumber = `RD-${randomUUID().slice(0, 8).toUpperCase()}`;
    // The event as the bus rule delivered it, before the worker gave up on it.
    const event = {
      version: '0',
      id: randomUUID(),
      'detail-type': 'OrderRejected',
      source: 'oms.orders',
      account: '000000000000',
      time: new Date().toISOString(),
      region: 'us-east-1',
      resources: [],
      detail: {
        metadata: { eventId: randomUUID(), occurredAt: new Date().toISOString(), correlationId: randomUUID(), causationId: randomUUID(), schemaVersion: 1 },
        data: { orderId: randomUUID(), orderNumber, from: 'PENDING', to: 'REJECTED', reason: 'out of stock', shortages: [] },
      },
    };
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'oms-dev-notifications-dlq' }));
    const { MessageId } = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: JSON.stringify(event) }));

    const lines: string[] = [];
    const dry = await redrive({ client: sqs, stage: 'dev', queue: 'notifications', dryRun: true, out: (l) => lines.push(l) });
    expect(dry).toEqual({ deadLetterQueue: 'oms-dev-notifications-dlq', waiting: 1 });
    expect(lines.join('\n')).toContain(`${MessageId}  sent`);
    expect(lines.at(-1)).toBe('dry run: nothing moved');
    expect(await notified(orderNumber)).toBe(false);

    const moved = await redrive({ client: sqs, stage: 'dev', queue: 'oms-dev-notifications-dlq', out: () => {} });
    expect(moved).toMatchObject({ waiting: 1, moved: 1, status: 'COMPLETED' });
    await eventually(() => notified(orderNumber), Boolean);
    expect(await redrive({ client: sqs, stage: 'dev', queue: 'notifications', out: () => {} })).toMatchObject({ waiting: 0, moved: 0 });
  });

  it('refuses a queue that is not a dead-letter queue, and one that does not exist', async () => {
    const SourceArn = 'arn:aws:sqs:us-east-1:000000000000:oms-dev-notifications';
    await expect(sqs.send(new StartMessageMoveTaskCommand({ SourceArn }))).rejects.toThrow('Source queue must be configured as a Dead Letter Queue.');
    await expect(redrive({ client: sqs, stage: 'dev', queue: 'no-such-queue', out: () => {} })).rejects.toMatchObject({ name: 'QueueDoesNotExist' });
  });
});
