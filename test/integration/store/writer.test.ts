import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { OutgoingEvent } from '../../../events/define-event';
import type { ChangeSet } from '../../../shared/domain/decision';
import { ENTITIES } from '../../../shared/store/entities';
import { ConditionFailed, makeWriter, type Writer } from '../../../shared/store/writer';
import { createTestTable, type TestTable } from '../../support/table';

// A shipment, the next aggregate after the order, written through the same writer.
const SHIPMENTS = {
  ...ENTITIES,
  shipment: {
    type: 'SHIPMENT',
    key: (id: readonly string[]) => ({ pk: `SHIPMENT#${id[0]}`, sk: 'SHIPMENT' }),
    partition: (id: string) => `SHIPMENT#${id}`,
  },
};

let table: TestTable;
let writer: Writer;
beforeAll(async () => {
  table = await createTestTable(inject('dynamoUrl'));
  writer = makeWriter({ doc: table.doc, tableName: table.tableName }, SHIPMENTS);
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
