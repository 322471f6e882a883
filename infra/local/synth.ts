// Synthesizes the CDK app in-process (NodejsFunction bundles every function with
// esbuild into the assembly's asset folders: the bundles the local cloud runs are the
// ones a deploy would upload). Synthesis takes tens of seconds, so the assembly is
// cached under .oms/ and reused while nothing it is built from has changed.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
}

/** The cloud assembly of `stage` in `<root>/.oms/cdk.out-<stage>`, synthesized unless the cache is current. */
export async function synthesize(root: string, stage: string, log: (line: string) => void): Promise<SynthResult> {
  const started = Date.now();
  const dir = join(root, '.oms', `cdk.out-${stage}`);
  const stamp = join(dir, '.oms-fingerprint');
  const print = fingerprint(root, stage);
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === print) return { dir, cached: true, ms: Date.now() - started };
  log(`synthesizing the CDK app (stage ${stage}) ...`);
  // Synthesize next to the cache and swap it in, so a concurrent reader never sees half an assembly.
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  try {
    // Loaded only when needed: a cached assembly serves even while the CDK code is mid-edit.
    const { buildApp } = await import('../build-app');
    // cdk-nag runs in the infra tests and `cdk synth`; the local cloud needs only the template.
    buildApp({ stage, outdir: tmp, nag: false }).synth();
    writeFileSync(join(tmp, '.oms-fingerprint'), print);
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return { dir, cached: false, ms: Date.now() - started };
}
