// `npm run query`: SQL over the local event lake (what `npm start` wrote under its data
// folder), on DuckDB, with the Athena table's name (`events`) and the saved queries.
//   npm run query -- "SELECT detail_type, count(*) AS n FROM events GROUP BY 1"
//   npm run query -- --saved daily-sales [--csv | --json]
//   npm run query -- --list
// Options: --data DIR (default .oms/data), --stage dev, --no-flush (do not ask a running
// local cloud to write its buffered events first).
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openLake, type QueryResult } from '../analytics/duckdb';
import { SAVED_QUERIES, eventStreamName, savedQuerySql } from '../analytics/lake';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const USAGE = `usage: npm run query -- [--csv | --json] [--data DIR] [--stage dev] [--no-flush] ("<SQL>" | --saved NAME | --list)
saved queries: ${SAVED_QUERIES.map((q) => q.name).join(', ')}`;

interface Options {
  sql?: string;
  format: 'table' | 'csv' | 'json';
  dataDir: string;
  stage: string;
  flush: boolean;
  list: boolean;
}

export function parseArgs(argv: string[]): Options {
  const opts: Options = { format: 'table', dataDir: join(ROOT, '.oms', 'data'), stage: 'dev', flush: true, list: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--csv') opts.format = 'csv';
    else if (arg === '--json') opts.format = 'json';
    else if (arg === '--data') opts.dataDir = resolve(value());
    else if (arg === '--stage') opts.stage = value();
    else if (arg === '--no-flush') opts.flush = false;
    else if (arg === '--list') opts.list = true;
    else if (arg === '--saved') opts.sql = savedQuerySql(value());
    else if (arg.startsWith('--')) throw new Error(`unknown option ${arg}`);
    else if (opts.sql !== undefined) throw new Error('give one SQL statement (quote it)');
    else opts.sql = arg;
  }
  if (!opts.sql && !opts.list) throw new Error('no query given');
  return opts;
}

/** CSV as RFC 4180 has it: fields with a comma, quote or line break are quoted, quotes doubled. */
export function toCsv({ columns, rows }: QueryResult): string {
  const field = (v: unknown) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [columns.map(field).join(','), ...rows.map((r) => columns.map((c) => field(r[c])).join(','))].join('\n') + '\n';
}

/** Columns a string takes in a terminal: East Asian wide characters (Chinese, Japanese, Korean, full-width forms) take two. */
export function displayWidth(s: string): number {
  let width = 0;
  for (const ch of s) width += /[\u1100-\u115F\u2E80-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6\u{20000}-\u{3FFFD}]/u.test(ch) ? 2 : 1;
  return width;
}

/** A plain text table: numbers right-aligned, NULL shown as such, Chinese names aligned. */
export function toTable({ columns, rows }: QueryResult): string {
  const cell = (v: unknown) => (v === null || v === undefined ? 'NULL' : String(v));
  const widths = columns.map((c) => Math.max(displayWidth(c), ...rows.map((r) => displayWidth(cell(r[c])))));
  const numeric = columns.map((c) => rows.length > 0 && rows.every((r) => r[c] === null || typeof r[c] === 'number'));
  const line = (cells: string[]) =>
    cells
      .map((s, i) => {
        const gap = ' '.repeat(widths[i]! - displayWidth(s));
        return numeric[i] ? gap + s : s + gap;
      })
      .join('  ')
      .trimEnd();
  return [
    line(columns),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.map((r) => line(columns.map((c) => cell(r[c])))),
    `(${rows.length} row${rows.length === 1 ? '' : 's'})`,
  ].join('\n') + '\n';
}

/** Asks a running local cloud (.oms/local.json) to write its buffered events; quiet when none runs. */
async function flushRunningCloud(): Promise<void> {
  const handshake = join(ROOT, '.oms', 'local.json');
  if (!existsSync(handshake)) return;
  try {
    const { apiUrl } = JSON.parse(readFileSync(handshake, 'utf8')) as { apiUrl?: string };
    if (apiUrl) await fetch(`${apiUrl}/_local/firehose/flush`, { method: 'POST', signal: AbortSignal.timeout(5000) });
  } catch {
    // no cloud running (or an older one): query what is on disk
  }
}

async function main(argv: string[]) {
  let opts: Options;
  try {
    opts = parseArgs(argv);
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (opts.list) {
    for (const q of SAVED_QUERIES) console.log(`${q.name.padEnd(22)} ${q.description}`);
    if (!opts.sql) return 0;
  }
  if (opts.flush) await flushRunningCloud();
  const folder = join(opts.dataDir, 'lake', eventStreamName(opts.stage));
  const lake = await openLake(folder);
  try {
    const result = await lake.query(opts.sql!);
    if (opts.format === 'json') console.log(JSON.stringify(result.rows, null, 2));
    else process.stdout.write(opts.format === 'csv' ? toCsv(result) : toTable(result));
    return 0;
  } catch (err) {
    console.error((err as Error).message);
    return 1;
  } finally {
    lake.close();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
