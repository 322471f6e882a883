// The single table's physical schema, declared once: the CDK stack
// (infra/stacks/stateful-stack.ts), the key builders (keys.ts) and the test tables
// all read it. Plain data, no AWS SDK or CDK import, so Lambda bundles can use it.

export const TABLE_SCHEMA = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** every GSI has a string partition key `<name>pk` and sort key `<name>sk`, projecting ALL */
  indexes: {
    gsi1: { partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    gsi2: { partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  },
  /** epoch seconds after which DynamoDB deletes the item (outbox items, idempotency claims) */
  timeToLiveAttribute: 'expiresAt',
  /** feeds the outbox relay; old images let consumers see what changed */
  streamViewType: 'NEW_AND_OLD_IMAGES',
} as const;

export type IndexName = keyof typeof TABLE_SCHEMA.indexes;
export const INDEX_NAMES = Object.keys(TABLE_SCHEMA.indexes) as IndexName[];

/** Every key attribute (table and indexes): all strings. */
export const KEY_ATTRIBUTES: string[] = [
  TABLE_SCHEMA.partitionKey,
  TABLE_SCHEMA.sortKey,
  ...INDEX_NAMES.flatMap((i) => [TABLE_SCHEMA.indexes[i].partitionKey, TABLE_SCHEMA.indexes[i].sortKey]),
];

/** The CreateTable request for this schema (test tables; the stack builds the same from TABLE_SCHEMA). */
export function createTableInput(tableName: string) {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: KEY_ATTRIBUTES.map((AttributeName) => ({ AttributeName, AttributeType: 'S' as const })),
    KeySchema: [
      { AttributeName: TABLE_SCHEMA.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: TABLE_SCHEMA.sortKey, KeyType: 'RANGE' as const },
    ],
    GlobalSecondaryIndexes: INDEX_NAMES.map((IndexName) => ({
      IndexName,
      KeySchema: [
        { AttributeName: TABLE_SCHEMA.indexes[IndexName].partitionKey, KeyType: 'HASH' as const },
        { AttributeName: TABLE_SCHEMA.indexes[IndexName].sortKey, KeyType: 'RANGE' as const },
      ],
      Projection: { ProjectionType: 'ALL' as const },
    })),
    StreamSpecification: { StreamEnabled: true, StreamViewType: TABLE_SCHEMA.streamViewType },
  };
}
