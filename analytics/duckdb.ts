// SQL over the local event lake with DuckDB: the files the local delivery stream wrote
// (<folder>/events/dt=YYYY-MM-DD/*.gz) behind a view with the Glue table's name and
// columns, and the two Trino functions the saved queries use defined as macros, so one
// SQL text runs on Athena and here.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { EVENT_COLUMNS, EVENTS_PREFIX, EVENTS_TABLE, PARTITION_KEY } from './lake';

export interface QueryResult {
  columns: string[];
  rows: Record<string, unknown>[];
}

export interface Lake {
  query(sql: string): Promise<QueryResult>;
  close(): void;
}

/** Trino functions the saved queries use, in DuckDB terms. */
const TRINO_MACROS = [
  'CREATE MACRO json_extract_scalar(j, p) AS json_extract_string(j, p)',
  'CREATE MACRO from_iso8601_timestamp(s) AS CAST(s AS TIMESTAMPTZ)',
];

const duckType = (glueType: string) => (glueType === 'array<string>' ? 'VARCHAR[]' : 'VARCHAR');
const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
const quoteString = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** Whether any event object exists under the folder (read_json fails on a glob matching nothing). */
function hasObjects(folder: string): boolean {
  const root = join(folder, EVENTS_PREFIX);
  if (!existsSync(root)) return false;
  return readdirSync(root, { withFileTypes: true }).some(
    (d) => d.isDirectory() && d.name.startsWith(`${PARTITION_KEY}=`) && readdirSync(join(root, d.name)).some((f) => f.endsWith('.gz')),
  );
}

/** The CREATE VIEW statement of the events table over a delivery stream's folder. */
export function eventsViewSql(folder: string): string {
  const select = EVENT_COLUMNS.map((c) => `${quoteIdent(c.key)} AS ${quoteIdent(c.name)}`).join(', ');
  if (!hasObjects(folder)) {
    // No object yet: an empty table with the same columns.
    const empty = EVENT_COLUMNS.map((c) => `CAST(NULL AS ${duckType(c.type)}) AS ${quoteIdent(c.name)}`).join(', ');
    return `CREATE VIEW ${EVENTS_TABLE} AS SELECT ${empty}, CAST(NULL AS VARCHAR) AS ${PARTITION_KEY} WHERE false`;
  }
  const columns = EVENT_COLUMNS.map((c) => `${quoteString(c.key)}: ${quoteString(duckType(c.type))}`).join(', ');
  const glob = join(folder, EVENTS_PREFIX, `${PARTITION_KEY}=*`, '*.gz');
  return (
    `CREATE VIEW ${EVENTS_TABLE} AS SELECT ${select}, ${PARTITION_KEY} FROM read_json(${quoteString(glob)}, ` +
    `format = 'newline_delimited', compression = 'gzip', hive_partitioning = true, ` +
    `hive_types = {${quoteString(PARTITION_KEY)}: 'VARCHAR'}, columns = {${columns}})`
  );
}

/** DuckDB values as plain JSON-friendly values: integers as numbers, dates and lists as text. */
function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v !== null && typeof v === 'object') return String(v);
  return v;
}

/** Opens an in-memory DuckDB with the events view over a delivery stream's folder. */
export async function openLake(folder: string): Promise<Lake> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  for (const macro of TRINO_MACROS) await conn.run(macro);
  await conn.run(eventsViewSql(folder));
  return {
    async query(sql) {
      const reader = await conn.runAndReadAll(sql);
      const columns = reader.columnNames();
      const rows = reader.getRowObjects().map((r) => Object.fromEntries(columns.map((c) => [c, plain(r[c])])));
      return { columns, rows };
    },
    close() {
      conn.closeSync();
      db.closeSync();
    },
  };
}
