// Item requests see a table as it is now: after DeleteTable, and after the name is created
// again with another key schema and index (the endpoint keeps an active table's description
// in memory for item requests; a table change must replace what it keeps).
import { CreateTableCommand, DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { clients, createTable, rejection, uniqueTableName } from './helpers';

const { client, doc } = clients(inject('dynamoUrl'));

describe('table changes reach item requests at once', () => {
  it('refuses items once the table is deleted, and takes the key schema and index of the table created again under its name', async () => {
    const table = await createTable(client, uniqueTableName('tables'));
    await doc.send(new PutCommand({ TableName: table, Item: { pk: 'A', sk: '1', gsi1pk: 'tea', gsi1sk: '1' } }));
    const before = await doc.send(new QueryCommand({ TableName: table, IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :v', ExpressionAttributeValues: { ':v': 'tea' } }));
    expect(before.Items?.map((i) => i.pk)).toEqual(['A']);

    await client.send(new DeleteTableCommand({ TableName: table }));
    expect((await rejection(doc.send(new GetCommand({ TableName: table, Key: { pk: 'A', sk: '1' } })))).name).toBe('ResourceNotFoundException');
    expect((await rejection(doc.send(new TransactWriteCommand({ TransactItems: [{ Put: { TableName: table, Item: { pk: 'B', sk: '1' } } }] })))).name).toBe('ResourceNotFoundException');

    await client.send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }, { AttributeName: 'kind', AttributeType: 'S' }],
        GlobalSecondaryIndexes: [{ IndexName: 'byKind', KeySchema: [{ AttributeName: 'kind', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } }],
      }),
    );
    await doc.send(new TransactWriteCommand({ TransactItems: [{ Put: { TableName: table, Item: { id: 'x', kind: 'tea', note: 'new schema' } } }] }));
    expect((await doc.send(new GetCommand({ TableName: table, Key: { id: 'x' } }))).Item?.note).toBe('new schema');
    const byKind = await doc.send(new QueryCommand({ TableName: table, IndexName: 'byKind', KeyConditionExpression: 'kind = :v', ExpressionAttributeValues: { ':v': 'tea' } }));
    expect(byKind.Items?.map((i) => i.id)).toEqual(['x']);
    // the old index and the old key shape are gone
    expect((await rejection(doc.send(new QueryCommand({ TableName: table, IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :v', ExpressionAttributeValues: { ':v': 'tea' } })))).name).toBe('ValidationException');
    expect((await rejection(doc.send(new PutCommand({ TableName: table, Item: { pk: 'A', sk: '1' } })))).name).toBe('ValidationException');
    await client.send(new DeleteTableCommand({ TableName: table }));
  });
});
