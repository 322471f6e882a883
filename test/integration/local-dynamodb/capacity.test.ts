// ReturnConsumedCapacity by DynamoDB's costing rules: 1 WCU per KB written, 0.5 RCU (eventually
// consistent) or 1 RCU (strongly consistent) per 4 KB read; transactions cost double.
import { GetCommand, PutCommand, TransactGetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, expect, inject, it } from 'vitest';
import { clients, createTable, uniqueTableName } from './helpers';

const { client, doc } = clients(inject('dynamoUrl'));
const table = uniqueTableName('capacity');
const blob = (bytes: number) => 'x'.repeat(bytes);

beforeAll(async () => {
  await createTable(client, table);
});

it('charges single writes per KB and transactional writes double', async () => {
  const put = await doc.send(new PutCommand({ TableName: table, Item: { pk: 'w1', sk: 'X', data: blob(1500) }, ReturnConsumedCapacity: 'TOTAL' }));
  expect(put.ConsumedCapacity).toMatchObject({ TableName: table, CapacityUnits: 2 });

  const tx = await doc.send(
    new TransactWriteCommand({
      ReturnConsumedCapacity: 'TOTAL',
      TransactItems: [
        { Put: { TableName: table, Item: { pk: 'w2', sk: 'X', data: blob(1500) } } },
        { Put: { TableName: table, Item: { pk: 'w3', sk: 'X', data: blob(100) } } },
      ],
    }),
  );
  expect(tx.ConsumedCapacity).toEqual([{ TableName: table, CapacityUnits: 6, WriteCapacityUnits: 6 }]);

  const indexes = await doc.send(
    new TransactWriteCommand({ ReturnConsumedCapacity: 'INDEXES', TransactItems: [{ Put: { TableName: table, Item: { pk: 'w4', sk: 'X' } } }] }),
  );
  expect(indexes.ConsumedCapacity).toEqual([{ TableName: table, CapacityUnits: 2, WriteCapacityUnits: 2, Table: { CapacityUnits: 2, WriteCapacityUnits: 2 } }]);
});

it('charges reads per 4 KB, half for eventually consistent, double in a transaction', async () => {
  await doc.send(new PutCommand({ TableName: table, Item: { pk: 'r1', sk: 'X', data: blob(5000) } }));
  const eventual = await doc.send(new GetCommand({ TableName: table, Key: { pk: 'r1', sk: 'X' }, ReturnConsumedCapacity: 'TOTAL' }));
  expect(eventual.ConsumedCapacity?.CapacityUnits).toBe(1);
  const strong = await doc.send(new GetCommand({ TableName: table, Key: { pk: 'r1', sk: 'X' }, ConsistentRead: true, ReturnConsumedCapacity: 'TOTAL' }));
  expect(strong.ConsumedCapacity?.CapacityUnits).toBe(2);
  const tx = await doc.send(new TransactGetCommand({ ReturnConsumedCapacity: 'TOTAL', TransactItems: [{ Get: { TableName: table, Key: { pk: 'r1', sk: 'X' } } }] }));
  expect(tx.ConsumedCapacity).toEqual([{ TableName: table, CapacityUnits: 4, ReadCapacityUnits: 4 }]);
});

it('adds the writes to secondary indexes: a new entry 1, a moved key 2, per index with INDEXES', async () => {
  const indexed = { pk: 'g1', sk: 'X', gsi1pk: 'A', gsi1sk: '1' };
  const insert = await doc.send(new PutCommand({ TableName: table, Item: indexed, ReturnConsumedCapacity: 'INDEXES' }));
  expect(insert.ConsumedCapacity).toEqual({ TableName: table, CapacityUnits: 2, Table: { CapacityUnits: 1 }, GlobalSecondaryIndexes: { gsi1: { CapacityUnits: 1 } } });
  const moved = await doc.send(new PutCommand({ TableName: table, Item: { ...indexed, gsi1sk: '2' }, ReturnConsumedCapacity: 'TOTAL' }));
  expect(moved.ConsumedCapacity).toEqual({ TableName: table, CapacityUnits: 3 });
  const unindexed = await doc.send(new PutCommand({ TableName: table, Item: { pk: 'g2', sk: 'X' }, ReturnConsumedCapacity: 'TOTAL' }));
  expect(unindexed.ConsumedCapacity).toEqual({ TableName: table, CapacityUnits: 1 });
  const tx = await doc.send(
    new TransactWriteCommand({ ReturnConsumedCapacity: 'INDEXES', TransactItems: [{ Delete: { TableName: table, Key: { pk: 'g1', sk: 'X' } } }] }),
  );
  expect(tx.ConsumedCapacity).toEqual([
    { TableName: table, CapacityUnits: 4, WriteCapacityUnits: 4, Table: { CapacityUnits: 2, WriteCapacityUnits: 2 }, GlobalSecondaryIndexes: { gsi1: { CapacityUnits: 2 } } },
  ]);
});
