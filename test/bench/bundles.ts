// Function bundles in the bench: each bundle's size, and the time a fresh Node process
// takes to import it (a cold start's module loading, SDK included) next to the time it
// takes to import bare @aws-sdk/lib-dynamodb. Target: at most 1.5x that import.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../infra/constructs/oms-function';
import { functionBundles } from '../infra/bundles';

const run = promisify(execFile);

// What the function's module scope reads when it loads (config, SDK clients); never used to call anything.
const ENV = {
  PATH: process.env.PATH,
  TABLE_NAME: 'bench',
  EVENT_BUS_NAME: 'bench',
  STAGE: 'dev',
  AWS_REGION: 'us-east-1',
  PAYMENT_CALLBACKS_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/bench',
  CARRIER_CALLBACKS_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/bench',
  RECEIPT_SECRET: 'bench-receipt-secret-bench-receipt-secret',
  MAIL_FROM: 'orders@bench.example.com',
  PUBLIC_TRACKING_URL: 'https://bench.example.com',
  WEBHOOK_SECRET_KEY: 'bench-webhook-key-bench-webhook-key-bench',
  WEBHOOK_URL_RULES: JSON.stringify({ localHosts: [] }),
};

interface ImportTime {
  /** wall-clock milliseconds spent in `await import(...)` */
  ms: number;
  /** CPU milliseconds (user + system) of the same: steadier than wall time on a busy machine */
  cpuMs: number;
}

/**
 * Time a fresh Node process spends loading `specifier`: `await import(...)`, or `require(...)` for a
 * CommonJS bundle, which is how Lambda's Node.js runtime loads one (index.js beside a package.json
 * that does not say "type": "module").
 */
async function coldImport(specifier: string, nodeArgs: string[], load: 'import' | 'require' = 'import'): Promise<ImportTime> {
  const loading =
    load === 'import'
      ? `await import(${JSON.stringify(specifier)});`
      : `(await import('node:module')).createRequire(${JSON.stringify(specifier)})(${JSON.stringify(specifier)});`;
  const script =
    // node:module is built in and loaded before the clock starts (a Lambda runtime has it loaded already).
    `${load === 'require' ? "await import('node:module');" : ''}const cpu = process.cpuUsage(); const t = performance.now(); ${loading}` +
    'const used = process.cpuUsage(cpu); console.log(JSON.stringify({ ms: performance.now() - t, cpuMs: (used.user + used.system) / 1000 }));';
  // From the project root, as the local cloud runs bundles: bare imports resolve in its node_modules.
  const { stdout } = await run(process.execPath, [...nodeArgs, '--input-type=module', '-e', script], { cwd: REPO_ROOT, env: ENV });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as ImportTime;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Rounds of cold imports per bundle; the table shows their median. */
export const IMPORT_ROUNDS = 5;

/**
 * Size and cold import time of every bundle in `assemblyDir`, next to a bare import of
 * @aws-sdk/lib-dynamodb. Each round imports every bundle once in turn, each right after a bare
 * import of its own: a bundle's ratio is the median over `runs` rounds of its import over the
 * bare import just before it, so a busy moment of the machine (or a lucky one) weighs on both
 * sides of the ratio alike, and the bare import's column is the median of all its imports.
 * Bundles import with --enable-source-maps, as the functions' NODE_OPTIONS has them do in Lambda.
 */
export async function bundleBench(assemblyDir: string, runs = IMPORT_ROUNDS) {
  const bare = { name: '(bare @aws-sdk/lib-dynamodb)', bytes: 0, specifier: '@aws-sdk/lib-dynamodb', nodeArgs: [] as string[], load: 'import' as const };
  const bundles = functionBundles(assemblyDir).map((b) => {
    const commonJs = b.file.endsWith('.js') || b.file.endsWith('.cjs');
    return {
      name: b.step,
      bytes: b.bytes,
      specifier: commonJs ? resolve(b.file) : pathToFileURL(b.file).href,
      nodeArgs: ['--enable-source-maps'],
      load: commonJs ? ('require' as const) : ('import' as const),
    };
  });
  const bareTimes: ImportTime[] = [];
  const samples = bundles.map(() => ({ times: [] as ImportTime[], wallRatios: [] as number[], cpuRatios: [] as number[] }));
  for (let round = 0; round < runs; round++) {
    for (const [i, b] of bundles.entries()) {
      const base = await coldImport(bare.specifier, bare.nodeArgs, bare.load);
      const t = await coldImport(b.specifier, b.nodeArgs, b.load);
      bareTimes.push(base);
      samples[i]!.times.push(t);
      samples[i]!.wallRatios.push(t.ms / base.ms);
      samples[i]!.cpuRatios.push(t.cpuMs / base.cpuMs);
    }
  }
  const bareRow = {
    function: bare.name,
    bundleKiB: 0,
    importMs: round(median(bareTimes.map((x) => x.ms))),
    'vs lib-dynamodb': 1,
    importCpuMs: round(median(bareTimes.map((x) => x.cpuMs))),
    'cpu vs lib-dynamodb': 1,
  };
  return [
    bareRow,
    ...bundles.map((b, i) => ({
      function: b.name,
      bundleKiB: round(b.bytes / 1024),
      importMs: round(median(samples[i]!.times.map((x) => x.ms))),
      'vs lib-dynamodb': round(median(samples[i]!.wallRatios), 2),
      importCpuMs: round(median(samples[i]!.times.map((x) => x.cpuMs))),
      'cpu vs lib-dynamodb': round(median(samples[i]!.cpuRatios), 2),
    })),
  ];
}

/** The bench's bundle section, printed. */
export function printBundleRows(rows: Awaited<ReturnType<typeof bundleBench>>, runs = IMPORT_ROUNDS) {
  console.log(
    `\nFunction bundles (minified index.js; cold import in a fresh Node process, measured before the cloud started: median of ${runs} imports, and of ${runs} ratios to the bare import made just before each; targets: at most 250 KiB, at most 1.5x lib-dynamodb)`,
  );
  console.table(rows);
}
