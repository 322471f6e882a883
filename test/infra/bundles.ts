// The function bundles of a synthesized cloud assembly, with what esbuild's metafile
// (index.meta.json, written by OmsFunction's bundling) says each one holds.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { stepOf, type CfnResource } from './synth';

/** The parts of an esbuild metafile read here. */
interface Metafile {
  outputs: Record<
    string,
    { bytes: number; inputs: Record<string, { bytesInOutput: number }>; imports: { path: string; external?: boolean }[] }
  >;
}

export interface FunctionBundle {
  /** functions/<step>/ the bundle was built from (the oms:step tag). */
  step: string;
  /** Absolute path of the bundle (index.js; index.mjs for an ES module bundle). */
  file: string;
  bytes: number;
  /** Bytes in the bundle per npm package; the project's own files count as `(own code)`. */
  packages: Record<string, number>;
  /** Imports left to the runtime: Node built-ins and external packages. */
  externals: string[];
}

const OWN_CODE = '(own code)';

/** The npm package a bare import names: `@scope/name/sub` -> `@scope/name`, `name/sub` -> `name`. */
export function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

/** The package a bundled file belongs to (`.../node_modules/zod/v4/core/api.js` -> `zod`), or `(own code)`. */
export function packageOf(input: string): string {
  const at = input.lastIndexOf('node_modules/');
  return at < 0 ? OWN_CODE : packageName(input.slice(at + 'node_modules/'.length));
}

/** Every function of the assembly that was built from functions/<step>/, by step. */
export function functionBundles(assemblyDir: string): FunctionBundle[] {
  const bundles: FunctionBundle[] = [];
  for (const file of readdirSync(assemblyDir).filter((f) => f.endsWith('.template.json'))) {
    const template = JSON.parse(readFileSync(join(assemblyDir, file), 'utf8')) as { Resources?: Record<string, CfnResource> };
    for (const resource of Object.values(template.Resources ?? {})) {
      const step = stepOf(resource);
      if (resource.Type !== 'AWS::Lambda::Function' || !step) continue;
      // The code asset's hash names its S3 key; the assembly holds it as asset.<hash>/.
      const s3Key = (resource.Properties?.Code as { S3Key?: string } | undefined)?.S3Key ?? '';
      const folder = join(assemblyDir, `asset.${s3Key.replace(/\.zip$/, '')}`);
      const metaFile = join(folder, 'index.meta.json');
      if (!existsSync(metaFile)) throw new Error(`functions/${step}: no esbuild metafile at ${metaFile}`);
      const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as Metafile;
      const [outName, output] = Object.entries(meta.outputs).find(([name]) => /(^|\/)index\.m?js$/.test(name)) ?? [];
      if (!outName || !output) throw new Error(`functions/${step}: the metafile names no index.js or index.mjs`);
      const file = join(folder, basename(outName));
      const packages: Record<string, number> = {};
      for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
        const name = packageOf(input);
        packages[name] = (packages[name] ?? 0) + bytesInOutput;
      }
      const externals = [...new Set(output.imports.filter((i) => i.external).map((i) => i.path))].sort();
      bundles.push({ step, file, bytes: statSync(file).size, packages, externals });
    }
  }
  return bundles.sort((a, b) => a.step.localeCompare(b.step));
}

/** The largest parts of a bundle, for messages: `zod 94 KiB, (own code) 57 KiB, ...`. */
export function largestParts(bundle: FunctionBundle, count = 6): string {
  return Object.entries(bundle.packages)
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, bytes]) => `${name} ${Math.round(bytes / 1024)} KiB`)
    .join(', ');
}
