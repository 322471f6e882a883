// TTL: UpdateTimeToLive / DescribeTimeToLive, and the sweeper deleting expired items with a
// REMOVE stream record made by the DynamoDB service principal.
import { DescribeTimeToLiveCommand, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startLocalDynamo, type LocalDynamo } from '../../../infra/local/dynamodb';
import { clients, createTable, rejection, uniqueTableName } from './helpers';

let dynamo: LocalDynamo;
let api: ReturnType<typeof clients>;

beforeAll(async () => {
  dynamo = await startLocalDynamo({ ttlSweepIntervalMs: 25 });
  api = clients(dynamo.url);
});
afterAll(async () => {
  await dynamo?.stop();
});

const until = async (check: () => Promise<boolean>, timeoutMs = 5000) => {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

it('enables TTL and describes it', async () => {
  const table = await createTable(api.client, uniqueTableName('ttl-describe'));
  expect((await api.client.send(new DescribeTimeToLiveCommand({ TableName: table }))).TimeToLiveDescription).toEqual({ TimeToLiveStatus: 'DISABLED' });
  const out = await api.client.send(new UpdateTimeToLiveCommand({ TableName: table, TimeToLiveSpecification: { Enabled: true, AttributeName: 'expiresAt' } }));
  expect(out.TimeToLiveSpecification).toEqual({ Enabled: true, AttributeName: 'expiresAt' });
  expect((await api.client.send(new DescribeTimeToLiveCommand({ TableName: table }))).TimeToLiveDescription).toEqual({
    TimeToLiveStatus: 'ENABLED',
    AttributeName: 'expiresAt',
  });
  const again = await rejection(api.client.send(new UpdateTimeToLiveCommand({ TableName: table, TimeToLiveSpecification: { Enabled: true, AttributeName: 'expiresAt' } })));
  expect(again.name).toBe('ValidationException');
  const missing = await rejection(api.client.send(new DescribeTimeToLiveCommand({ TableName: 'no-such-table' })));
  expect(missing.name).toBe('ResourceNotFoundException');
});

it('deletes expired items only, with a service REMOVE record', async () => {
  const table = await createTable(api.client, uniqueTableName('ttl-sweep'), 'NEW_AND_OLD_IMAGES');
  await api.client.send(new UpdateTimeToLiveCommand({ TableName: table, TimeToLiveSpecification: { Enabled: true, AttributeName: 'expiresAt' } }));
  const now = Math.floor(Date.now() / 1000);
  const put = (id: string, expiresAt: unknown) => api.doc.send(new PutCommand({ TableName: table, Item: { pk: id, sk: 'X', expiresAt } }));
  await put('expired', now - 10);
  await put('future', now + 3600);
  await put('string', String(now - 10)); // not a Number: never expires
  await put('ancient', now - 6 * 365 * 24 * 3600); // more than five years old: ignored, as DynamoDB does
  await put('soon', now + 1);

  const exists = async (id: string) => (await api.doc.send(new GetCommand({ TableName: table, Key: { pk: id, sk: 'X' } }))).Item !== undefined;
  await until(async () => !(await exists('expired')) && !(await exists('soon')));
  expect(await exists('future')).toBe(true);
  expect(await exists('string')).toBe(true);
  expect(await exists('ancient')).toBe(true);

  const removes = (await dynamo.streams.read(dynamo.streams.streamArn(table)!, undefined, 100)).filter((r) => r.eventName === 'REMOVE');
  expect(removes.map((r) => r.dynamodb.Keys.pk!.S).sort()).toEqual(['expired', 'soon']);
  for (const r of removes) {
    expect(r.userIdentity).toEqual({ type: 'Service', principalId: 'dynamodb.amazonaws.com' });
    expect(r.dynamodb.OldImage?.expiresAt).toBeDefined();
  }
});

it('expires items written before TTL was enabled, and not an item whose expiry a later write removed', async () => {
  const table = await createTable(api.client, uniqueTableName('ttl-index'));
  const now = Math.floor(Date.now() / 1000);
  const put = (id: string, expiresAt?: number) => api.doc.send(new PutCommand({ TableName: table, Item: { pk: id, sk: 'X', ...(expiresAt ? { expiresAt } : {}) } }));
  await put('before', now - 10);
  await api.client.send(new UpdateTimeToLiveCommand({ TableName: table, TimeToLiveSpecification: { Enabled: true, AttributeName: 'expiresAt' } }));
  await put('kept', now + 2);
  await put('kept'); // rewritten without the attribute: no longer expires
  await put('after', now + 1);

  const exists = async (id: string) => (await api.doc.send(new GetCommand({ TableName: table, Key: { pk: id, sk: 'X' } }))).Item !== undefined;
  await until(async () => !(await exists('before')) && !(await exists('after')));
  await new Promise((r) => setTimeout(r, 2500));
  expect(await exists('kept')).toBe(true);
});

it('a transaction deleting an item that is not there succeeds on a TTL table, as DynamoDB does', async () => {
  const table = await createTable(api.client, uniqueTableName('ttl-delete-missing'), 'NEW_AND_OLD_IMAGES');
  await api.client.send(new UpdateTimeToLiveCommand({ TableName: table, TimeToLiveSpecification: { Enabled: true, AttributeName: 'expiresAt' } }));
  await api.doc.send(new TransactWriteCommand({
    TransactItems: [
      { Put: { TableName: table, Item: { pk: 'kept', sk: 'X' } } },
      { Delete: { TableName: table, Key: { pk: 'never-there', sk: 'X' } } },
    ],
  }));
  expect((await api.doc.send(new GetCommand({ TableName: table, Key: { pk: 'kept', sk: 'X' } }))).Item).toEqual({ pk: 'kept', sk: 'X' });
});
