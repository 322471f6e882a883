// With a data directory, items, tables, TTL settings and stream records survive a restart, and a
// consumer resumes after the last sequence number it processed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTimeToLiveCommand, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, expect, it } from 'vitest';
import { startLocalDynamo, type LocalDynamo } from '../../../infra/local/dynamodb';
import { clients, createTable, uniqueTableName } from './helpers';

const dataDir = mkdtempSync(join(tmpdir(), 'local-dynamodb-'));
const table = uniqueTableName('persist');
let dynamo: LocalDynamo | undefined;

afterAll(async () => {
  await dynamo?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

it('keeps items, settings and stream records across a restart and resumes after a sequence number', async () => {
  dynamo = await startLocalDynamo({ dataDir });
  let api = clients(dynamo.url);
  await createTable(api.client, table, 'NEW_AND_OLD_IMAGES');
  await api.client.send(new UpdateTimeToLiveCommand({ TableName: table, TimeToLiveSpecification: { Enabled: true, AttributeName: 'expiresAt' } }));
  await api.doc.send(new PutCommand({ TableName: table, Item: { pk: 'A', sk: 'X', n: 1 } }));
  await api.doc.send(new TransactWriteCommand({ TransactItems: [{ Put: { TableName: table, Item: { pk: 'B', sk: 'X' } } }] }));
  const arn = dynamo.streams.streamArn(table)!;
  const before = await dynamo.streams.read(arn, undefined, 100);
  expect(before).toHaveLength(2);
  const processed = before.at(-1)!.dynamodb.SequenceNumber;
  await dynamo.stop();

  dynamo = await startLocalDynamo({ dataDir });
  api = clients(dynamo.url);
  expect((await api.doc.send(new GetCommand({ TableName: table, Key: { pk: 'A', sk: 'X' } }))).Item).toEqual({ pk: 'A', sk: 'X', n: 1 });
  expect((await api.client.send(new DescribeTimeToLiveCommand({ TableName: table }))).TimeToLiveDescription?.TimeToLiveStatus).toBe('ENABLED');
  expect(dynamo.streams.streamArn(table)).toBe(arn);
  expect(await dynamo.streams.read(arn, undefined, 100)).toEqual(before);

  await api.doc.send(new PutCommand({ TableName: table, Item: { pk: 'A', sk: 'X', n: 2 } }));
  const resumed = await dynamo.streams.read(arn, processed, 100);
  expect(resumed).toHaveLength(1);
  expect(resumed[0]).toMatchObject({ eventName: 'MODIFY', dynamodb: { OldImage: { n: { N: '1' } }, NewImage: { n: { N: '2' } } } });
  expect(BigInt(resumed[0]!.dynamodb.SequenceNumber)).toBeGreaterThan(BigInt(processed));
});

it('refuses a second instance on the same data dir and a taken port, leaving the first one working', async () => {
  dynamo ??= await startLocalDynamo({ dataDir });
  await expect(startLocalDynamo({ dataDir })).rejects.toThrow();
  await expect(startLocalDynamo({ port: dynamo.port })).rejects.toThrow(/EADDRINUSE/);
  const api = clients(dynamo.url);
  await api.doc.send(new PutCommand({ TableName: table, Item: { pk: 'C', sk: 'X' } }));
  expect((await api.doc.send(new GetCommand({ TableName: table, Key: { pk: 'C', sk: 'X' } }))).Item).toBeDefined();
});
