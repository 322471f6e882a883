import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// keys.ts is the only place key formats exist: no other business module may spell them.
const ROOT = join(import.meta.dirname, '../../..');
const KEY_LITERAL = /['"`](PRODUCT|STOCK|LEDGER|ORDER|ORDERNO|RESERVATION|EVENT|OUTBOX|IDEMPOTENCY|COUNTER|CUSTOMER|STATUS|PRODUCTS)#/;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('fitness', () => {
  it('no storage key literal outside shared/store', () => {
    const offenders = ['functions', 'events', 'shared']
      .flatMap((d) => files(join(ROOT, d)))
      .filter((f) => !relative(ROOT, f).startsWith(join('shared', 'store')))
      .filter((f) => KEY_LITERAL.test(readFileSync(f, 'utf8')))
      .map((f) => relative(ROOT, f));
    expect(offenders).toEqual([]);
  });

  it('the domain imports nothing from AWS, the store or the network', () => {
    const offenders = files(join(ROOT, 'shared', 'domain'))
      .filter((f) => /from ['"](@aws-sdk|@aws-lambda-powertools|\.\.\/store|\.\.\/aws|node:(http|https|net))/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(ROOT, f));
    expect(offenders).toEqual([]);
  });

  it('nothing reads the table with a Scan: every list is a Query on the table or an index', () => {
    const offenders = ['functions', 'shared']
      .flatMap((d) => files(join(ROOT, d)))
      .filter((f) => /\b(ScanCommand|ScanCommandInput|paginateScan)\b/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(ROOT, f));
    expect(offenders).toEqual([]);
  });

  it('every function folder has a handler.ts exporting handler', () => {
    const dir = join(ROOT, 'functions');
    for (const name of readdirSync(dir)) {
      const source = readFileSync(join(dir, name, 'handler.ts'), 'utf8');
      expect(source, name).toMatch(/export const handler\b/);
    }
  });
});
