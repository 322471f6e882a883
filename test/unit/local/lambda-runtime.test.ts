import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FunctionPool } from '../../../infra/local/lambda-runtime';
import type { FunctionSpec } from '../../../infra/local/template';

// A bundle like the ones esbuild writes: ESM, a module scope, an exported handler.
const dir = mkdtempSync(join(tmpdir(), 'oms-fn-'));
writeFileSync(
  join(dir, 'index.mjs'),
  `import { threadId } from 'node:worker_threads';
let calls = 0;
export const handler = async (event, context) => {
  calls += 1;
  if (event.sleep) await new Promise((r) => setTimeout(r, event.sleep));
  if (event.fail) throw new TypeError('bad input');
  if (event.hog) { const kept = []; for (;;) kept.push(new Array(1e6).fill(calls)); }
  if (event.hang) return new Promise(() => {});
  if (event.spin) for (;;);
  if (event.work) { let x = 0; for (let i = 0; i < event.work; i++) x = (x * 31 + i) % 1000003; globalThis.__worked = x; }
  return { calls, threadId, table: process.env.TABLE_NAME, fn: context.functionName, remaining: context.getRemainingTimeInMillis(), id: context.awsRequestId };
};
`,
);
// Module scopes that take their time, or never finish.
writeFileSync(join(dir, 'slow-init.mjs'), `await new Promise((r) => setTimeout(r, 3000));\nexport const handler = async () => 'loaded';\n`);
writeFileSync(join(dir, 'stuck-init.mjs'), `await new Promise(() => setInterval(() => {}, 1000));\nexport const handler = async () => 'loaded';\n`);
// A CommonJS bundle as OmsFunction writes it: index.js beside {"type":"commonjs"}, inside a
// project whose package.json says "type": "module".
mkdirSync(join(dir, 'project', 'asset'), { recursive: true });
writeFileSync(join(dir, 'project', 'package.json'), '{"type":"module"}');
writeFileSync(join(dir, 'project', 'asset', 'package.json'), '{"type":"commonjs"}');
writeFileSync(
  join(dir, 'project', 'asset', 'index.js'),
  `const { threadId } = require('node:worker_threads');\nexports.handler = async (event) => ({ echo: event.echo, threadId });\n`,
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const timed = async <T>(p: Promise<T>) => {
  const started = Date.now();
  const value = await p;
  return { value, ms: Date.now() - started };
};

const spec = (timeoutSeconds = 2): FunctionSpec => ({
  stack: 'S',
  logicalId: 'Fn',
  name: 'S-Fn',
  label: 'fn',
  arn: 'arn:aws:lambda:us-east-1:000000000000:function:S-Fn',
  file: join(dir, 'index.mjs'),
  exportName: 'handler',
  handler: 'index.handler',
  runtime: 'nodejs22.x',
  timeoutSeconds,
  memoryMb: 128,
  env: {},
});

describe('running functions in worker threads', () => {
  it('gives each function its own environment and runs module scope once per worker', async () => {
    const pool = new FunctionPool(spec(), { TABLE_NAME: 'oms-test' }, { maxConcurrency: 1, log: () => {} });
    try {
      const a = await pool.invoke({});
      const b = await pool.invoke({});
      expect(a).toMatchObject({ ok: true, result: { calls: 1, table: 'oms-test', fn: 'S-Fn' } });
      expect(b).toMatchObject({ ok: true, result: { calls: 2 } });
      if (a.ok) expect((a.result as { remaining: number }).remaining).toBeGreaterThan(1000);
      expect(process.env.TABLE_NAME).toBeUndefined();
      const failed = await pool.invoke({ fail: true });
      expect(failed).toMatchObject({ ok: false, error: { errorType: 'TypeError', errorMessage: 'bad input' } });
    } finally {
      await pool.stop();
    }
  });

  it('recycles its containers: the idle one at once, a busy one once its invocation ends; module scope runs anew', async () => {
    const pool = new FunctionPool(spec(), {}, { maxConcurrency: 2, log: () => {} });
    try {
      const [idle, busy] = await Promise.all([pool.invoke({}), pool.invoke({ sleep: 400 })]);
      expect(idle).toMatchObject({ ok: true, result: { calls: 1 } });
      expect(busy).toMatchObject({ ok: true, result: { calls: 1 } });
      const slow = pool.invoke({ sleep: 400 });
      await new Promise((r) => setTimeout(r, 100));
      await pool.recycle();
      // the busy container finishes its invocation, then goes; the fresh one starts counting from 1
      expect(await slow).toMatchObject({ ok: true, result: { calls: 2 } });
      const threadsBefore = new Set([idle, busy].map((r) => (r.ok ? (r.result as { threadId: number }).threadId : 0)));
      const after = await pool.invoke({});
      expect(after).toMatchObject({ ok: true, result: { calls: 1 } });
      expect(threadsBefore.has(after.ok ? (after.result as { threadId: number }).threadId : 0)).toBe(false);
      expect(pool.size).toBe(1);
    } finally {
      await pool.stop();
    }
  });

  it('runs a CommonJS bundle (index.js beside a commonjs package.json) in a module-type project', async () => {
    const pool = new FunctionPool({ ...spec(), file: join(dir, 'project', 'asset', 'index.js') }, {}, { maxConcurrency: 1, log: () => {} });
    try {
      const res = await pool.invoke({ echo: 'hi' });
      expect(res).toMatchObject({ ok: true, result: { echo: 'hi' } });
      if (res.ok) expect((res.result as { threadId: number }).threadId).toBeGreaterThan(0);
    } finally {
      await pool.stop();
    }
  });

  it('runs invocations concurrently up to the function concurrency', async () => {
    const pool = new FunctionPool(spec(), {}, { maxConcurrency: 2, log: () => {} });
    try {
      const results = await Promise.all([1, 2, 3, 4].map(() => pool.invoke({ sleep: 200 })));
      expect(results.every((r) => r.ok)).toBe(true);
      const threads = new Set(results.map((r) => (r.ok ? (r.result as { threadId: number }).threadId : 0)));
      expect(threads.size).toBe(2);
      expect(pool.size).toBe(2);
    } finally {
      await pool.stop();
    }
  });

  it('counts the CPU time its containers use', async () => {
    const pool = new FunctionPool(spec(), {}, { maxConcurrency: 1, log: () => {} });
    try {
      await pool.invoke({});
      const before = await pool.cpuMicros();
      // a fixed amount of work (not of wall time: a loaded machine stretches that, not this)
      const work = { work: 50_000_000 };
      const t0 = process.cpuUsage();
      let x = 0;
      for (let i = 0; i < work.work; i++) x = (x * 31 + i) % 1000003;
      const here = process.cpuUsage(t0).user + (x < 0 ? 1 : 0);
      await pool.invoke(work);
      const used = (await pool.cpuMicros()) - before;
      expect(used).toBeGreaterThan(here * 0.5);
      expect(used).toBeLessThan(here * 3 + 200_000);
    } finally {
      await pool.stop();
    }
  });

  it('kills an invocation past the timeout and replaces its worker', async () => {
    const pool = new FunctionPool(spec(1), {}, { maxConcurrency: 1, log: () => {} });
    try {
      const slow = await pool.invoke({ sleep: 5000 });
      expect(slow).toMatchObject({ ok: false, error: { errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 1.00 seconds' } });
      expect(slow.durationMs).toBeLessThan(3000);
      const next = await pool.invoke({});
      expect(next).toMatchObject({ ok: true, result: { calls: 1 } });
    } finally {
      await pool.stop();
    }
  });

  it('fails an invocation that never settles after the timeout, and keeps serving', async () => {
    const pool = new FunctionPool(spec(1), {}, { maxConcurrency: 1, log: () => {} });
    try {
      // The second invocation waits for the only container, then gets a fresh one.
      const [hung, spun, next] = await Promise.all([pool.invoke({ hang: true }), pool.invoke({ spin: true }), pool.invoke({})]);
      for (const r of [hung, spun]) {
        expect(r).toMatchObject({ ok: false, error: { errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 1.00 seconds' } });
        expect(r.durationMs).toBeGreaterThanOrEqual(1000);
        expect(r.durationMs).toBeLessThan(3000);
      }
      expect(next).toMatchObject({ ok: true, result: { calls: 1 } });
      expect(pool.size).toBe(1);
    } finally {
      await pool.stop();
    }
  });

  it('stops promptly while an invocation hangs, and answers every invocation', async () => {
    const pool = new FunctionPool(spec(60), {}, { maxConcurrency: 1, stopGraceMs: 300, log: () => {} });
    await pool.warm();
    const hung = pool.invoke({ hang: true });
    const queued = pool.invoke({});
    await new Promise((r) => setTimeout(r, 100));
    const stop = await timed(pool.stop());
    expect(stop.ms).toBeLessThan(2000);
    expect(await hung).toMatchObject({ ok: false, error: { errorType: 'ServiceUnavailable' } });
    expect(await queued).toMatchObject({ ok: false, error: { errorType: 'ServiceUnavailable' } });
    expect(pool.size).toBe(0);
    expect(await pool.invoke({})).toMatchObject({ ok: false, error: { errorType: 'ServiceUnavailable' } });
  });

  it('lets an invocation in flight finish within the stop grace period', async () => {
    const pool = new FunctionPool(spec(60), {}, { maxConcurrency: 1, stopGraceMs: 2000, log: () => {} });
    const running = pool.invoke({ sleep: 300 });
    await new Promise((r) => setTimeout(r, 100));
    await pool.stop();
    expect(await running).toMatchObject({ ok: true });
  });

  it('answers an invocation waiting for a cold start when the pool stops', async () => {
    const pool = new FunctionPool({ ...spec(60), file: join(dir, 'slow-init.mjs') }, {}, { maxConcurrency: 1, stopGraceMs: 100, log: () => {} });
    const cold = pool.invoke({});
    await new Promise((r) => setTimeout(r, 100));
    const stop = await timed(pool.stop());
    expect(stop.ms).toBeLessThan(2000);
    expect(await timed(cold)).toMatchObject({ value: { ok: false, error: { errorType: 'ServiceUnavailable' } } });
  });

  it('times out a module scope that never finishes (init limit plus the timeout)', async () => {
    const pool = new FunctionPool({ ...spec(1), file: join(dir, 'stuck-init.mjs') }, {}, { maxConcurrency: 1, initLimitMs: 500, log: () => {} });
    try {
      const r = await timed(pool.invoke({}));
      expect(r.value).toMatchObject({ ok: false, error: { errorType: 'Sandbox.Timedout', errorMessage: 'Init timed out after 1.50 seconds' } });
      expect(r.ms).toBeGreaterThanOrEqual(1400);
      expect(r.ms).toBeLessThan(4000);
      expect(pool.size).toBe(0);
    } finally {
      await pool.stop();
    }
  });

  it('does not wait past the init limit to warm a container', async () => {
    const pool = new FunctionPool({ ...spec(1), file: join(dir, 'stuck-init.mjs') }, {}, { maxConcurrency: 1, initLimitMs: 300, stopGraceMs: 100, log: () => {} });
    const warm = await timed(pool.warm());
    expect(warm.ms).toBeLessThan(1500);
    expect(pool.size).toBe(1);
    expect((await timed(pool.stop())).ms).toBeLessThan(2000);
    expect(pool.size).toBe(0);
  });

  it('caps the heap at the function memory size and replaces a worker that runs out', async () => {
    const pool = new FunctionPool({ ...spec(30), memoryMb: 64 }, {}, { maxConcurrency: 1, log: () => {} });
    try {
      expect(await pool.invoke({ hog: true })).toMatchObject({ ok: false, error: { errorType: 'Runtime.OutOfMemory' } });
      expect(await pool.invoke({})).toMatchObject({ ok: true, result: { calls: 1 } });
    } finally {
      await pool.stop();
    }
  });

  it('reports a bundle that fails to load as an init error', async () => {
    const pool = new FunctionPool({ ...spec(), file: join(dir, 'missing.mjs') }, {}, { maxConcurrency: 1, log: () => {} });
    try {
      expect(await pool.invoke({})).toMatchObject({ ok: false, error: { errorType: 'Runtime.ImportModuleError' } });
    } finally {
      await pool.stop();
    }
  });
});
