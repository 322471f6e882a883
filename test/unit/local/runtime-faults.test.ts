import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseLocalFaults } from '../../../infra/local/faults';
import { FunctionPool } from '../../../infra/local/lambda-runtime';
import type { FunctionSpec } from '../../../infra/local/template';

const dir = mkdtempSync(join(tmpdir(), 'oms-faults-'));
writeFileSync(
  join(dir, 'index.mjs'),
  `export const handler = async (event) => { await new Promise((r) => setTimeout(r, event.sleep ?? 0)); return 'done'; };\n`,
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const spec: FunctionSpec = {
  stack: 'S',
  logicalId: 'Fn',
  name: 'S-Fn',
  label: 'fn',
  arn: 'arn:aws:lambda:us-east-1:000000000000:function:S-Fn',
  file: join(dir, 'index.mjs'),
  exportName: 'handler',
  handler: 'index.handler',
  runtime: 'nodejs22.x',
  timeoutSeconds: 5,
  memoryMb: 128,
  env: {},
};

describe('--faults for the local cloud', () => {
  it('splits the option into the endpoint part and per-function runtime rates', () => {
    const faults = parseLocalFaults('transaction-conflict=0.05,throttle=0.02,fail=0.1,kill:reserve-stock=0.3')!;
    expect(faults.dynamo).toEqual({ transactionConflict: 0.05, throttle: 0.02 });
    expect(faults.runtime('reserve-stock')).toEqual({ fail: 0.1, kill: 0.3 });
    expect(faults.runtime('place-order')).toEqual({ fail: 0.1, kill: 0 });
    expect(parseLocalFaults('kill:a=0.5')!.runtime('b')).toBeUndefined();
    expect(parseLocalFaults('kill:a=0.5')!.dynamo).toBeUndefined();
    expect(parseLocalFaults(undefined)).toBeUndefined();
    expect(parseLocalFaults(' ')).toBeUndefined();
    expect(() => parseLocalFaults('crash=0.1')).toThrow(/unknown fault "crash" \(known: transaction-conflict, throttle, fail, kill\)/);
  });
});

describe('runtime faults', () => {
  it('fails invocations before the function runs', async () => {
    const pool = new FunctionPool(spec, {}, { maxConcurrency: 1, log: () => {}, faults: { fail: 1, kill: 0 } });
    try {
      const r = await pool.invoke({});
      expect(r).toMatchObject({ ok: false, error: { errorType: 'Local.InjectedFault' } });
      expect(pool.size).toBe(0);
      expect(pool.injected).toEqual({ failed: 1, killed: 0 });
    } finally {
      await pool.stop();
    }
  });

  it('kills the worker while the function runs; the next invocation gets a new one', async () => {
    const lines: string[] = [];
    const pool = new FunctionPool(spec, {}, { maxConcurrency: 1, log: (l) => lines.push(l), faults: { fail: 0, kill: 1 } });
    try {
      await pool.warm();
      const r = await pool.invoke({ sleep: 2000 });
      expect(r).toMatchObject({ ok: false, error: { errorType: 'Runtime.ExitError', errorMessage: 'worker killed on purpose (--faults kill)' } });
      expect(r.durationMs).toBeLessThan(1000);
      expect(pool.injected).toEqual({ failed: 0, killed: 1 });
      expect(lines).toContain('S-Fn: worker killed on purpose (--faults kill)');
      expect(await pool.invoke({ sleep: 2000 })).toMatchObject({ ok: false, error: { errorType: 'Runtime.ExitError' } });
      expect(pool.injected.killed).toBe(2);
    } finally {
      await pool.stop();
    }
  });

  it('injects nothing when off', async () => {
    const pool = new FunctionPool(spec, {}, { maxConcurrency: 1, log: () => {} });
    try {
      expect(await pool.invoke({})).toMatchObject({ ok: true, result: 'done' });
      expect(pool.injected).toEqual({ failed: 0, killed: 0 });
    } finally {
      await pool.stop();
    }
  });
});
