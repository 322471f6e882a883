// Change stream records in AWS's format for every kind of write, per StreamViewType; none for a
// write that failed or changed nothing; the DynamoDB Streams API subset a poller uses.
import { DeleteTableCommand, DescribeTableCommand, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, GetRecordsCommand, GetShardIteratorCommand, ListStreamsCommand } from '@aws-sdk/client-dynamodb-streams';
import { BatchWriteCommand, DeleteCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalDynamo, type LocalDynamo, type StreamRecord } from '../../../infra/local/dynamodb';
import { clients, createTable, rejection, uniqueTableName } from './helpers';

// In-process access (LocalStreams) needs an instance of our own.
let dynamo: LocalDynamo;
let api: ReturnType<typeof clients>;

beforeAll(async () => {
  dynamo = await startLocalDynamo();
  api = clients(dynamo.url);
});
afterAll(async () => {
  await dynamo?.stop();
});

const key = (id: string) => ({ pk: `ITEM#${id}`, sk: 'ITEM' });
const S = (s: string) => ({ S: s });
const N = (n: number) => ({ N: String(n) });

async function recordsAfter(arn: string, after: string | undefined) {
  return dynamo.streams.read(arn, after, 1000);
}
const last = (records: StreamRecord[]) => records.at(-1)?.dynamodb.SequenceNumber;

