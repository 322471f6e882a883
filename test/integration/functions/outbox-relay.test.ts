import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { EVENTS } from '../../../events/catalog';
import { makeHandler } from '../../../functions/outbox-relay/outbox-relay';
import { repositories, type Repositories } from '../../../shared/store';
import { NOW, pendingOrder, stocked } from '../../support/fixtures';
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

/** Every record of the table's stream so far, in the shape Lambda hands to the relay. */
async function streamRecords(): Promise<DynamoDBRecord[]> {
  const { Table } = await table.client.send(new DescribeTableCommand({ TableName: table.tableName }));
  const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: Table!.LatestStreamArn! }));
  const records: DynamoDBRecord[] = [];
  for (const shard of StreamDescription!.Shards ?? []) {
    let iterator = (
      await streams.send(
        new GetShardIteratorCommand({ StreamArn: Table!.LatestStreamArn!, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }),
      )
    ).ShardIterator;
    while (iterator) {
      const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
      records.push(...((page.Records ?? []) as unknown as DynamoDBRecord[]));
      if (!page.Records?.length) break;
      iterator = page.NextShardIterator;
    }
  }
  return records;
}

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
    expect(reserved.data).toEqual({ orderId, orderNumber: expect.any(String), reservations: [{ sku: 'RELAY-1', quantity: 1 }] });
  });
});
