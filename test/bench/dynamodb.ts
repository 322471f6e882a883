// Benchmark of the local DynamoDB endpoint through the AWS SDK, as application code calls it,
// beside bare dynalite (no transactions, streams or lock) measured the same way for comparison.
// Run: npx tsx test/bench/dynamodb.ts   (about 25 s). `runDynamoBench()` returns the rows for a
// combined bench runner.
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, TransactGetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { startLocalDynamo } from '../../infra/local/dynamodb';

export interface BenchRow {
  benchmark: string;
  operations: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

const PHASE_MS = 3000;
const CONCURRENCY = 16;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Runs `op` from CONCURRENCY workers for PHASE_MS and reports throughput and latency. */
async function phase(benchmark: string, op: (i: number) => Promise<unknown>): Promise<BenchRow> {
  const latencies: number[] = [];
  let next = 0;
  const start = performance.now();
  const end = start + PHASE_MS;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        await op(next++);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    benchmark,
    operations: latencies.length,
    seconds: round(seconds, 2),
    perSecond: Math.round(latencies.length / seconds),
    p50Ms: round(percentile(latencies, 50), 2),
    p99Ms: round(percentile(latencies, 99), 2),
  };
}

const TableName = 'bench';
const item = (id: string) => ({ pk: `ITEM#${id}`, sk: 'ITEM', type: 'BENCH', qty: 1, note: 'x'.repeat(200) });

async function createBenchTable(client: DynamoDBClient) {
  await client.send(
      new CreateTableCommand({
        TableName,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
      }),
    );
}

const clientOf = (endpoint: string) => new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });

/** PutItem on bare dynalite (in memory, its own HTTP server): the store's own speed, the yardstick for the endpoint. */
export async function bareDynalitePutItem(): Promise<BenchRow> {
  const dynalite = createRequire(import.meta.url)('dynalite') as (opts: Record<string, unknown>) => Server;
  const server = dynalite({ createTableMs: 0 });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const client = clientOf(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  try {
    await createBenchTable(client);
    const doc = DynamoDBDocumentClient.from(client);
    return await phase('bare dynalite PutItem', (i) => doc.send(new PutCommand({ TableName, Item: item(`put-${i}`) })));
  } finally {
    client.destroy();
    await new Promise<void>((ok) => server.close(() => ok()));
  }
}

export async function runDynamoBench(): Promise<BenchRow[]> {
  const bare = await bareDynalitePutItem();
  const dynamo = await startLocalDynamo();
  try {
    const client = clientOf(dynamo.url);
    const doc = DynamoDBDocumentClient.from(client);
    await createBenchTable(client);
    const transaction = (size: number, i: number) =>
      doc.send(new TransactWriteCommand({ TransactItems: Array.from({ length: size }, (_, k) => ({ Put: { TableName, Item: item(`tx${size}-${i}-${k}`) } })) }));

    const rows: BenchRow[] = [bare];
    rows.push(await phase('PutItem (single-item write)', (i) => doc.send(new PutCommand({ TableName, Item: item(`put-${i}`) }))));
    rows.push(await phase('TransactWriteItems, 2 items', (i) => transaction(2, i)));
    rows.push(await phase('TransactWriteItems, 10 items', (i) => transaction(10, i)));
    rows.push(
      await phase('TransactGetItems, 2 items', (i) =>
        doc.send(
          new TransactGetCommand({
            TransactItems: [
              { Get: { TableName, Key: { pk: `ITEM#put-${i % 500}`, sk: 'ITEM' } } },
              { Get: { TableName, Key: { pk: `ITEM#put-${(i + 1) % 500}`, sk: 'ITEM' } } },
            ],
          }),
        ),
      ),
    );

    // Stream lag: from the write's acknowledgement to its record being readable in-process.
    const arn = dynamo.streams.streamArn(TableName)!;
    const lags: number[] = [];
    let cursor = (await dynamo.streams.read(arn, undefined, 1_000_000)).at(-1)?.dynamodb.SequenceNumber;
    const lagStart = performance.now();
    for (let i = 0; i < 300; i++) {
      await doc.send(new PutCommand({ TableName, Item: item(`lag-${i}`) }));
      const acked = performance.now();
      let records = await dynamo.streams.read(arn, cursor, 10);
      while (records.length === 0) {
        await new Promise((r) => setImmediate(r));
        records = await dynamo.streams.read(arn, cursor, 10);
      }
      lags.push(performance.now() - acked);
      cursor = records.at(-1)!.dynamodb.SequenceNumber;
    }
    const lagSeconds = (performance.now() - lagStart) / 1000;
    lags.sort((a, b) => a - b);
    rows.push({
      benchmark: 'stream lag (ack -> record readable)',
      operations: lags.length,
      seconds: round(lagSeconds, 2),
      perSecond: Math.round(lags.length / lagSeconds),
      p50Ms: round(percentile(lags, 50), 3),
      p99Ms: round(percentile(lags, 99), 3),
    });
    client.destroy();
    return rows;
  } finally {
    await dynamo.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = await runDynamoBench();
  console.log(`local DynamoDB endpoint, ${CONCURRENCY} concurrent SDK callers, ${PHASE_MS / 1000} s per phase`);
  console.table(rows);
}
