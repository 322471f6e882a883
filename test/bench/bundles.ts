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

/**
 * Size and cold import time of every bundle in `assemblyDir`, next to a bare import of
 * @aws-sdk/lib-dynamodb: medians of `runs` rounds, each round importing every one once in
 * turn (so a busy moment of the machine weighs on all of them alike). Bundles import with
 * --enable-source-maps, as the functions' NODE_OPTIONS has them do in Lambda.
 */
/** Rounds of cold imports per bundle; the table shows their median. */
export const IMPORT_ROUNDS = 5;

export async function bundleBench(assemblyDir: string, runs = IMPORT_ROUNDS) {
  const bundles = functionBundles(assemblyDir);
  const subjects = [
    { name: '(bare @aws-sdk/lib-dynamodb)', bytes: 0, specifier: '@aws-sdk/lib-dynamodb', nodeArgs: [] as string[], load: 'import' as const },
    ...bundles.map((b) => {
      const commonJs = b.file.endsWith('.js') || b.file.endsWith('.cjs');
      return {
        name: b.step,
        bytes: b.bytes,
        specifier: commonJs ? resolve(b.file) : pathToFileURL(b.file).href,
        nodeArgs: ['--enable-source-maps'],
        load: commonJs ? ('require' as const) : ('import' as const),
      };
    }),
  ];
  const times = subjects.map(() => [] as ImportTime[]);
  for (let round = 0; round < runs; round++) {
    for (const [i, s] of subjects.entries()) times[i]!.push(await coldImport(s.specifier, s.nodeArgs, s.load));
  }
  const ms = times.map((t) => median(t.map((x) => x.ms)));
  const cpuMs = times.map((t) => median(t.map((x) => x.cpuMs)));
  return subjects.map((s, i) => ({
    function: s.name,
    bundleKiB: round(s.bytes / 1024),
    importMs: round(ms[i]!),
    'vs lib-dynamodb': round(ms[i]! / ms[0]!, 2),
    importCpuMs: round(cpuMs[i]!),
    'cpu vs lib-dynamodb': round(cpuMs[i]! / cpuMs[0]!, 2),
  }));
}

/** The bench's bundle section, printed. */
export function printBundleRows(rows: Awaited<ReturnType<typeof bundleBench>>, runs = IMPORT_ROUNDS) {
  console.log(
    `\nFunction bundles (minified index.js; cold import in a fresh Node process, median of ${runs}, measured before the cloud started; targets: at most 250 KiB, at most 1.5x lib-dynamodb)`,
  );
  console.table(rows);
}
