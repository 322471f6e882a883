import { describe, expect, it } from 'vitest';
import type { StreamRecord } from '../../../infra/local/dynamodb';
import { startStreamPoller, type StreamSource } from '../../../infra/local/stream-poller';
import type { MappingSpec } from '../../../infra/local/template';

const ARN = 'arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/x';
const seq = (n: number) => String(n).padStart(21, '0');

function record(n: number, type = 'OUTBOX', eventName: StreamRecord['eventName'] = 'INSERT'): StreamRecord {
  return {
    eventID: `e${n}`,
    eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-east-1',
    dynamodb: {
      ApproximateCreationDateTime: 1,
      Keys: { pk: { S: `K${n}` } },
      NewImage: { pk: { S: `K${n}` }, type: { S: type } },
      SequenceNumber: seq(n),
      SizeBytes: 10,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
    eventSourceARN: ARN,
  };
}

function source(records: StreamRecord[]): StreamSource {
  return {
    read: async (_arn, after, limit) => records.filter((r) => after === undefined || r.dynamodb.SequenceNumber > after).slice(0, limit),
    onAppend: () => () => {},
  };
}

const mapping = (extra: Partial<MappingSpec> = {}): MappingSpec => ({
  logicalId: 'M',
  functionName: 'relay',
  sourceArn: ARN,
  kind: 'stream',
  batchSize: 100,
  reportBatchItemFailures: true,
  filters: [{ eventName: ['INSERT'], dynamodb: { NewImage: { type: { S: ['OUTBOX'] } } } }],
  maxRetryAttempts: 10,
  bisectOnError: true,
  maxBatchingWindowSeconds: 0,
  enabled: true,
  ...extra,
});

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(cond()).toBe(true);
};

function harness(records: StreamRecord[], m: MappingSpec, answer: (batch: StreamRecord[], call: number) => unknown) {
  const calls: string[][] = [];
  const checkpoints = new Map<string, string>();
  const sent: string[] = [];
  const poller = startStreamPoller({
    mapping: m,
    streams: source(records),
    streamArn: ARN,
    checkpoints: { get: async (id) => checkpoints.get(id), set: async (id, s) => void checkpoints.set(id, s) },
    invoke: async (_fn, event) => {
      const batch = (event as { Records: StreamRecord[] }).Records;
      calls.push(batch.map((r) => r.eventID));
      const out = answer(batch, calls.length);
      if (out instanceof Error) return { ok: false, error: { errorType: 'Error', errorMessage: out.message }, durationMs: 1, requestId: 'r' };
      return { ok: true, result: out, durationMs: 1, requestId: 'r' };
    },
    onFailure: async (_arn, body) => void sent.push(body),
    functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:relay',
    log: () => {},
  });
  return { calls, checkpoints, sent, poller };
}

describe('the stream poller', () => {
  it('delivers only records matching the filter, in batches, and checkpoints past everything read', async () => {
    const records = [record(1), record(2, 'ORDER'), record(3), record(4, 'OUTBOX', 'MODIFY'), record(5)];
    const h = harness(records, mapping({ batchSize: 2 }), () => ({ batchItemFailures: [] }));
    await until(() => h.checkpoints.get('M') === seq(5));
    await h.poller.stop();
    expect(h.calls).toEqual([['e1', 'e3'], ['e5']]);
  });

  it('retries from the first reported failure, keeping what succeeded before it', async () => {
    const records = [record(1), record(2), record(3)];
    const h = harness(records, mapping(), (batch, call) => (call === 1 ? { batchItemFailures: [{ itemIdentifier: batch[1]!.dynamodb.SequenceNumber }] } : {}));
    await until(() => h.checkpoints.get('M') === seq(3));
    await h.poller.stop();
    expect(h.calls).toEqual([['e1', 'e2', 'e3'], ['e2', 'e3']]);
  });

  it('bisects a failing batch, then gives up after the retry limit and sends the batch coordinates on', async () => {
    const records = [record(1), record(2), record(3), record(4)];
    const h = harness(records, mapping({ maxRetryAttempts: 2, onFailureArn: 'arn:aws:sqs:us-east-1:000000000000:failures' }), (batch) =>
      batch.some((r) => r.eventID === 'e1') ? new Error('boom') : {},
    );
    await until(() => h.checkpoints.get('M') === seq(4));
    await h.poller.stop();
    expect(h.calls[0]).toEqual(['e1', 'e2', 'e3', 'e4']);
    expect(h.calls[1]).toEqual(['e1', 'e2']);
    expect(h.calls[h.calls.length - 1]).toEqual(['e2', 'e3', 'e4'].slice(0, h.calls[h.calls.length - 1]!.length));
    expect(h.sent).toHaveLength(1);
    expect(JSON.parse(h.sent[0]!)).toMatchObject({ requestContext: { condition: 'RetryAttemptsExhausted' }, DDBStreamBatchInfo: { startSequenceNumber: seq(1) } });
  });

  it('resumes from the stored checkpoint', async () => {
    const records = [record(1), record(2), record(3)];
    const checkpoints = new Map([['M', seq(2)]]);
    const calls: string[][] = [];
    const poller = startStreamPoller({
      mapping: mapping(),
      streams: source(records),
      streamArn: ARN,
      checkpoints: { get: async (id) => checkpoints.get(id), set: async (id, s) => void checkpoints.set(id, s) },
      invoke: async (_fn, event) => {
        calls.push((event as { Records: StreamRecord[] }).Records.map((r) => r.eventID));
        return { ok: true, result: null, durationMs: 1, requestId: 'r' };
      },
      functionArn: 'f',
      log: () => {},
    });
    await until(() => checkpoints.get('M') === seq(3));
    await poller.stop();
    expect(calls).toEqual([['e3']]);
  });
});
