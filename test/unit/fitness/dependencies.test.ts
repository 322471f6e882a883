import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

// Which folder may depend on which. Events are published contracts: they must not
// follow the domain's refactors. Functions are bundled for Lambda: they must not
// reach into the CDK app (or pull aws-cdk-lib into a bundle).
const ROOT = join(import.meta.dirname, '../../..');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Every module specifier a file imports or re-exports (static or dynamic). */
function specifiers(source: string): string[] {
  const found: string[] = [];
  for (const m of source.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g)) found.push(m[1]!);
  return found;
}

/** Files under `from` importing a module under `forbidden` (a repo folder) or a package named in `packages`. */
function violations(from: string, rule: { folder?: string; packages?: RegExp }): string[] {
  return files(join(ROOT, from)).flatMap((file) =>
    specifiers(readFileSync(file, 'utf8'))
      .filter((spec) => {
        if (spec.startsWith('.')) {
          const target = relative(ROOT, resolve(dirname(file), spec));
          return rule.folder !== undefined && (target === rule.folder || target.startsWith(rule.folder + sep));
        }
        return rule.packages?.test(spec) ?? false;
      })
      .map((spec) => `${relative(ROOT, file)} imports ${spec}`),
  );
}

describe('fitness: dependencies between folders', () => {
  it('finds the imports it checks', () => {
    expect(specifiers(`import { z } from 'zod';\nexport { a } from './a';\nimport type { B } from "../b";\nconst c = await import('./c');`))
      .toEqual(['zod', './a', '../b', './c']);
  });

  it('events/ imports nothing from shared/: a contract never follows a domain refactor', () => {
    expect(violations('events', { folder: 'shared' })).toEqual([]);
  });

  it('functions/ imports nothing from infra/ (nor the CDK): bundles hold runtime code only', () => {
    expect(violations('functions', { folder: 'infra', packages: /^(aws-cdk-lib|constructs|cdk-nag)(\/|$)/ })).toEqual([]);
  });

  it('shared/ imports nothing from infra/ (nor the CDK): every bundle includes some of it', () => {
    expect(violations('shared', { folder: 'infra', packages: /^(aws-cdk-lib|constructs|cdk-nag)(\/|$)/ })).toEqual([]);
  });
});
