// Creates the template's tables on the endpoint through the SDK, as CloudFormation would:
// key schema, indexes, billing mode, stream and TTL. A table that exists already is kept
// (a data folder from an earlier run), so provisioning is idempotent.
import { CreateTableCommand, DescribeTableCommand, DescribeTimeToLiveCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import type { TableSpec } from '../template';

async function ensureTable(client: DynamoDBClient, t: TableSpec, log: (line: string) => void): Promise<void> {
  let exists = true;
  try {
    await client.send(new DescribeTableCommand({ TableName: t.name }));
  } catch (err) {
    if ((err as Error).name !== 'ResourceNotFoundException') throw err;
    exists = false;
  }
  if (!exists) {
    const provisioned = t.billingMode !== 'PAY_PER_REQUEST';
    const throughput = t.provisionedThroughput ?? { ReadCapacityUnits: 5, WriteCapacityUnits: 5 };
    await client.send(
      new CreateTableCommand({
        TableName: t.name,
        KeySchema: t.keySchema as never,
        AttributeDefinitions: t.attributeDefinitions as never,
        BillingMode: provisioned ? 'PROVISIONED' : 'PAY_PER_REQUEST',
        ...(provisioned ? { ProvisionedThroughput: throughput } : {}),
        GlobalSecondaryIndexes: t.globalSecondaryIndexes?.map((g) => ({
          IndexName: g.IndexName,
          KeySchema: g.KeySchema,
          Projection: g.Projection,
          ...(provisioned ? { ProvisionedThroughput: g.ProvisionedThroughput ?? throughput } : {}),
        })),
        LocalSecondaryIndexes: t.localSecondaryIndexes,
        StreamSpecification: t.streamViewType ? { StreamEnabled: true, StreamViewType: t.streamViewType as never } : undefined,
      }),
    );
    log(`table ${t.name} created`);
  }
  for (let i = 0; ; i++) {
    const d = await client.send(new DescribeTableCommand({ TableName: t.name }));
    if (d.Table?.TableStatus === 'ACTIVE') break;
    if (i > 200) throw new Error(`table ${t.name} did not become ACTIVE`);
    await new Promise((r) => setTimeout(r, 50));
  }
  if (t.ttlAttribute) {
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: t.name }));
    if (ttl.TimeToLiveDescription?.TimeToLiveStatus !== 'ENABLED') {
      await client.send(new UpdateTimeToLiveCommand({ TableName: t.name, TimeToLiveSpecification: { AttributeName: t.ttlAttribute, Enabled: true } }));
    }
  }
}

/** Creates every table that does not exist yet on the endpoint at `url`. */
export async function provisionTables(url: string, region: string, tables: TableSpec[], log: (line: string) => void): Promise<void> {
  const client = new DynamoDBClient({ endpoint: url, region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    for (const t of tables) await ensureTable(client, t, log);
  } finally {
    client.destroy();
  }
}
