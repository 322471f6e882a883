// `npm run rebuild-reports`: recounts every report counter from the event lake into a
// fresh, separate set of report items (a generation of its own; the live counters are
// never written), compares it with the live counters day by day (and SKU by SKU), prints
// what differs and exits 1 on any drift (0 when they match, 2 on bad usage).
//   npm run rebuild-reports -- [--from YYYY-MM-DD --to YYYY-MM-DD] [--data DIR]
// Options:
//   --from, --to      business days compared (default: every day the lake counts)
//   --data DIR        the local data folder (default .oms/data): the lake is <DIR>/lake/oms-<stage>-events
//   --lake DIR        a lake folder given directly (holding events/dt=.../): e.g. an S3 prefix
//                     copied down with `aws s3 sync s3://<lake bucket>/events/ <DIR>/events/`
//   --stage dev       the stage (the lake's stream name, the table's name prefix)
//   --endpoint URL    the DynamoDB endpoint (default: the running local cloud's, from
//                     .oms/local.json; --aws: AWS itself, credentials and region as usual)
//   --table NAME      the table (default: the handshake's, or the first oms-<stage>-* table)
//   --generation G    the fresh set's name (default rebuild-<UTC time>)
//   --time-zone TZ    the business time zone (default: the workflow settings')
//   --no-flush        do not ask a running local cloud to write its buffered lake records first
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { readLakeRecords } from '../analytics/lake-files';
import { eventStreamName } from '../analytics/lake';
import type { Handshake } from '../infra/local/handshake';
import { isReported, reportEventOf } from '../shared/app/report-events';
import { reportRebuildOver, type RebuildResult } from '../shared/app/report-rebuild';
import type { ReportEvent } from '../shared/domain/reports';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const USAGE = 'usage: npm run rebuild-reports -- [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--data DIR | --lake DIR] [--stage dev] [--endpoint URL | --aws] [--table NAME] [--generation G] [--time-zone TZ] [--no-flush]';

export interface RebuildOptions {
  from?: string;
  to?: string;
  lakeDir: string;
  stage: string;
  endpoint?: string;
  aws: boolean;
  table?: string;
  generation: string;
  timeZone?: string;
  flush: boolean;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function parseArgs(argv: string[], now = new Date()): RebuildOptions {
  let dataDir = join(ROOT, '.oms', 'data');
  let lake: string | undefined;
  const opts: RebuildOptions = {
    lakeDir: '', stage: 'dev', aws: false, flush: true, generation: `rebuild-${now.toISOString().replace(/[-:]/g, '').slice(0, 15)}`,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--from' || arg === '--to') {
      const v = value();
      if (!DAY.test(v) || Number.isNaN(Date.parse(v))) throw new Error(`${arg} must be a day (YYYY-MM-DD), not ${JSON.stringify(v)}`);
      opts[arg === '--from' ? 'from' : 'to'] = v;
    } else if (arg === '--data') dataDir = resolve(value());
    else if (arg === '--lake') lake = resolve(value());
    else if (arg === '--stage') opts.stage = value();
    else if (arg === '--endpoint') opts.endpoint = value();
    else if (arg === '--aws') opts.aws = true;
    else if (arg === '--table') opts.table = value();
    else if (arg === '--generation') opts.generation = value();
    else if (arg === '--time-zone') opts.timeZone = value();
    else if (arg === '--no-flush') opts.flush = false;
    else throw new Error(`unknown argument ${arg}`);
  }
  if (opts.from && opts.to && opts.from > opts.to) throw new Error('--from must not be after --to');
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(opts.generation)) throw new Error('--generation: letters, digits, dot, dash and underscore only');
  opts.lakeDir = lake ?? join(dataDir, 'lake', eventStreamName(opts.stage));
  return opts;
}

/** The reported events among the lake's records (other events and malformed lines skipped). */
export function reportEventsOf(records: readonly unknown[]): { events: ReportEvent[]; skipped: number } {
  const events: ReportEvent[] = [];
  let skipped = 0;
  for (const r of records) {
    const e = r as { source?: unknown; 'detail-type'?: unknown };
    if (typeof e?.source !== 'string' || typeof e['detail-type'] !== 'string' || !isReported(e.source, e['detail-type'])) continue;
    try {
      events.push(reportEventOf(r));
    } catch {
      skipped++;
    }
  }
  return { events, skipped };
}

/** What a rebuild found, as lines for the terminal. */
export function describe(result: RebuildResult, generation: string): string[] {
  const lines = [
    `read ${result.events} reported events from the lake; counted ${result.counted} distinct into ${result.items} counter items of generation ${generation}`,
  ];
  if (result.uncounted.length) lines.push(`${result.uncounted.length} event(s) of orders whose placement is not in the lake were not counted (first: ${result.uncounted[0]!.type} ${result.uncounted[0]!.eventId})`);
  if (!result.from) return [...lines, 'nothing to compare: the lake holds no counted event'];
  if (result.drifts.length === 0) return [...lines, `live counters match the rebuild for ${result.from}..${result.to}`];
  lines.push(`${result.drifts.length} counter(s) differ for ${result.from}..${result.to} (live -> rebuilt):`);
  for (const d of result.drifts) lines.push(`  ${d.day}${d.sku ? ` ${d.sku}` : ''}  ${d.counter}: ${d.live} -> ${d.rebuilt}`);
  return lines;
}

function handshake(): Partial<Handshake> {
  const file = join(ROOT, '.oms', 'local.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<Handshake>) : {};
}

async function main(argv: string[]): Promise<number> {
  let opts: RebuildOptions;
  try {
    opts = parseArgs(argv);
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const local = opts.aws ? {} : handshake();
  if (!opts.aws && opts.flush && local.apiUrl) {
    // the local delivery stream buffers records: have it write them first
    await fetch(`${local.apiUrl}/_local/firehose/flush`, { method: 'POST', signal: AbortSignal.timeout(5000) }).catch(() => undefined);
  }
  const endpoint = opts.aws ? undefined : (opts.endpoint ?? local.dynamoUrl);
  if (!opts.aws && !endpoint) {
    console.error('no DynamoDB endpoint: start the local cloud (npm start), or give --endpoint URL, or --aws');
    return 2;
  }
  const client = new DynamoDBClient(endpoint ? { endpoint, region: process.env.AWS_REGION ?? 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {});
  try {
    const tableName = opts.table ?? (!opts.aws && !opts.endpoint ? local.tableName : undefined)
      ?? (await client.send(new ListTablesCommand({}))).TableNames?.find((t) => t.startsWith(`oms-${opts.stage}-`));
    if (!tableName) {
      console.error(`no table oms-${opts.stage}-*: give --table NAME`);
      return 2;
    }
    const { events, skipped } = reportEventsOf(await readLakeRecords(opts.lakeDir));
    if (skipped) console.error(`${skipped} lake record(s) did not parse as the events they name: skipped`);
    const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    const rebuild = reportRebuildOver({ doc, tableName }, { generation: opts.generation, ...(opts.timeZone ? { timeZone: opts.timeZone } : {}) });
    const result = await rebuild.rebuild(events, { ...(opts.from ? { from: opts.from } : {}), ...(opts.to ? { to: opts.to } : {}) });
    for (const line of describe(result, opts.generation)) console.log(line);
    return result.drifts.length ? 1 : 0;
  } finally {
    client.destroy();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
