// Synthesizes the CDK app in-process (NodejsFunction bundles every function with
// esbuild into the assembly's asset folders: the bundles the local cloud runs are the
// ones a deploy would upload). Synthesis takes tens of seconds, so the assembly is
// cached under .oms/ and reused while nothing it is built from has changed.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Folders and files whose content decides the synthesized assembly. */
const INPUTS = ['infra', 'functions', 'shared', 'events', 'package-lock.json', 'cdk.json', 'tsconfig.json'];

function fingerprint(root: string, stage: string): string {
  const h = createHash('sha256').update(`stage=${stage}\n`);
  const visit = (path: string) => {
    if (!existsSync(path)) return;
    const st = statSync(path);
    if (st.isDirectory()) {
      const rel = relative(root, path);
      // The local cloud itself does not change the template.
      if (rel === join('infra', 'local') || path.endsWith('node_modules')) return;
      for (const name of readdirSync(path).sort()) visit(join(path, name));
    } else if (st.isFile()) {
      h.update(`${relative(root, path)}\n`).update(readFileSync(path)).update('\n');
    }
  };
  for (const input of INPUTS) visit(join(root, input));
  return h.digest('hex');
}

export interface SynthResult {
  dir: string;
  cached: boolean;
  ms: number;
  /** Functions bundled by this synthesis (0 when the cached assembly served). */
  bundled: number;
}

/**
 * Runs `build` with CDK's "Bundling asset <path>..." lines (one per function, written to stderr
 * by the asset staging) counted instead of printed; anything else written to stderr (esbuild's
 * warnings and errors) still shows.
 */
function countingBundles<T>(build: () => T): { value: T; bundled: number } {
  let bundled = 0;
  const write = process.stderr.write;
  process.stderr.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (typeof chunk === 'string' && chunk.startsWith('Bundling asset ')) {
      bundled++;
      return true;
    }
    return (write as (...args: unknown[]) => boolean).call(process.stderr, chunk, ...rest);
  }) as typeof process.stderr.write;
  try {
    return { value: build(), bundled };
  } finally {
    process.stderr.write = write;
  }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

/**
 * The cloud assembly of `stage`, in `<root>/.oms/cdk.out-<stage>/<fingerprint>`, synthesized
 * unless it exists already. Each version has its own folder because a running cloud may still
 * start workers from its bundles; versions unused for an hour are removed.
 */
export async function synthesize(root: string, stage: string, log: (line: string) => void): Promise<SynthResult> {
  const started = Date.now();
  const base = join(root, '.oms', `cdk.out-${stage}`);
  const print = fingerprint(root, stage);
  const dir = join(base, print.slice(0, 16));
  if (existsSync(join(dir, 'manifest.json'))) {
    const now = new Date();
    utimesSync(dir, now, now);
    log(`synth        stage ${stage}: the cached assembly (no code changed since): ${seconds(Date.now() - started)}`);
    return { dir, cached: true, ms: Date.now() - started, bundled: 0 };
  }
  log(`synth        stage ${stage}: building the CDK app and bundling every function (first run, or code changed) ...`);
  // Synthesize beside the cache and move it in whole, so a concurrent reader never sees half an assembly.
  const tmp = join(base, `.tmp-${process.pid}-${Date.now()}`);
  mkdirSync(base, { recursive: true });
  const counted = { bundled: 0 };
  try {
    // Loaded only when needed: a cached assembly serves even while the CDK code is mid-edit.
    const { buildApp } = await import('../build-app');
    // cdk-nag runs in the infra tests and `cdk synth`; the local cloud needs only the template.
    // NodejsFunction bundles as it is constructed, so building the app is the bundling.
    const building = Date.now();
    const { value: app, bundled: n } = countingBundles(() => buildApp({ stage, outdir: tmp, nag: false }));
    counted.bundled = n;
    log(`bundling     ${n} functions (esbuild): ${seconds(Date.now() - building)}`);
    const writing = Date.now();
    app.synth();
    log(`synth        stage ${stage}: templates and assets written: ${seconds(Date.now() - writing)}`);
    if (existsSync(dir)) rmSync(tmp, { recursive: true, force: true });
    else renameSync(tmp, dir);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  for (const name of readdirSync(base)) {
    const old = join(base, name);
    if (old !== dir && Date.now() - statSync(old).mtimeMs > 3_600_000) rmSync(old, { recursive: true, force: true });
  }
  return { dir, cached: false, ms: Date.now() - started, bundled: counted.bundled };
}
