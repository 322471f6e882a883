import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// A page's start comes from a client only through the cursor module, which checks the
// cursor was issued for the same query; and every cursor handed out is one it signed.
const ROOT = join(import.meta.dirname, '../../..');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}
const lines = (pattern: RegExp) =>
  ['functions', 'shared'].flatMap((d) => files(join(ROOT, d))).flatMap((f) =>
    readFileSync(f, 'utf8')
      .split('\n')
      .filter((line) => pattern.test(line))
      .map((line) => `${relative(ROOT, f)}: ${line.trim()}`),
  );

describe('fitness: cursors', () => {
  it('every ExclusiveStartKey is a start key the cursor module opened', () => {
    const starts = lines(/ExclusiveStartKey:/);
    expect(starts.length).toBeGreaterThanOrEqual(7);
    // the look-up's walk passes on the key of its verified, sealed state
    const unverified = starts.filter((l) => !/cursors\(\)\.startKey\(query, opts\.cursor\)/.test(l) && !/order-lookup\.ts: .*ExclusiveStartKey: k \}/.test(l));
    expect(unverified).toEqual([]);
  });

  it('every nextCursor a repository returns is sealed by the cursor module', () => {
    const issued = lines(/nextCursor: /).filter((l) => l.startsWith('shared/store/'));
    expect(issued.length).toBeGreaterThanOrEqual(7);
    expect(issued.filter((l) => !/nextCursor: cursors\(\)\.(next|seal)\(query, /.test(l))).toEqual([]);
  });
});
