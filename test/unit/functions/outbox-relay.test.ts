import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { makeHandler, type EventBusPort } from '../../../functions/outbox-relay/outbox-relay';
import * as keys from '../../../shared/store/keys';

let seq = 0;
function outboxRecord(eventId: string, overrides: Partial<DynamoDBRecord> = {}): DynamoDBRecord {
  const sequence = String(++seq).padStart(21, '0');
  const key = keys.outbox(keys.orderPartition('01ORDER'), eventId);
  return {
    eventID: `e-${sequence}`,
    eventName: 'INSERT',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-east-1',
    dynamodb: {
      ApproximateCreationDateTime: 1795748400,
      Keys: { pk: { S: key.pk }, sk: { S: key.sk } },
      NewImage: {
        pk: { S: key.pk },
        sk: { S: key.sk },
        type: { S: 'OUTBOX' },
        eventId: { S: eventId },
        source: { S: 'oms.orders' },
        detailType: { S: 'OrderPlaced' },
        detail: { S: JSON.stringify({ metadata: { eventId }, data: {} }) },
        createdAt: { S: '2026-11-27T03:00:00.000Z' },
        expiresAt: { N: '1796353200' },
      },
      SequenceNumber: sequence,
      SizeBytes: 200,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
    eventSourceARN: 'arn:aws:dynamodb:us-east-1:000000000000:table/oms/stream/2026-11-27T00:00:00.000',
    ...overrides,
  };
}

/** A fake bus that records calls and can refuse chosen event ids or throw for a whole call. */
function fakeBus(opts: { refuse?: Set<string>; throwOnCall?: number } = {}) {
  const calls: PutEventsRequestEntry[][] = [];
  const bus: EventBusPort = {
    async putEvents(entries) {
      calls.push(entries);
      if (opts.throwOnCall === calls.length) throw new Error('service unavailable');
      const results = entries.map((e) => {
        const id = JSON.parse(e.Detail!).metadata.eventId as string;
        return opts.refuse?.has(id) ? { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' } : { EventId: `eb-${id}` };
      });
      return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
    },
  };
  return { bus, calls };
}

const batch = (records: DynamoDBRecord[]): DynamoDBStreamEvent => ({ Records: records });

describe('outbox relay', () => {
  it('publishes in chunks of 10 to the configured bus, with the outbox detail as is', async () => {
    const { bus, calls } = fakeBus();
    const records = Array.from({ length: 23 }, (_, i) => outboxRecord(`evt-${i}`));
    const res = await makeHandler({ bus, busName: 'oms-dev' })(batch(records));
    expect(res).toEqual({ batchItemFailures: [] });
    expect(calls.map((c) => c.length)).toEqual([10, 10, 3]);
    expect(calls[0]![0]).toMatchObject({
      EventBusName: 'oms-dev',
      Source: 'oms.orders',
      DetailType: 'OrderPlaced',
      Detail: JSON.stringify({ metadata: { eventId: 'evt-0' }, data: {} }),
    });
    expect(calls.flat().map((e) => JSON.parse(e.Detail!).metadata.eventId)).toEqual(records.map((_, i) => `evt-${i}`));
  });

  it('reports entries EventBridge refused by their SequenceNumber', async () => {
    const { bus } = fakeBus({ refuse: new Set(['evt-3', 'evt-12']) });
    const records = Array.from({ length: 15 }, (_, i) => outboxRecord(`evt-${i}`));
    const res = await makeHandler({ bus, busName: 'b' })(batch(records));
    expect(res.batchItemFailures).toEqual([
      { itemIdentifier: records[3]!.dynamodb!.SequenceNumber },
      { itemIdentifier: records[12]!.dynamodb!.SequenceNumber },
    ]);
  });

  it('reports a whole chunk when its PutEvents call fails, and still sends the other chunks', async () => {
    const { bus, calls } = fakeBus({ throwOnCall: 1 });
    const records = Array.from({ length: 12 }, (_, i) => outboxRecord(`evt-${i}`));
    const res = await makeHandler({ bus, busName: 'b' })(batch(records));
    expect(calls).toHaveLength(2);
    expect(res.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(records.slice(0, 10).map((r) => r.dynamodb!.SequenceNumber));
  });

  it('skips records that are not outbox inserts, and reports malformed outbox items', async () => {
    const { bus, calls } = fakeBus();
    const modify = outboxRecord('evt-m', { eventName: 'MODIFY' });
    const notOutbox = outboxRecord('evt-o');
    notOutbox.dynamodb!.NewImage!.type = { S: 'ORDER' };
    const broken = outboxRecord('evt-b');
    delete broken.dynamodb!.NewImage!.detail;
    const good = outboxRecord('evt-g');
    const res = await makeHandler({ bus, busName: 'b' })(batch([modify, notOutbox, broken, good]));
    expect(calls.flat()).toHaveLength(1);
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: broken.dynamodb!.SequenceNumber }]);
  });

  it('does nothing for an empty batch', async () => {
    const { bus, calls } = fakeBus();
    expect(await makeHandler({ bus, busName: 'b' })(batch([]))).toEqual({ batchItemFailures: [] });
    expect(calls).toHaveLength(0);
  });
});

describe('outbox relay: deleting what was published', () => {
  it('deletes the outbox item of each accepted entry only, by the item key', async () => {
    const { bus } = fakeBus({ refuse: new Set(['evt-m1']) });
    const cleared: string[] = [];
    const outbox = { removePublished: async (events: readonly { key: { sk: string } }[]) => (cleared.push(...events.map((e) => e.key.sk)), []) };
    const records = ['evt-m0', 'evt-m1', 'evt-m2'].map((id) => outboxRecord(id));
    const res = await makeHandler({ bus, busName: 'b', outbox })(batch(records));
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: records[1]!.dynamodb!.SequenceNumber }]);
    expect(cleared).toEqual([keys.outbox(keys.orderPartition('01ORDER'), 'evt-m0').sk, keys.outbox(keys.orderPartition('01ORDER'), 'evt-m2').sk]);
  });

  it('does not fail a published entry whose item could not be deleted (the sweeper may send it again)', async () => {
    const { bus } = fakeBus();
    const outbox = { removePublished: async () => { throw new Error('throttled'); } };
    const res = await makeHandler({ bus, busName: 'b', outbox })(batch([outboxRecord('evt-m3')]));
    expect(res.batchItemFailures).toEqual([]);
  });
});
