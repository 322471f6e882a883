import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { makeHandler as makeRelay } from '../../../functions/outbox-relay/outbox-relay';
import type { EventBusPort } from '../../../functions/outbox-relay/publish';
import { makeHandler as makeSweeper, SWEEP_AFTER_MS } from '../../../functions/outbox-sweeper/outbox-sweeper';
import { application as repositories } from '../../../shared/app';
import { outboxStore } from '../../../shared/store/outbox';
import { NOW, pendingOrder, stocked } from '../../support/fixtures';
import { streamRecords } from '../../support/stream';
import { createTestTable, type TestTable } from '../../support/table';

// The outbox re-drive: an event whose relay attempts all failed (the bus was down)
// stays in the outbox, and the scheduled sweeper publishes it later, once, with the
// same event id, then deletes it.

let table: TestTable;
let streams: DynamoDBStreamsClient;
beforeAll(async () => {
  table = await createTestTable(inject('dynamoUrl'));
  streams = new DynamoDBStreamsClient({
    endpoint: inject('dynamoUrl'),
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
});
afterAll(async () => {
  streams?.destroy();
  await table?.drop();
});

/** A bus that can be taken down; what it accepted while up is "delivered". */
function flakyBus() {
  const delivered: PutEventsRequestEntry[] = [];
  const state = { down: true, refuse: new Set<string>() };
  const idOf = (e: PutEventsRequestEntry) => JSON.parse(e.Detail!).metadata.eventId as string;
  const bus: EventBusPort = {
    async putEvents(entries) {
      if (state.down) throw Object.assign(new Error('Service unavailable'), { name: 'ServiceUnavailable' });
      const results = entries.map((e) => (state.refuse.has(idOf(e)) ? { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' } : { EventId: `bus-${idOf(e)}` }));
      entries.forEach((e, i) => {
        if (!results[i]!.ErrorCode) delivered.push(e);
      });
      return { FailedEntryCount: results.filter((r) => r.ErrorCode).length, Entries: results };
    },
  };
  return { bus, state, delivered, deliveredIds: () => delivered.map(idOf) };
}

const minutesAfter = (m: number) => new Date(NOW.getTime() + m * 60_000);

describe('outbox re-drive sweeper', () => {
  it('publishes, once and with the same event id, what the relay could not while the bus was down', async () => {
    const repos = repositories(table.doc, table.tableName);
    const outbox = outboxStore(table);
    await stocked(repos, 'SWEEP-1', 3);
    const orderId = await pendingOrder(repos, [{ sku: 'SWEEP-1', quantity: 1 }]);
    await repos.orders.reserve(orderId, 'evt-placed', NOW);
    const written = await outbox.unpublishedBefore(minutesAfter(60), 100);
    expect(written.map((e) => e.detailType)).toEqual(['StockAdjusted', 'OrderPlaced', 'StockReserved']);
    const [adjusted, placed, reserved] = written.map((e) => e.eventId);

    // the bus is down: every relay attempt (Lambda retries the batch) fails, nothing is delivered
    const { bus, state, delivered, deliveredIds } = flakyBus();
    const relay = makeRelay({ bus, busName: 'oms-test', outbox });
    const records = await streamRecords(table, streams);
    for (let attempt = 0; attempt < 3; attempt++) {
      expect((await relay({ Records: records })).batchItemFailures).toHaveLength(3);
    }
    expect(delivered).toEqual([]);

    // the bus comes back but still refuses OrderPlaced: the relay deletes only the entries it accepted
    state.down = false;
    state.refuse.add(placed!);
    expect((await relay({ Records: records })).batchItemFailures).toHaveLength(1);
    expect(deliveredIds()).toEqual([adjusted, reserved]);
    expect((await outbox.unpublishedBefore(minutesAfter(60), 100)).map((e) => e.eventId)).toEqual([placed]);

    // the mapping gave up on the batch (failure queue); the sweeper waits until the item is old enough
    const sweeper = (at: Date) => makeSweeper({ outbox, bus, busName: 'oms-test', now: () => at });
    expect(SWEEP_AFTER_MS).toBe(2 * 60_000);
    expect(await sweeper(minutesAfter(1))({})).toEqual({ republished: 0, failed: 0 });
    // ... and leaves it in the outbox while the bus still refuses it
    expect(await sweeper(minutesAfter(3))({})).toEqual({ republished: 0, failed: 1 });
    expect(deliveredIds()).toEqual([adjusted, reserved]);

    // the bus accepts it again: the next run delivers it, with the event id the outbox holds
    state.refuse.clear();
    expect(await sweeper(minutesAfter(4))({})).toEqual({ republished: 1, failed: 0 });
    expect(await sweeper(minutesAfter(5))({})).toEqual({ republished: 0, failed: 0 });
    expect(deliveredIds().sort()).toEqual([adjusted, placed, reserved].sort());
    const redriven = delivered.at(-1)!;
    expect(redriven).toMatchObject({ EventBusName: 'oms-test', Source: 'oms.orders', DetailType: 'OrderPlaced' });
    expect(JSON.parse(redriven.Detail!).data.orderId).toBe(orderId);

    // published, the outbox item is gone, as are the ones the relay published
    for (const { key } of written) {
      expect((await table.doc.send(new GetCommand({ TableName: table.tableName, Key: key }))).Item).toBeUndefined();
    }
  });
});
