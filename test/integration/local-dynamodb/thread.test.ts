// The endpoint in its own worker thread (as the local cloud runs it): the same HTTP API, and
// its streams, appends and stats reached from the main thread.
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startLocalDynamoThread, type ThreadedDynamo } from '../../../infra/local/dynamodb/thread';
import { clients, createTable, uniqueTableName } from './helpers';

let dynamo: ThreadedDynamo;
let api: ReturnType<typeof clients>;

beforeAll(async () => {
  dynamo = await startLocalDynamoThread();
  api = clients(dynamo.url);
});
afterAll(async () => {
  await dynamo?.stop();
});

it('serves items, streams and stats across the thread boundary', async () => {
  const table = await createTable(api.client, uniqueTableName('thread'), 'NEW_AND_OLD_IMAGES');
  await dynamo.refreshStreamArns();
  const arn = dynamo.streams.streamArn(table);
  expect(arn).toMatch(new RegExp(`^arn:aws:dynamodb:us-east-1:000000000000:table/${table}/stream/`));

  const woken = new Promise<string>((resolve) => dynamo.streams.onAppend(resolve));
  await api.doc.send(new PutCommand({ TableName: table, Item: { pk: 'a', sk: 'X', n: 1 } }));
  expect(await woken).toBe(arn);
  expect((await api.doc.send(new GetCommand({ TableName: table, Key: { pk: 'a', sk: 'X' } }))).Item).toEqual({ pk: 'a', sk: 'X', n: 1 });

  const records = await dynamo.streams.read(arn!, undefined, 10);
  expect(records.map((r) => [r.eventName, r.dynamodb.NewImage])).toEqual([['INSERT', { pk: { S: 'a' }, sk: { S: 'X' }, n: { N: '1' } }]]);
  expect((await dynamo.streams.read(arn!, records[0]!.dynamodb.SequenceNumber, 10)).length).toBe(0);
  await expect(dynamo.streams.read('arn:aws:dynamodb:us-east-1:000000000000:table/nope/stream/x', undefined, 1)).rejects.toThrow(/not found/);

  expect((await dynamo.stats()).byCaller.local).toMatchObject({ operations: { PutItem: 1, GetItem: 1 } });
});
