// `npm run bench -- profile`: where an order's CPU goes, by owner of the code. Runs the order
// bench under `node --cpu-prof` (every thread writes its own profile: the main thread, the
// DynamoDB endpoint's thread, each function container), keeps the samples taken while the
// measured orders ran, and splits each thread's time among the project's own code, the
// libraries it chose, the AWS SDK, dynalite and LevelDB, Node.js and V8. The profiler slows the
// run, so the shares are the figures to read; the bench without it gives the milliseconds.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from '../../infra/constructs/oms-function';

/** What the profiled bench writes beside its profiles: the measured window and its CPU by thread. */
export interface ProfiledWindow {
  /** monotonic clock, microseconds (the clock V8's profiles use) */
  fromUs: number;
  toUs: number;
  threads: { thread: string; cpuMsPerOrder: number }[];
  /** the whole process: the threads above, V8's helper threads, libuv's pool and the profiler's own */
  processCpuMsPerOrder: number;
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }; children?: number[] }[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

const PROJECT = ['shared/', 'functions/', 'events/'];
const round = (n: number) => Math.round(n * 10) / 10;
/** dynalite and what it runs on (its dependencies and LevelDB's in-memory store) */
const STORE_PACKAGES = /^(dynalite|async|big\.js|buffer-crc32|lazy|lock|once|level|abstract-level|memory-level|level-[a-z]+|functional-red-black-tree|module-error)\//;

const maps = new Map<string, SourceMap | undefined>();
/** The source a bundle's position comes from (bundles are minified; their maps name the files). */
function originalSource(url: string, line: number, column: number): { source: string; line?: number } {
  if (!maps.has(url)) {
    const file = `${fileURLToPath(url)}.map`;
    maps.set(url, existsSync(file) ? new SourceMap(JSON.parse(readFileSync(file, 'utf8'))) : undefined);
  }
  const entry = maps.get(url)?.findEntry(line, column) as { originalSource?: string; originalLine?: number } | undefined;
  return entry?.originalSource ? { source: entry.originalSource, line: (entry.originalLine ?? 0) + 1 } : { source: url };
}

/** A frame's file, relative to the project (a bundle's through its map; its line too, where the map has it). */
function placeOf(frame: CpuProfile['nodes'][number]['callFrame']): string {
  const { source, line } = frame.url.includes('/asset.') ? originalSource(frame.url, frame.lineNumber, frame.columnNumber) : { source: frame.url };
  const path = source.replace(/^file:\/\//, '');
  const rel = path.startsWith(REPO_ROOT) ? path.slice(REPO_ROOT.length + 1) : path.replace(/^(\.\.\/)+/, '');
  return line ? `${rel}:${line}` : rel;
}

const VM = new Set(['(garbage collector)', '(program)', '(root)']);

/**
 * Who owns the code a sample was in. A built-in without a script (JSON.parse, a socket's writev)
 * belongs to the code that called it; V8's own work (collecting garbage, compiling, "(program)")
 * to V8.
 */
function ownerOf(frame: CpuProfile['nodes'][number]['callFrame'], caller: () => string): string {
  if (frame.functionName === '(idle)') return 'idle';
  if (VM.has(frame.functionName)) return 'V8 (GC, compiler, runtime)';
  if (!frame.url) return caller();
  const place = placeOf(frame);
  if (place.startsWith('node:')) return 'Node.js (HTTP, streams, crypto, workers)';
  const inModules = place.lastIndexOf('node_modules/');
  if (inModules >= 0) {
    const pkg = place.slice(inModules + 'node_modules/'.length);
    if (/^@(aws-sdk|smithy|aws\/lambda-invoke-store)\//.test(pkg)) return 'AWS SDK';
    if (STORE_PACKAGES.test(pkg)) return 'dynalite and LevelDB';
    return 'libraries (zod, Powertools, middy, tsx, ...)';
  }
  if (place.startsWith('infra/local/dynamodb/')) return "project: local DynamoDB's transactions and streams";
  if (place.startsWith('infra/local/')) return 'project: local cloud (gateway, bus, queues, runtime)';
  if (PROJECT.some((p) => place.startsWith(p))) return 'project: function code';
  if (place.startsWith('test/')) return 'bench clients';
  return 'other';
}

/** main, endpoint or function: told apart by the code each thread ran. */
function threadOf(profile: CpuProfile): 'main' | 'endpoint' | 'functions' | undefined {
  const urls = profile.nodes.map((n) => n.callFrame.url);
  if (urls.some((u) => u.includes('/asset.'))) return 'functions';
  if (urls.some((u) => u.endsWith('infra/local/gateway.ts'))) return 'main';
  if (urls.some((u) => u.includes('node_modules/dynalite/'))) return 'endpoint';
  return undefined;
}

/**
 * Each thread group's sampled time inside the window, by owner (microseconds), and the
 * project's own functions by their time (where to look next).
 */
export function ownersByThread(dir: string, window: Pick<ProfiledWindow, 'fromUs' | 'toUs'>) {
  const groups: Record<string, Record<string, number>> = {};
  const hotspots: Record<string, number> = {};
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    const thread = threadOf(profile);
    if (!thread) continue;
    const byNode = new Map<number, number>();
    let at = profile.startTime;
    profile.samples.forEach((node, i) => {
      const delta = profile.timeDeltas[i] ?? 0;
      at += delta;
      if (at >= window.fromUs && at <= window.toUs) byNode.set(node, (byNode.get(node) ?? 0) + delta);
    });
    const parent = new Map<number, CpuProfile['nodes'][number]>();
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node);
    const owner = (node: CpuProfile['nodes'][number] | undefined): string =>
      node ? ownerOf(node.callFrame, () => owner(parent.get(node.id))) : 'V8 (GC, compiler, runtime)';
    // the frame a built-in's time is charged to: the nearest one with a script
    const scripted = (node: CpuProfile['nodes'][number] | undefined): CpuProfile['nodes'][number] | undefined =>
      !node || node.callFrame.url ? node : scripted(parent.get(node.id));
    const owners = (groups[thread] ??= {});
    for (const [id, us] of byNode) {
      const who = owner(byId.get(id));
      if (who !== 'idle') owners[who] = (owners[who] ?? 0) + us;
      const frame = who.startsWith('project') ? scripted(byId.get(id))?.callFrame : undefined;
      if (frame) {
        const place = `${frame.functionName || '(anonymous)'} ${placeOf(frame)}`;
        hotspots[place] = (hotspots[place] ?? 0) + us;
      }
    }
  }
  return { groups, hotspots };
}

/** Runs the profiled bench and prints each thread group's time by owner, as shares and as ms per order. */
export function profileBench(args: string[]) {
  const dir = join(REPO_ROOT, '.oms', 'bench-profile');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const windowFile = join(dir, 'window.json');
  // One sample every 5 ms: 40-odd threads each sampled every millisecond slow the run threefold.
  execFileSync(
    process.execPath,
    ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=5000', '--import', 'tsx', 'test/bench/run.ts', '--skip-bundles', '--skip-dynamo', ...args],
    { cwd: REPO_ROOT, stdio: 'inherit', env: { ...process.env, OMS_BENCH_WINDOW_FILE: windowFile } },
  );
  const window = JSON.parse(readFileSync(windowFile, 'utf8')) as ProfiledWindow;
  const { groups, hotspots } = ownersByThread(dir, window);
  // the bench's rows are 'main (...)', 'DynamoDB endpoint' and 'function <step>'
  const groupOf = (row: string) => (row.startsWith('function ') ? 'functions' : row.startsWith('main') ? 'main' : 'endpoint');
  const cpuOf = (group: string) => window.threads.filter((t) => groupOf(t.thread) === group).reduce((s, t) => s + t.cpuMsPerOrder, 0);
  const rows: { thread: string; owner: string; share: string; msPerOrder: number }[] = [];
  const byOwner: Record<string, number> = {};
  for (const [thread, owners] of Object.entries(groups)) {
    const total = Object.values(owners).reduce((a, b) => a + b, 0);
    for (const [owner, us] of Object.entries(owners).sort((a, b) => b[1] - a[1])) {
      const msPerOrder = (cpuOf(thread) * us) / total;
      byOwner[owner] = (byOwner[owner] ?? 0) + msPerOrder;
      if (us / total >= 0.01) rows.push({ thread, owner, share: `${((100 * us) / total).toFixed(1)} %`, msPerOrder: round(msPerOrder) });
    }
  }
  console.log(`\nWhere the CPU of the measured orders went, by thread and owner of the code (profiles in .oms/bench-profile; shares under 1 % left out)`);
  console.table(rows);
  const all = Object.values(byOwner).reduce((a, b) => a + b, 0);
  console.log(
    `\nAll threads, by owner (ms per order under the profiler): ${round(all)} of the process's ${round(window.processCpuMsPerOrder)} ms;` +
      " the rest ran on V8's helper threads (garbage collection, compilation), libuv's pool and the profiler's own threads",
  );
  console.table(
    Object.entries(byOwner)
      .sort((a, b) => b[1] - a[1])
      .map(([owner, msPerOrder]) => ({ owner, msPerOrder: round(msPerOrder), share: `${((100 * msPerOrder) / all).toFixed(1)} %` })),
  );
  const sampled = Object.values(groups).flatMap((owners) => Object.values(owners)).reduce((a, b) => a + b, 0);
  console.log("\nThe project's own functions that took the most of it (share of all threads' sampled time; TypeScript the local cloud runs has no lines)");
  console.table(
    Object.entries(hotspots)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 15)
      .map(([where, us]) => ({ where, share: `${((100 * us) / sampled).toFixed(2)} %` })),
  );
}
