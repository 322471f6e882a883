import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// One write path: use cases decide through the domain and commit through the one
// writer; only the writer sends TransactWriteItems; the store builds no event data.
const ROOT = join(import.meta.dirname, '../../..');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const offenders = (dirs: string[], pattern: RegExp, except: string[] = []) =>
  dirs
    .flatMap((d) => files(join(ROOT, d)))
    .map((f) => relative(ROOT, f).split('\\').join('/'))
    .filter((f) => !except.includes(f))
    .filter((f) => pattern.test(readFileSync(join(ROOT, f), 'utf8')));

describe('fitness: one write path', () => {
  it('only shared/store/writer.ts sends TransactWriteItems', () => {
    expect(offenders(['functions', 'shared'], /\bTransactWrite(Command|ItemsCommand)\b/, ['shared/store/writer.ts'])).toEqual([]);
  });

  it('the store builds no event data: no event catalog, no buildEvent', () => {
    expect(offenders(['shared/store'], /events\/catalog|\bbuildEvent\b/)).toEqual([]);
  });

  it('use cases build no DynamoDB requests: no SDK commands in shared/app', () => {
    expect(offenders(['shared/app'], /\b(Get|Put|Update|Delete|Query|BatchGet|BatchWrite|TransactWrite|TransactGet)Command\b/)).toEqual([]);
  });

  it('handlers reach the store through the application, not by building repositories', () => {
    expect(offenders(['functions'], /from '\.\.\/\.\.\/shared\/store'|Repository\(|orderLookup\(/)).toEqual([]);
  });
});
