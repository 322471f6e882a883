import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand, GetRecordsCommand, GetShardIteratorCommand, type DynamoDBStreamsClient,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import type { TestTable } from './table';

/** Every record of the table's stream so far, in the shape Lambda hands to the relay. */
export async function streamRecords(table: TestTable, streams: DynamoDBStreamsClient): Promise<DynamoDBRecord[]> {
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
