import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { EVENTS } from '../../../events/catalog';
import { makeHandler } from '../../../functions/outbox-relay/outbox-relay';
import { application as repositories, type Application as Repositories } from '../../../shared/app';
import { NOW, pendingOrder, stocked } from '../../support/fixtures';
import { streamRecords as allStreamRecords } from '../../support/stream';
import { createTestTable, type TestTable } from '../../support/table';

let table: TestTable;
let repos: Repositories;
let streams: DynamoDBStreamsClient;

beforeAll(async () => {
  table = await createTestTable(inject('dynamoUrl'));
  repos = repositories(table.doc, table.tableName);
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

const streamRecords = () => allStreamRecords(table, streams);

describe('outbox relay over the table stream', () => {
  it('publishes every outbox item written by the use cases, each valid against the event catalog', async () => {
    await stocked(repos, 'RELAY-1', 3);
    const orderId = await pendingOrder(repos, [{ sku: 'RELAY-1', quantity: 1 }]);
    await repos.orders.reserve(orderId, 'evt-placed', NOW);

    const published: PutEventsRequestEntry[] = [];
    const relay = makeHandler({
      busName: 'oms-test',
      bus: {
        async putEvents(entries) {
          published.push(...entries);
          return { FailedEntryCount: 0, Entries: entries.map(() => ({ EventId: 'x' })) };
        },
      },
    });
    // the mapping's filter (INSERT of type OUTBOX) is applied by the relay as well
    const res = await relay({ Records: await streamRecords() });

    expect(res.batchItemFailures).toEqual([]);
    expect(published.map((e) => e.DetailType)).toEqual(['StockAdjusted', 'OrderPlaced', 'StockReserved']);
    for (const entry of published) {
      const def = EVENTS.find((e) => e.detailType === entry.DetailType && e.source === entry.Source)!;
      const detail = def.detail.parse(JSON.parse(entry.Detail!));
      expect(entry.EventBusName).toBe('oms-test');
      if (entry.DetailType !== 'StockAdjusted') expect(detail.metadata.correlationId).toBe(orderId);
    }
    const reserved = JSON.parse(published[2]!.Detail!);
    expect(reserved.metadata.causationId).toBe('evt-placed');
    // what review decides on travels with it; the customer's email and address do not
    expect(reserved.data).toEqual({
      orderId, orderNumber: expect.any(String), reservations: [{ sku: 'RELAY-1', quantity: 1 }],
      version: 2, channel: 'web', total: { amount: 1000, currency: 'CNY' }, customerId: expect.any(String), shippingCountry: 'CN', skus: ['RELAY-1'], placedAt: expect.any(String),
    });
  });
});
