// Faults on purpose: the endpoint answers with DynamoDB's own errors for contention and load,
// shaped as DynamoDB shapes them, and a faulted request changes nothing.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalDynamo, type LocalDynamo } from '../../../infra/local/dynamodb';
import { isTransactionConflict } from '../../../shared/store/table';
import { clients, createTable, uniqueTableName } from './helpers';

type SdkError = Error & { CancellationReasons?: { Code: string }[]; $metadata: { httpStatusCode?: number; attempts?: number } };
/** The error a request failed with (a request that succeeds fails the test). */
const failure = (p: Promise<unknown>): Promise<SdkError> =>
  p.then(
    () => Promise.reject(new Error('expected the request to fail')),
    (e: unknown) => e as SdkError,
  );

describe('transaction-conflict=1', () => {
  let dynamo: LocalDynamo;
  const table = uniqueTableName('faults');
  beforeAll(async () => {
    dynamo = await startLocalDynamo({ faults: { transactionConflict: 1 } });
    await createTable(clients(dynamo.url).client, table);
  });
  afterAll(() => dynamo.stop());

  it('cancels TransactWriteItems with one TransactionConflict reason per action and writes nothing', async () => {
    const { doc } = clients(dynamo.url);
    const err = await failure(
      doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: table, Item: { pk: 'a', sk: 'X' } } },
            { Put: { TableName: table, Item: { pk: 'b', sk: 'X' } } },
          ],
        }),
      ),
    );
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('TransactionCanceledException');
    expect(err.$metadata.httpStatusCode).toBe(400);
    expect(err.CancellationReasons).toHaveLength(2);
    expect(err.CancellationReasons!.map((r) => r.Code).sort()).toEqual(['None', 'TransactionConflict']);
    expect(err.message).toMatch(/^Transaction cancelled, please refer cancellation reasons for specific reasons \[(None|TransactionConflict), (None|TransactionConflict)\]$/);
    // What the store's writer retries, unlike a failed condition.
    expect(isTransactionConflict(err)).toBe(true);

    expect((await doc.send(new GetCommand({ TableName: table, Key: { pk: 'a', sk: 'X' } }))).Item).toBeUndefined();
    // Single-item writes are not touched by this fault.
    await doc.send(new PutCommand({ TableName: table, Item: { pk: 'c', sk: 'X' } }));
    expect((await dynamo.stats()).faults).toEqual({ transactionConflict: 1, throttle: 0 });
  });
});

describe('throttle=1', () => {
  let dynamo: LocalDynamo;
  const table = uniqueTableName('throttle');
  beforeAll(async () => {
    dynamo = await startLocalDynamo({ faults: { throttle: 1 } });
    await createTable(clients(dynamo.url).client, table);
  });
  afterAll(() => dynamo.stop());

  it('refuses item requests with ProvisionedThroughputExceededException, which the SDK retries', async () => {
    // The SDK's default retry strategy, as the functions use it.
    const client = new DynamoDBClient({ endpoint: dynamo.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const doc = DynamoDBDocumentClient.from(client);
    const err = await failure(doc.send(new PutCommand({ TableName: table, Item: { pk: 'a', sk: 'X' } })));
    expect(err.name).toBe('ProvisionedThroughputExceededException');
    expect(err.message).toBe(
      'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
    );
    expect(err.$metadata.httpStatusCode).toBe(400);
    expect(err.$metadata.attempts).toBeGreaterThan(1);
    expect((await dynamo.stats()).faults).toEqual({ transactionConflict: 0, throttle: err.$metadata.attempts });
  });
});

describe('no faults', () => {
  it('reports no fault counts', async () => {
    const dynamo = await startLocalDynamo();
    try {
      expect((await dynamo.stats()).faults).toBeUndefined();
    } finally {
      await dynamo.stop();
    }
  });
});