describe('stream records for every write kind (NEW_AND_OLD_IMAGES)', () => {
  let table: string;
  let arn: string;

  beforeAll(async () => {
    table = await createTable(api.client, uniqueTableName('streams'), 'NEW_AND_OLD_IMAGES');
    arn = dynamo.streams.streamArn(table)!;
  });

  it('reports the stream on DescribeTable and in-process', async () => {
    const { Table } = await api.client.send(new DescribeTableCommand({ TableName: table }));
    expect(Table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
    expect(Table?.LatestStreamArn).toBe(arn);
    expect(arn).toBe(`arn:aws:dynamodb:us-east-1:000000000000:table/${table}/stream/${Table?.LatestStreamLabel}`);
  });

  it('records Put, Update, Delete with old and new images in commit order', async () => {
    const { doc } = api;
    const before = last(await recordsAfter(arn, undefined));
    await doc.send(new PutCommand({ TableName: table, Item: { ...key('1'), n: 1 } }));
    await doc.send(new PutCommand({ TableName: table, Item: { ...key('1'), n: 2 } }));
    await doc.send(new UpdateCommand({ TableName: table, Key: key('1'), UpdateExpression: 'SET n = n + :one', ExpressionAttributeValues: { ':one': 1 } }));
    await doc.send(new DeleteCommand({ TableName: table, Key: key('1') }));

    const records = await recordsAfter(arn, before);
    expect(records.map((r) => r.eventName)).toEqual(['INSERT', 'MODIFY', 'MODIFY', 'REMOVE']);
    const keys = { pk: S('ITEM#1'), sk: S('ITEM') };
    expect(records.map((r) => [r.dynamodb.OldImage, r.dynamodb.NewImage])).toEqual([
      [undefined, { ...keys, n: N(1) }],
      [{ ...keys, n: N(1) }, { ...keys, n: N(2) }],
      [{ ...keys, n: N(2) }, { ...keys, n: N(3) }],
      [{ ...keys, n: N(3) }, undefined],
    ]);
    const seqs = records.map((r) => BigInt(r.dynamodb.SequenceNumber));
    expect(seqs).toEqual([...seqs].sort((a, b) => (a < b ? -1 : 1)));
    for (const r of records) {
      expect(r).toMatchObject({ eventVersion: '1.1', eventSource: 'aws:dynamodb', awsRegion: 'us-east-1', eventSourceARN: arn });
      expect(r.eventID).toMatch(/^[0-9a-f]{32}$/);
      expect(r.dynamodb.Keys).toEqual(keys);
      expect(r.dynamodb.StreamViewType).toBe('NEW_AND_OLD_IMAGES');
      expect(r.dynamodb.SequenceNumber).toMatch(/^\d{21}$/);
      expect(r.dynamodb.SizeBytes).toBeGreaterThan(0);
      expect(Math.abs(r.dynamodb.ApproximateCreationDateTime - Date.now() / 1000)).toBeLessThan(60);
    }
  });

  it('answers an update with the values it asked for, and records the whole new item whatever it asked', async () => {
    const { doc } = api;
    await doc.send(new PutCommand({ TableName: table, Item: { ...key('u'), n: 1, m: 'kept' } }));
    const before = last(await recordsAfter(arn, undefined));
    const update = (ReturnValues?: 'NONE' | 'UPDATED_NEW' | 'UPDATED_OLD' | 'ALL_NEW' | 'ALL_OLD') =>
      doc.send(new UpdateCommand({ TableName: table, Key: key('u'), UpdateExpression: 'SET n = n + :one', ExpressionAttributeValues: { ':one': 1 }, ReturnValues }));
    expect((await update()).Attributes).toBeUndefined();
    expect((await update('NONE')).Attributes).toBeUndefined();
    expect((await update('UPDATED_NEW')).Attributes).toEqual({ n: 4 });
    expect((await update('UPDATED_OLD')).Attributes).toEqual({ n: 4 });
    expect((await update('ALL_NEW')).Attributes).toEqual({ ...key('u'), n: 6, m: 'kept' });
    expect((await update('ALL_OLD')).Attributes).toEqual({ ...key('u'), n: 6, m: 'kept' });

    const records = await recordsAfter(arn, before);
    const keys = { pk: S('ITEM#u'), sk: S('ITEM') };
    expect(records.map((r) => r.dynamodb.NewImage)).toEqual([2, 3, 4, 5, 6, 7].map((n) => ({ ...keys, n: N(n), m: S('kept') })));
  });

  it('writes no record for a failed or no-op write', async () => {
    const { doc } = api;
    await doc.send(new PutCommand({ TableName: table, Item: { ...key('2'), n: 1, tags: new Set(['a', 'b']) } }));
    const before = last(await recordsAfter(arn, undefined));
    await doc.send(new PutCommand({ TableName: table, Item: { ...key('2'), n: 1, tags: new Set(['b', 'a']) } })); // identical item
    await doc.send(new UpdateCommand({ TableName: table, Key: key('2'), UpdateExpression: 'SET n = :one', ExpressionAttributeValues: { ':one': 1 } })); // same value
    await doc.send(new DeleteCommand({ TableName: table, Key: key('missing') })); // nothing to delete
    await rejection(doc.send(new PutCommand({ TableName: table, Item: { ...key('2') }, ConditionExpression: 'attribute_not_exists(pk)' })));
    await rejection(
      doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: table, Item: { ...key('3') } } },
            { ConditionCheck: { TableName: table, Key: key('missing'), ConditionExpression: 'attribute_exists(pk)' } },
          ],
        }),
      ),
    );
    expect(await recordsAfter(arn, before)).toEqual([]);
  });

  it('records each BatchWriteItem request and each transaction action (not ConditionChecks)', async () => {
    const { doc } = api;
    await doc.send(new PutCommand({ TableName: table, Item: { ...key('b1'), v: 'old' } }));
    const before = last(await recordsAfter(arn, undefined));
    await doc.send(
      new BatchWriteCommand({
        RequestItems: {
          [table]: [{ PutRequest: { Item: { ...key('b2'), v: 'new' } } }, { DeleteRequest: { Key: key('b1') } }, { DeleteRequest: { Key: key('never') } }],
        },
      }),
    );
    await doc.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: table, Item: { ...key('t1'), v: 1 } } },
          { Update: { TableName: table, Key: key('b2'), UpdateExpression: 'SET v = :v', ExpressionAttributeValues: { ':v': 'changed' } } },
          { Delete: { TableName: table, Key: key('2') } },
          { ConditionCheck: { TableName: table, Key: key('b2'.replace('2', '9')), ConditionExpression: 'attribute_not_exists(pk)' } },
        ],
      }),
    );
    const records = await recordsAfter(arn, before);
    expect(records.map((r) => `${r.eventName} ${r.dynamodb.Keys.pk!.S}`)).toEqual([
      'INSERT ITEM#b2',
      'REMOVE ITEM#b1',
      'INSERT ITEM#t1',
      'MODIFY ITEM#b2',
      'REMOVE ITEM#2',
    ]);
    expect(records[3]!.dynamodb.OldImage?.v).toEqual(S('new'));
    expect(records[3]!.dynamodb.NewImage?.v).toEqual(S('changed'));
  });

  it('calls onAppend listeners and reads strictly after a sequence number', async () => {
    const seen: string[] = [];
    const unsubscribe = dynamo.streams.onAppend((a) => seen.push(a));
    const before = last(await recordsAfter(arn, undefined));
    await api.doc.send(new PutCommand({ TableName: table, Item: { ...key('listen'), n: 1 } }));
    await api.doc.send(new PutCommand({ TableName: table, Item: { ...key('listen'), n: 2 } }));
    unsubscribe();
    await api.doc.send(new PutCommand({ TableName: table, Item: { ...key('listen'), n: 3 } }));
    expect(seen).toEqual([arn, arn]);
    const [first, ...rest] = await recordsAfter(arn, before);
    expect(rest).toHaveLength(2);
    expect(await dynamo.streams.read(arn, first!.dynamodb.SequenceNumber, 1)).toEqual([rest[0]]);
  });
});

