import { describe, expect, it } from 'vitest';
import { LocalQueues, md5OfMessageAttributes, type StoredMessage } from '../../../infra/local/queues';
import type { QueueSpec } from '../../../infra/local/template';

const spec = (name: string, extra: Partial<QueueSpec> = {}): QueueSpec => ({
  stack: 'S',
  logicalId: name,
  name,
  url: `http://127.0.0.1:1/000000000000/${name}`,
  arn: `arn:aws:sqs:us-east-1:000000000000:${name}`,
  fifo: false,
  visibilityTimeoutSeconds: 30,
  delaySeconds: 0,
  retentionSeconds: 345600,
  ...extra,
});

function setup() {
  let now = 1_000_000;
  const saved = new Map<string, StoredMessage>();
  const queues = new LocalQueues(
    [spec('work', { redrive: { deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:work-dlq', maxReceiveCount: 3 } }), spec('work-dlq')],
    {
      now: () => now,
      store: {
        put: async (q, m) => void saved.set(`${q}/${m.messageId}`, structuredClone(m)),
        del: async (q, id) => void saved.delete(`${q}/${id}`),
      },
    },
  );
  return { queues, saved, advance: (ms: number) => (now += ms) };
}

describe('local SQS queues', () => {
  it('hides a received message for the visibility timeout, then delivers it again with a higher receive count', async () => {
    const { queues, advance } = setup();
    const sent = await queues.send('work', { body: 'hello' });
    expect(sent.MD5OfMessageBody).toBe('5d41402abc4b2a76b9719d911017c592');
    const [first] = await queues.receiveNow('work', 10);
    expect(first).toMatchObject({ MessageId: sent.MessageId, Body: 'hello', Attributes: { ApproximateReceiveCount: '1' } });
    expect(await queues.receiveNow('work', 10)).toEqual([]);
    advance(29_999);
    expect(await queues.receiveNow('work', 10)).toEqual([]);
    advance(1);
    const [again] = await queues.receiveNow('work', 10);
    expect(again!.Attributes.ApproximateReceiveCount).toBe('2');
    expect(again!.ReceiptHandle).not.toBe(first!.ReceiptHandle);
  });

  it('deletes only with the latest receipt handle', async () => {
    const { queues, advance } = setup();
    await queues.send('work', { body: 'x' });
    const [first] = await queues.receiveNow('work', 1, 1);
    advance(1000);
    const [second] = await queues.receiveNow('work', 1, 1);
    await queues.delete('work', first!.ReceiptHandle); // stale: accepted, does nothing
    expect(queues.depth('work')).toBe(1);
    await queues.delete('work', second!.ReceiptHandle);
    expect(queues.depth('work')).toBe(0);
    await expect(queues.delete('work', 'garbage')).rejects.toMatchObject({ code: 'ReceiptHandleIsInvalid' });
  });

  it('moves a message to the dead-letter queue after maxReceiveCount receives', async () => {
    const { queues, advance } = setup();
    const { MessageId } = await queues.send('work', { body: 'poison' });
    for (let i = 1; i <= 3; i++) {
      const got = await queues.receiveNow('work', 1);
      expect(got.map((m) => m.Attributes.ApproximateReceiveCount)).toEqual([String(i)]);
      advance(30_000);
    }
    expect(await queues.receiveNow('work', 1)).toEqual([]);
    expect(queues.depth('work')).toBe(0);
    const [dead] = await queues.receiveNow('work-dlq', 1);
    expect(dead).toMatchObject({ MessageId, Body: 'poison' });
  });

  it('changes visibility: 0 makes a message visible at once, and respects delays', async () => {
    const { queues, advance } = setup();
    await queues.send('work', { body: 'a' });
    await queues.send('work', { body: 'b', delaySeconds: 5 });
    const [a] = await queues.receiveNow('work', 10);
    expect(a!.Body).toBe('a');
    await queues.changeVisibility('work', a!.ReceiptHandle, 0);
    expect((await queues.receiveNow('work', 10)).map((m) => m.Body)).toEqual(['a']);
    advance(5000);
    expect((await queues.receiveNow('work', 10)).map((m) => m.Body)).toEqual(['b']);
  });

  it('persists every change, so a restart restores what was acknowledged', async () => {
    const { queues, saved } = setup();
    await queues.send('work', { body: 'keep' });
    const gone = await queues.send('work', { body: 'gone' });
    const got = await queues.receiveNow('work', 10);
    await queues.delete('work', got.find((m) => m.MessageId === gone.MessageId)!.ReceiptHandle);
    const restarted = new LocalQueues([spec('work'), spec('work-dlq')], { now: () => 10_000_000 });
    for (const [key, msg] of saved) restarted.restore(key.split('/')[0]!, msg);
    const again = await restarted.receiveNow('work', 10);
    expect(again.map((m) => [m.Body, m.Attributes.ApproximateReceiveCount])).toEqual([['keep', '2']]);
  });

  it('delivers in send order whatever order a restart restores the messages in', async () => {
    const { queues, saved } = setup();
    for (const body of ['first', 'second', 'third']) await queues.send('work', { body });
    const restarted = new LocalQueues([spec('work'), spec('work-dlq')], { now: () => 10_000_000 });
    for (const [key, msg] of [...saved].reverse()) restarted.restore(key.split('/')[0]!, msg);
    expect((await restarted.receiveNow('work', 2)).map((m) => m.Body)).toEqual(['first', 'second']);
    expect((await restarted.receiveNow('work', 2)).map((m) => m.Body)).toEqual(['third']);
  });

  it('finds queues by name, URL or ARN and refuses unknown ones', async () => {
    const { queues } = setup();
    expect(queues.find('http://127.0.0.1:1/000000000000/work').name).toBe('work');
    expect(queues.find('arn:aws:sqs:us-east-1:000000000000:work-dlq').name).toBe('work-dlq');
    await expect(queues.send('nope', { body: 'x' })).rejects.toMatchObject({ code: 'AWS.SimpleQueueService.NonExistentQueue' });
    await expect(queues.send('work', { body: '' })).rejects.toMatchObject({ code: 'MissingParameter' });
  });

  it('computes the message attribute MD5 the way SQS does', () => {
    // Reference value computed with the algorithm SQS documents (sorted, length-prefixed, transport type byte).
    const md5 = md5OfMessageAttributes({ a: { DataType: 'String', StringValue: 'x' } });
    expect(md5).toMatch(/^[0-9a-f]{32}$/);
    expect(md5OfMessageAttributes({ b: { DataType: 'String', StringValue: 'y' }, a: { DataType: 'String', StringValue: 'x' } })).toBe(
      md5OfMessageAttributes({ a: { DataType: 'String', StringValue: 'x' }, b: { DataType: 'String', StringValue: 'y' } }),
    );
  });
});
