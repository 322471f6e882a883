import { describe, expect, it } from 'vitest';
import { queueArn as arn, queueSpec as spec } from '../../support/queue-spec';
import { LocalQueues, type StoredMessage } from '../../../infra/local/queues';


function setup() {
  let now = 1_000_000;
  const saved = new Map<string, StoredMessage>();
  const redrive = { deadLetterTargetArn: arn('work-dlq'), maxReceiveCount: 1 };
  const queues = new LocalQueues([spec('work', { redrive }), spec('work-dlq'), spec('other')], {
    now: () => now,
    store: {
      put: async (q, m) => void saved.set(`${q}/${m.messageId}`, structuredClone(m)),
      del: async (q, id) => void saved.delete(`${q}/${id}`),
    },
  });
  return { queues, saved, advance: (ms: number) => (now += ms) };
}

/** Sends a message to `work` and lets it fail once, so the next receive dead-letters it. */
async function deadLetter(q: ReturnType<typeof setup>, body: string) {
  const { MessageId } = await q.queues.send('work', { body });
  await q.queues.receiveNow('work', 10);
  q.advance(31_000);
  await q.queues.receiveNow('work', 10);
  return MessageId;
}

describe('message move tasks (redrive from a dead-letter queue)', () => {
  it('moves dead-lettered messages back to their queue as new deliveries, durably', async () => {
    const q = setup();
    const id = await deadLetter(q, 'hello');
    expect(q.queues.depth('work-dlq')).toBe(1);
    expect([...q.saved.keys()]).toEqual([`work-dlq/${id}`]);

    const task = await q.queues.startMoveTask(arn('work-dlq'));
    expect(task).toMatchObject({ Status: 'COMPLETED', SourceArn: arn('work-dlq'), ApproximateNumberOfMessagesMoved: 1, ApproximateNumberOfMessagesToMove: 1 });
    expect(q.queues.depth('work-dlq')).toBe(0);
    expect([...q.saved.keys()]).toEqual([`work/${id}`]);
    const [back] = await q.queues.receiveNow('work', 10);
    expect(back).toMatchObject({ MessageId: id, Body: 'hello', Attributes: { ApproximateReceiveCount: '1' } });
    expect(q.queues.listMoveTasks('work-dlq', 10)).toEqual([task]);
  });

  it('moves to a named destination, and leaves messages in flight where they are', async () => {
    const q = setup();
    await deadLetter(q, 'a');
    await deadLetter(q, 'b');
    const [inFlight] = await q.queues.receiveNow('work-dlq', 1);
    const task = await q.queues.startMoveTask('work-dlq', arn('other'));
    expect(task).toMatchObject({ DestinationArn: arn('other'), ApproximateNumberOfMessagesMoved: 1 });
    expect((await q.queues.receiveNow('other', 10)).map((m) => m.Body)).toEqual(['b']);
    expect(inFlight!.Body).toBe('a');
    expect(q.queues.depth('work-dlq')).toBe(1);
  });

  it('refuses a source that is no dead-letter queue', async () => {
    const q = setup();
    await expect(q.queues.startMoveTask(arn('work'))).rejects.toThrow('Source queue must be configured as a Dead Letter Queue.');
    await expect(q.queues.startMoveTask(arn('nope'))).rejects.toThrow('The specified queue does not exist.');
  });
});