describe('StreamViewType', () => {
  it.each(['KEYS_ONLY', 'NEW_IMAGE', 'OLD_IMAGE'] as const)('%s carries only what it names', async (viewType) => {
    const table = await createTable(api.client, uniqueTableName(viewType.toLowerCase().replace('_', '-')), viewType);
    const arn = dynamo.streams.streamArn(table)!;
    await api.doc.send(new PutCommand({ TableName: table, Item: { ...key('v'), n: 1 } }));
    await api.doc.send(new PutCommand({ TableName: table, Item: { ...key('v'), n: 2 } }));
    const [, modify] = await recordsAfter(arn, undefined);
    expect(modify!.dynamodb.StreamViewType).toBe(viewType);
    expect(modify!.dynamodb.Keys).toEqual({ pk: S('ITEM#v'), sk: S('ITEM') });
    expect(modify!.dynamodb.NewImage?.n).toEqual(viewType === 'NEW_IMAGE' ? N(2) : undefined);
    expect(modify!.dynamodb.OldImage?.n).toEqual(viewType === 'OLD_IMAGE' ? N(1) : undefined);
  });

  it('has no stream for a table without StreamSpecification until UpdateTable enables one', async () => {
    const table = await createTable(api.client, uniqueTableName('nostream'));
    expect(dynamo.streams.streamArn(table)).toBeUndefined();
    const { Table } = await api.client.send(new DescribeTableCommand({ TableName: table }));
    expect(Table?.StreamSpecification).toBeUndefined();
    await api.client.send(new UpdateTableCommand({ TableName: table, StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' } }));
    const arn = dynamo.streams.streamArn(table)!;
    await api.doc.send(new PutCommand({ TableName: table, Item: { ...key('u') } }));
    expect(await recordsAfter(arn, undefined)).toHaveLength(1);
    await api.client.send(new UpdateTableCommand({ TableName: table, StreamSpecification: { StreamEnabled: false } }));
    expect(dynamo.streams.streamArn(table)).toBeUndefined();
  });
});

describe('DynamoDB Streams API', () => {
  it('lists, describes and reads a stream through @aws-sdk/client-dynamodb-streams', async () => {
    const table = await createTable(api.client, uniqueTableName('streams-api'), 'NEW_AND_OLD_IMAGES');
    for (let i = 0; i < 5; i++) await api.doc.send(new PutCommand({ TableName: table, Item: { ...key(String(i)), i } }));

    const { Streams } = await api.streams.send(new ListStreamsCommand({ TableName: table }));
    expect(Streams).toHaveLength(1);
    const arn = Streams![0]!.StreamArn!;
    const { StreamDescription } = await api.streams.send(new DescribeStreamCommand({ StreamArn: arn }));
    expect(StreamDescription).toMatchObject({ StreamStatus: 'ENABLED', StreamViewType: 'NEW_AND_OLD_IMAGES', TableName: table });
    const shardId = StreamDescription!.Shards![0]!.ShardId!;

    const iterator = async (ShardIteratorType: 'TRIM_HORIZON' | 'LATEST' | 'AT_SEQUENCE_NUMBER' | 'AFTER_SEQUENCE_NUMBER', SequenceNumber?: string) =>
      (await api.streams.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: shardId, ShardIteratorType, SequenceNumber }))).ShardIterator!;

    const page1 = await api.streams.send(new GetRecordsCommand({ ShardIterator: await iterator('TRIM_HORIZON'), Limit: 3 }));
    expect(page1.Records?.map((r) => r.dynamodb?.NewImage?.i?.N)).toEqual(['0', '1', '2']);
    expect(page1.Records?.[0]?.dynamodb?.ApproximateCreationDateTime).toBeInstanceOf(Date);
    const page2 = await api.streams.send(new GetRecordsCommand({ ShardIterator: page1.NextShardIterator! }));
    expect(page2.Records?.map((r) => r.dynamodb?.NewImage?.i?.N)).toEqual(['3', '4']);

    const third = page1.Records![2]!.dynamodb!.SequenceNumber!;
    const at = await api.streams.send(new GetRecordsCommand({ ShardIterator: await iterator('AT_SEQUENCE_NUMBER', third) }));
    expect(at.Records?.map((r) => r.dynamodb?.NewImage?.i?.N)).toEqual(['2', '3', '4']);
    const after = await api.streams.send(new GetRecordsCommand({ ShardIterator: await iterator('AFTER_SEQUENCE_NUMBER', third) }));
    expect(after.Records?.map((r) => r.dynamodb?.NewImage?.i?.N)).toEqual(['3', '4']);

    const latest = await iterator('LATEST');
    expect((await api.streams.send(new GetRecordsCommand({ ShardIterator: latest }))).Records).toEqual([]);
    await api.doc.send(new PutCommand({ TableName: table, Item: { ...key('late'), i: 99 } }));
    const fresh = await api.streams.send(new GetRecordsCommand({ ShardIterator: latest }));
    expect(fresh.Records?.map((r) => r.dynamodb?.NewImage?.i?.N)).toEqual(['99']);
    expect(fresh.Records?.[0]?.eventName).toBe('INSERT');
  });
});

describe('DeleteTable', () => {
  it('disables the stream; a table re-created under the name gets a new one, old records stay readable', async () => {
    const name = uniqueTableName('recreate');
    await createTable(api.client, name, 'NEW_IMAGE');
    const first = dynamo.streams.streamArn(name)!;
    await api.doc.send(new PutCommand({ TableName: name, Item: { ...key('old') } }));
    await api.client.send(new DeleteTableCommand({ TableName: name }));
    expect(dynamo.streams.streamArn(name)).toBeUndefined();
    await createTable(api.client, name);
    expect((await api.client.send(new DescribeTableCommand({ TableName: name }))).Table?.LatestStreamArn).toBeUndefined();
    expect(await dynamo.streams.read(first, undefined, 10)).toHaveLength(1);
  });
});
