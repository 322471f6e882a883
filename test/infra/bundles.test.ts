import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_BUNDLE_BYTES, REPO_ROOT, SDK_EXTERNALS } from '../../infra/constructs/oms-function';
import { synthesize } from '../../infra/local/synth';
import { RECEIPT_FONT_FILES } from '../../shared/payments/receipt-pdf';
import { functionBundles, largestParts, packageName, type FunctionBundle } from './bundles';

// The bundles a deploy would upload, from the same cached assembly the local cloud and
// the e2e tests run (synthesized with bundling once per change of infra, functions, shared
// or events, and reused while none of them changes).
const handlerSteps = readdirSync(join(REPO_ROOT, 'functions'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(REPO_ROOT, 'functions', d.name, 'handler.ts')))
  .map((d) => d.name)
  .sort();

const dependencies = Object.keys(
  (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies,
);
const providedByRuntime = (pkg: string) => SDK_EXTERNALS.some((pattern) => pkg.startsWith(pattern.replace(/\*$/, '')));

let bundles: Map<string, FunctionBundle>;
beforeAll(async () => {
  const { dir } = await synthesize(REPO_ROOT, 'dev', () => {});
  bundles = new Map(functionBundles(dir).map((b) => [b.step, b]));
}, 300_000);

const bundleOf = (step: string) => {
  const bundle = bundles.get(step);
  if (!bundle) throw new Error(`functions/${step} has no bundle in the assembly`);
  return bundle;
};

describe('function bundles', () => {
  it.each(handlerSteps)(`functions/%s is at most ${MAX_BUNDLE_BYTES / 1024} KiB minified`, (step) => {
    const bundle = bundleOf(step);
    expect(bundle.bytes, `${Math.round(bundle.bytes / 1024)} KiB, largest parts: ${largestParts(bundle)}`).toBeLessThanOrEqual(
      MAX_BUNDLE_BYTES,
    );
  });

  it.each(handlerSteps)('functions/%s is a CommonJS index.js, marked so beside it in a "type": "module" project', (step) => {
    const bundle = bundleOf(step);
    expect(basename(bundle.file)).toBe('index.js');
    const manifest = JSON.parse(readFileSync(join(dirname(bundle.file), 'package.json'), 'utf8')) as { type?: string };
    expect(manifest.type).toBe('commonjs');
  });

  it.each(handlerSteps)('functions/%s leaves out only Node built-ins and the AWS SDK the runtime ships', (step) => {
    const bundle = bundleOf(step);
    const missing = bundle.externals.filter((path) => !isBuiltin(path) && !providedByRuntime(path));
    expect(missing, 'imports the Lambda runtime cannot resolve').toEqual([]);
    // The local cloud resolves the SDK from node_modules: it must be a production dependency.
    const sdk = [...new Set(bundle.externals.filter((path) => !isBuiltin(path)).map(packageName))];
    expect(sdk.filter((pkg) => !dependencies.includes(pkg)), 'external packages missing from dependencies').toEqual([]);
    expect(Object.keys(bundle.packages).filter(providedByRuntime), 'SDK packages bundled after all').toEqual([]);
  });

  it('functions/receipts ships the voucher fonts beside its bundle, where the handler reads them', () => {
    const dir = join(dirname(bundleOf('receipts').file), 'fonts');
    for (const font of Object.values(RECEIPT_FONT_FILES)) {
      expect(readFileSync(join(dir, font.name)).subarray(0, 4).toString('hex'), font.name).toBe('00010000');
    }
  });
});
