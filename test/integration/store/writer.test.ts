import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { OutgoingEvent } from '../../../events/define-event';
import type { ChangeSet } from '../../../shared/domain/decision';
import { ENTITIES } from '../../../shared/store/entities';
import { makeBatchWriter, type BatchWriter } from '../../../shared/store/batch-writer';
import { ConditionFailed } from '../../../shared/store/writer';
import { createTestTable, type TestTable } from '../../support/table';

// A shipment, the next aggregate after the order, written through the same writer.
const SHIPMENTS = {
  ...ENTITIES,
  shipment: {
    type: 'SHIPMENT',
    key: (id: readonly string[]) => ({ pk: `SHIPMENT#${id[0]}`, sk: 'SHIPMENT' }),
    partition: (id: string) => `SHIPMENT#${id}`,
  },
  // a batch consumer's shape: a marker per message, counters shared by many messages
  marker: { type: 'MARKER', key: (id: readonly string[]) => ({ pk: `MARKER#${id[0]}`, sk: 'MARKER' }) },
  counter: { type: 'COUNTER', key: (id: readonly string[]) => ({ pk: `COUNTER#${id[0]}`, sk: 'COUNTER' }) },
};

let table: TestTable;
let writer: BatchWriter;
/** the size of each TransactWriteItems the writer sent */
const sent: number[] = [];
beforeAll(async () => {
  table = await createTestTable(inject('dynamoUrl'));
  const counting = {
    send: (command: { input: { TransactItems?: unknown[] } }) => {
      if (command.input.TransactItems) sent.push(command.input.TransactItems.length);
      return table.doc.send(command as never);
    },
  };
  writer = makeBatchWriter({ doc: counting as unknown as TestTable['doc'], tableName: table.tableName }, SHIPMENTS);
});
afterAll(() => table?.drop());

const AT = '2026-11-27T03:00:00.000Z';
const event = (id: string): OutgoingEvent => ({ eventId: id, source: 'oms.shipments', detailType: 'ShipmentDispatched', detail: '{}' });

const create = (id: string): ChangeSet<OutgoingEvent> => ({
  aggregate: { entity: 'shipment', id },
  at: AT,
  changes: [{ op: 'put', entity: 'shipment', id: [id], tag: 'shipment', expect: { exists: false }, item: { shipmentId: id, status: 'CREATED', version: 1 } }],
  timeline: { at: AT, type: 'SHIPMENT_CREATED', actor: 'ops:u-1' },
  events: [],
  movements: [],
});

const dispatch = (id: string, fromVersion: number): ChangeSet<OutgoingEvent> => ({
  aggregate: { entity: 'shipment', id },
  at: AT,
  changes: [{
    op: 'update', entity: 'shipment', id: [id], tag: 'shipment', returnOld: true,
    expect: { equals: { version: fromVersion, status: 'CREATED' } }, set: { status: 'DISPATCHED', version: fromVersion + 1 },
  }],
  timeline: { at: AT, type: 'SHIPMENT_DISPATCHED', actor: 'system:carrier' },
  events: [event(`evt-${id}-${fromVersion}`)],
  movements: [],
});

const get = async (id: string) =>
  (await table.doc.send(new GetCommand({ TableName: table.tableName, Key: { pk: `SHIPMENT#${id}`, sk: 'SHIPMENT' }, ConsistentRead: true }))).Item;

describe('the writer against the table', () => {
  it('writes a new aggregate and moves it under its version condition', async () => {
    await writer.commit(create('s-1'));
    await writer.commit(dispatch('s-1', 1));
    expect(await get('s-1')).toMatchObject({ type: 'SHIPMENT', status: 'DISPATCHED', version: 2 });
  });

  it('a stale change writes nothing and names the failed condition with the item as it is', async () => {
    await writer.commit(create('s-2'));
    await writer.commit(dispatch('s-2', 1));
    const err = await writer.commit(dispatch('s-2', 1)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConditionFailed);
    expect((err as ConditionFailed).status).toBe(409);
    expect((err as ConditionFailed).find('shipment')).toMatchObject({ tag: 'shipment', old: { status: 'DISPATCHED', version: 2 } });
    const again = await writer.commit(create('s-2')).catch((e: unknown) => e);
    expect((again as ConditionFailed).failed.map((f) => f.tag)).toEqual(['shipment']);
  });

  it('ten racing dispatches of one version: exactly one wins', async () => {
    await writer.commit(create('s-3'));
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => writer.commit(dispatch('s-3', 1))));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ConditionFailed);
    expect(await get('s-3')).toMatchObject({ status: 'DISPATCHED', version: 2 });
  });
});

