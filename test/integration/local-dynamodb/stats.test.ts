// Request accounting: the endpoint counts every caller's requests and the capacity they
// consumed, by access key id, without adding ConsumedCapacity to answers that did not ask.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startLocalDynamo, type LocalDynamo } from '../../../infra/local/dynamodb';
import { createTable, uniqueTableName } from './helpers';

let dynamo: LocalDynamo;
const clientOf = (accessKeyId: string) => new DynamoDBClient({ endpoint: dynamo.url, region: 'us-east-1', credentials: { accessKeyId, secretAccessKey: 'x' }, maxAttempts: 1 });
const docOf = (accessKeyId: string) => DynamoDBDocumentClient.from(clientOf(accessKeyId));

beforeAll(async () => {
  dynamo = await startLocalDynamo();
});
afterAll(async () => {
  await dynamo?.stop();
});

it('counts requests and capacity per caller', async () => {
  const alice = docOf('alice');
  const bob = docOf('bob');
  const table = await createTable(clientOf('admin'), uniqueTableName('stats'));
  const put = await alice.send(new PutCommand({ TableName: table, Item: { pk: 'a', sk: 'X' } }));
  expect(put.ConsumedCapacity).toBeUndefined();
  await alice.send(new TransactWriteCommand({ TransactItems: [{ Put: { TableName: table, Item: { pk: 'b', sk: 'X' } } }, { Put: { TableName: table, Item: { pk: 'c', sk: 'X' } } }] }));
  const asked = await bob.send(new GetCommand({ TableName: table, Key: { pk: 'a', sk: 'X' }, ReturnConsumedCapacity: 'TOTAL' }));
  expect(asked.ConsumedCapacity).toEqual({ TableName: table, CapacityUnits: 0.5 });

  const stats = await dynamo.stats();
  expect(stats.byCaller.alice).toEqual({ requests: 2, readUnits: 0, writeUnits: 5, operations: { PutItem: 1, TransactWriteItems: 1 } });
  expect(stats.byCaller.bob).toEqual({ requests: 1, readUnits: 0.5, writeUnits: 0, operations: { GetItem: 1 } });
  expect(stats.requests).toBe(3);
});
