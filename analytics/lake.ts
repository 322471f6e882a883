// The event lake's layout, shared by the CDK construct (Glue table, Athena saved queries),
// the local Firehose writer and `npm run query` (DuckDB): one table name, one set of
// columns, one object prefix, and the saved queries' SQL read from analytics/queries/.
import { readFileSync } from 'node:fs';

/** The Glue table (Athena) and the DuckDB view: every event the bus carried, one row each. */
export const EVENTS_TABLE = 'events';

/** Where the delivery stream writes: `events/dt=YYYY-MM-DD/` (UTC arrival day; Firehose's timestamp namespace). */
export const EVENTS_PREFIX = 'events/';
export const PARTITION_KEY = 'dt';

/** The Firehose delivery stream's name (also the local lake's folder under the data folder). */
export const eventStreamName = (stage: string) => `oms-${stage}-events`;

/** The Glue database of a stage (Athena's catalog database; DuckDB does not need one). */
export const lakeDatabaseName = (stage: string) => `oms_${stage}_lake`;

/**
 * The table's columns: the EventBridge event as a rule target receives it. `detail` is
 * kept as JSON text (events have different details; the queries read it with
 * json_extract_scalar), and `detail-type` is renamed, as SQL names cannot hold a dash.
 */
export const EVENT_COLUMNS = [
  { name: 'version', key: 'version', type: 'string' },
  { name: 'id', key: 'id', type: 'string' },
  { name: 'detail_type', key: 'detail-type', type: 'string' },
  { name: 'source', key: 'source', type: 'string' },
  { name: 'account', key: 'account', type: 'string' },
  { name: 'time', key: 'time', type: 'string' },
  { name: 'region', key: 'region', type: 'string' },
  { name: 'resources', key: 'resources', type: 'array<string>' },
  { name: 'detail', key: 'detail', type: 'string' },
] as const;

export interface SavedQuery {
  name: string;
  description: string;
}

/** The saved queries (Athena named queries, `npm run query -- --saved <name>`); the SQL is in queries/<name>.sql. */
export const SAVED_QUERIES: readonly SavedQuery[] = [
  { name: 'daily-sales', description: 'Orders placed and revenue per day (UTC) and currency' },
  { name: 'first-time-customers', description: 'Customers by the day of their first order: how many, and how many ordered again' },
  { name: 'slowest-orders', description: 'The orders that took longest from placement to delivery (or are still open)' },
];

export function savedQuerySql(name: string): string {
  if (!SAVED_QUERIES.some((q) => q.name === name)) {
    throw new Error(`no saved query ${JSON.stringify(name)}: expected one of ${SAVED_QUERIES.map((q) => q.name).join(', ')}`);
  }
  return readFileSync(new URL(`./queries/${name}.sql`, import.meta.url), 'utf8');
}