/** One message of a batch: its marker (absent until counted) and its counts. */
const counted = (message: string, counters: Record<string, number>): ChangeSet<OutgoingEvent> => ({
  aggregate: { entity: 'marker', id: message },
  at: AT,
  changes: [
    { op: 'put', entity: 'marker', id: [message], tag: 'marker', expect: { exists: false }, item: { message } },
    ...Object.entries(counters).map(([id, n]) => ({ op: 'update' as const, entity: 'counter', id: [id], set: { name: id }, add: { n } })),
  ],
  events: [],
  movements: [],
});
const item = async (pk: string, sk: string) => (await table.doc.send(new GetCommand({ TableName: table.tableName, Key: { pk, sk }, ConsistentRead: true }))).Item;

describe('several change sets written together', () => {
  it('merges the counters of a batch into one transaction and leaves out a set whose condition fails', async () => {
    await writer.commit(counted('m-3', { 'c-b': 100 }));
    sent.length = 0;
    const outcomes = await writer.commitTogether([
      counted('m-1', { 'c-a': 1, 'c-b': 2 }),
      counted('m-2', { 'c-a': 1 }),
      counted('m-3', { 'c-a': 1, 'c-b': 2 }), // counted before: its marker is there
      counted('m-4', { 'c-a': 1, 'c-b': 2 }),
    ]);
    expect(outcomes.map((o) => o?.constructor.name)).toEqual([undefined, undefined, 'ConditionFailed', undefined]);
    expect((outcomes[2] as ConditionFailed).find('marker')).toBeDefined();
    expect(await item('COUNTER#c-a', 'COUNTER')).toMatchObject({ name: 'c-a', n: 3 });
    expect(await item('COUNTER#c-b', 'COUNTER')).toMatchObject({ n: 104 });
    // the first try (4 markers + 2 counters) was cancelled, the second wrote the other three
    expect(sent).toEqual([6, 5]);
  });

  it('writes sets that change one item in separate transactions, in the order given', async () => {
    sent.length = 0;
    const outcomes = await writer.commitTogether([create('s-10'), dispatch('s-10', 1), create('s-11'), dispatch('s-11', 1), dispatch('s-11', 2)]);
    expect(outcomes).toEqual([undefined, undefined, undefined, undefined, expect.any(ConditionFailed)]);
    expect(await get('s-10')).toMatchObject({ status: 'DISPATCHED', version: 2 });
    expect(await get('s-11')).toMatchObject({ status: 'DISPATCHED', version: 2 });
    // [create s-10, create s-11], [dispatch s-10, dispatch s-11], [dispatch s-11 from 2]: 3 transactions, not 5
    expect(sent).toHaveLength(3);
  });

  it('a failed set takes nothing of its own with it, and a set that depends on it fails its own condition', async () => {
    await writer.commit(create('s-12'));
    await writer.commit(dispatch('s-12', 1));
    const outcomes = await writer.commitTogether([dispatch('s-12', 1), counted('m-12', { 'c-12': 5 }), dispatch('s-12', 3)]);
    expect((outcomes[0] as ConditionFailed).find('shipment')?.old).toMatchObject({ version: 2 });
    expect(outcomes[1]).toBeUndefined();
    expect(outcomes[2]).toBeInstanceOf(ConditionFailed);
    expect(await get('s-12')).toMatchObject({ version: 2 });
    expect(await item('COUNTER#c-12', 'COUNTER')).toMatchObject({ n: 5 });
  });
});
