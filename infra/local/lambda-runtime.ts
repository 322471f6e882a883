// Runs each function from its bundle in worker threads, like Lambda containers: each
// worker has its own process.env (the function's environment from the template plus
// the runtime's variables), module scope runs once per worker, one invocation runs
// per worker at a time, workers are added on demand up to the function's
// concurrency, and an invocation past the function's timeout kills its worker.
//
// Every invocation settles, whatever the function does: its Timeout from the template
// bounds the run (Sandbox.Timedout, the container is discarded and replaced, as Lambda
// does with a sandbox that overran), Lambda's init limit bounds the module scope, and
// stop() answers the invocations still waiting for a container, lets the ones in flight
// finish for a short grace period, then terminates every worker.
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { RuntimeFaults } from './faults';
import type { FunctionSpec } from './template';

export type InvokeResult =
  | { ok: true; result: unknown; durationMs: number; requestId: string }
  | { ok: false; error: { errorType: string; errorMessage: string; stack?: string[] }; durationMs: number; requestId: string };

const WORKER_FILE = fileURLToPath(new URL('./lambda-worker.mjs', import.meta.url));

/** Lambda's limit on a container's init phase (module scope). */
export const INIT_LIMIT_MS = 10_000;
/** How long stop() lets invocations in flight finish before it terminates their workers. */
export const STOP_GRACE_MS = 2_000;
/** How long stop() waits for terminated workers to exit. */
const TERMINATE_LIMIT_MS = 5_000;

type ErrorInfo = { errorType: string; errorMessage: string };

const STOPPING: ErrorInfo = { errorType: 'ServiceUnavailable', errorMessage: 'the local cloud is stopping' };
const RECYCLED: ErrorInfo = { errorType: 'Runtime.ExitError', errorMessage: 'the container was recycled' };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

// The bundles are plain ESM: a container runs under plain Node. A TypeScript loader the
// cloud itself was started with (tsx) would only add module hooks and source-mapped stack
// traces to every container; other flags (e.g. --cpu-prof) still reach the workers.
function workerExecArgv(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const loader = /^--(?:import|require|loader|experimental-loader)(?:=(.*))?$/.exec(argv[i]!);
    if (!loader) {
      out.push(argv[i]!);
      continue;
    }
    const pair = loader[1] === undefined ? [argv[i]!, argv[++i] ?? ''] : [argv[i]!];
    if (!/\btsx\b/.test(pair.join('='))) out.push(...pair);
  }
  return out;
}
const WORKER_EXEC_ARGV = workerExecArgv(process.execArgv);

interface Container {
  worker: Worker;
  /** Settles once the module scope ran, or when the container goes away before that. */
  ready: Promise<void>;
  loaded: boolean;
  failReady: (err: Error) => void;
  busy: boolean;
  /** Recycled while busy: discarded when its invocation ends instead of being reused. */
  retired?: boolean;
  current?: { id: string; resolve: (r: InvokeResult) => void; started: number; requestId: string; timer: NodeJS.Timeout };
}

export interface PoolOptions {
  /** Most containers (concurrent invocations) this function may have. */
  maxConcurrency: number;
  log: (line: string) => void;
  /** Lines the function writes to stdout/stderr. */
  output?: (fn: string, line: string) => void;
  /** How long stop() lets invocations in flight finish (default STOP_GRACE_MS). */
  stopGraceMs?: number;
  /** Lambda's init limit (default INIT_LIMIT_MS), added to the function's timeout for the module scope. */
  initLimitMs?: number;
  /** Faults on purpose (npm start -- --faults fail=..,kill=..); none when undefined. */
  faults?: RuntimeFaults;
}

/** How far into an invocation a kill on purpose may land. */
const KILL_WITHIN_MS = 50;

export class FunctionPool {
  private readonly containers = new Set<Container>();
  /** Invocations waiting for a container; undefined means "no container: the pool stopped". */
  private readonly waiting: ((c: Container | undefined) => void)[] = [];
  /** Invocations not yet settled. */
  private readonly inFlight = new Set<Promise<InvokeResult>>();
  private stopped = false;
  private seq = 0;
  /** Invocations failed and workers killed on purpose so far. */
  readonly injected = { failed: 0, killed: 0 };

  constructor(
    readonly spec: FunctionSpec,
    private readonly env: Record<string, string>,
    private readonly opts: PoolOptions,
  ) {}

  get size() {
    return this.containers.size;
  }

  /** CPU time this function's containers used so far, in microseconds (containers discarded earlier not counted). */
  async cpuMicros(): Promise<number> {
    const usage = await Promise.all([...this.containers].map((c) => c.worker.cpuUsage().catch(() => ({ user: 0, system: 0 }))));
    return usage.reduce((sum, u) => sum + u.user + u.system, 0);
  }

  /**
   * Starts one container ahead of the first invocation (a warm start for the first request).
   * Waits for its module scope at most the init limit: a container still loading then is left
   * to the first invocation, which bounds the wait with its own timeout.
   */
  async warm(): Promise<void> {
    if (this.containers.size > 0) return;
    const c = this.spawn();
    try {
      const loaded = await Promise.race([c.ready.then(() => true), sleep(this.opts.initLimitMs ?? INIT_LIMIT_MS).then(() => false)]);
      if (!loaded) this.opts.log(`${this.spec.name}: still loading after the init limit; the first invocation waits for it`);
    } catch (err) {
      // The first invocation reports it (as Lambda reports an init error); no crash here.
      this.opts.log(`${this.spec.name}: init failed: ${(err as Error).message}`);
      this.discard(c, { errorType: 'Runtime.InitError', errorMessage: (err as Error).message });
    }
  }

  private spawn(): Container {
    const n = ++this.seq;
    const worker = new Worker(WORKER_FILE, {
      env: this.env,
      execArgv: WORKER_EXEC_ARGV,
      // The function's MemorySize caps its heap, so a function that would run out of memory in
      // Lambda fails here too (Runtime.OutOfMemory) instead of growing without bound.
      resourceLimits: { maxOldGenerationSizeMb: Math.max(64, this.spec.memoryMb) },
      stdout: true,
      stderr: true,
      workerData: {
        file: this.spec.file,
        exportName: this.spec.exportName,
        functionName: this.spec.name,
        functionArn: this.spec.arn,
        memoryMb: this.spec.memoryMb,
        logGroupName: this.env.AWS_LAMBDA_LOG_GROUP_NAME,
        logStreamName: `local/${n}`,
        sourceMaps: (this.env.NODE_OPTIONS ?? '').includes('--enable-source-maps'),
      },
    });
    const out = (line: string) => this.opts.output?.(this.spec.name, line);
    createInterface({ input: worker.stdout }).on('line', out);
    createInterface({ input: worker.stderr }).on('line', out);
    let settle!: { ok: () => void; fail: (e: Error) => void };
    const ready = new Promise<void>((ok, fail) => (settle = { ok, fail }));
    // Whoever waits for it sees the failure; nobody waiting is no crash.
    ready.catch(() => {});
    const c: Container = { worker, ready, loaded: false, failReady: settle.fail, busy: false };
    worker.on('message', (msg: { type: string; id?: string; ok?: boolean; json?: string; error?: any }) => {
      if (msg.type === 'ready') {
        c.loaded = true;
        settle.ok();
      } else if (msg.type === 'init-error') {
        settle.fail(Object.assign(new Error(msg.error.errorMessage), { detail: msg.error }));
      } else if (msg.type === 'result' && c.current && c.current.id === msg.id) {
        const cur = c.current;
        clearTimeout(cur.timer);
        c.current = undefined;
        const durationMs = Date.now() - cur.started;
        cur.resolve(
          msg.ok
            ? { ok: true, result: JSON.parse(msg.json ?? 'null'), durationMs, requestId: cur.requestId }
            : { ok: false, error: msg.error, durationMs, requestId: cur.requestId },
        );
        this.release(c);
      }
    });
    worker.on('error', (err: Error & { code?: string }) => {
      // An uncaught error kills the container, as in Lambda; the invocation fails.
      settle.fail(err);
      const oom = err.code === 'ERR_WORKER_OUT_OF_MEMORY';
      if (oom) this.opts.log(`${this.spec.name} ran out of memory (${this.spec.memoryMb} MB): container replaced`);
      this.discard(c, { errorType: oom ? 'Runtime.OutOfMemory' : 'Runtime.UnhandledError', errorMessage: err.message });
    });
    worker.on('exit', () => this.discard(c, { errorType: 'Runtime.ExitError', errorMessage: 'the function exited' }));
    this.containers.add(c);
    return c;
  }

  /** `ranMs`: how long the invocation is reported to have run at least (a timeout: the whole timeout, as Lambda reports it). */
  private discard(c: Container, error: ErrorInfo, ranMs = 0) {
    if (!this.containers.delete(c)) return;
    // An invocation still waiting for this container's init gets the error (a no-op once ready).
    c.failReady(Object.assign(new Error(error.errorMessage), { detail: error }));
    const cur = c.current;
    c.current = undefined;
    if (cur) {
      clearTimeout(cur.timer);
      cur.resolve({ ok: false, error, durationMs: Math.max(Date.now() - cur.started, ranMs), requestId: cur.requestId });
    }
    void c.worker.terminate();
    // Someone may be waiting for a slot that just freed up.
    if (this.stopped) return;
    const next = this.waiting.shift();
    if (next) {
      const fresh = this.spawn();
      fresh.busy = true;
      next(fresh);
    }
  }

  private release(c: Container) {
    if (c.retired) return this.discard(c, RECYCLED);
    const next = this.waiting.shift();
    if (next) next(c);
    else c.busy = false;
  }

  private acquire(): Promise<Container | undefined> {
    for (const c of this.containers) {
      if (!c.busy) {
        c.busy = true;
        return Promise.resolve(c);
      }
    }
    if (this.containers.size < this.opts.maxConcurrency) {
      const c = this.spawn();
      c.busy = true;
      return Promise.resolve(c);
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  invoke(event: unknown): Promise<InvokeResult> {
    const requestId = randomUUID();
    if (this.stopped) return Promise.resolve({ ok: false, error: STOPPING, durationMs: 0, requestId });
    if (this.opts.faults && Math.random() < this.opts.faults.fail) {
      this.injected.failed++;
      const error = { errorType: 'Local.InjectedFault', errorMessage: 'invocation failed on purpose (--faults fail)' };
      return Promise.resolve({ ok: false, error, durationMs: 0, requestId });
    }
    const run = this.run(event, requestId);
    this.inFlight.add(run);
    const done = () => void this.inFlight.delete(run);
    run.then(done, done);
    return run;
  }

  private async run(event: unknown, requestId: string): Promise<InvokeResult> {
    const c = await this.acquire();
    if (!c) return { ok: false, error: STOPPING, durationMs: 0, requestId };
    // Lambda gives the init phase 10 s and, past that, re-runs it within the invocation's timeout:
    // an invocation still waiting for its container's module scope after both has timed out.
    const initSeconds = (this.opts.initLimitMs ?? INIT_LIMIT_MS) / 1000 + this.spec.timeoutSeconds;
    const initTimer = c.loaded
      ? undefined
      : setTimeout(() => {
          this.opts.log(`${this.spec.name}: init did not finish in ${initSeconds}s: container discarded`);
          this.discard(c, { errorType: 'Sandbox.Timedout', errorMessage: `Init timed out after ${initSeconds.toFixed(2)} seconds` });
        }, initSeconds * 1000);
    try {
      await c.ready;
    } catch (err) {
      const detail = (err as { detail?: { errorType: string; errorMessage: string } }).detail;
      this.discard(c, detail ?? { errorType: 'Runtime.InitError', errorMessage: (err as Error).message });
      return { ok: false, error: detail ?? { errorType: 'Runtime.InitError', errorMessage: (err as Error).message }, durationMs: 0, requestId };
    } finally {
      clearTimeout(initTimer);
    }
    if (!this.containers.has(c)) {
      return { ok: false, error: { errorType: 'Runtime.ExitError', errorMessage: 'the container exited' }, durationMs: 0, requestId };
    }
    const timeoutMs = this.spec.timeoutSeconds * 1000;
    const started = Date.now();
    return new Promise<InvokeResult>((resolve) => {
      const id = `${requestId}`;
      const timer = setTimeout(() => {
        this.opts.log(`${this.spec.name} timed out after ${this.spec.timeoutSeconds}s: container replaced`);
        this.discard(c, { errorType: 'Sandbox.Timedout', errorMessage: `Task timed out after ${this.spec.timeoutSeconds.toFixed(2)} seconds` }, timeoutMs);
      }, timeoutMs);
      c.current = { id, resolve, started, requestId, timer };
      c.worker.postMessage({ id, event, awsRequestId: requestId, deadline: started + timeoutMs });
      if (this.opts.faults && Math.random() < this.opts.faults.kill) this.killLater(c, id);
    });
  }

  /** Terminates the container's worker a moment into invocation `id`, if it is still running it (a crash mid-batch). */
  private killLater(c: Container, id: string) {
    setTimeout(() => {
      if (c.current?.id !== id) return;
      this.injected.killed++;
      this.opts.log(`${this.spec.name}: worker killed on purpose (--faults kill)`);
      this.discard(c, { errorType: 'Runtime.ExitError', errorMessage: 'worker killed on purpose (--faults kill)' });
    }, Math.random() * KILL_WITHIN_MS).unref();
  }

  /**
   * Retires every container, as Lambda does when a function's configuration changes: idle ones
   * go now, busy ones when their invocation ends, so each later invocation runs in a fresh one
   * (module scope and in-memory caches started anew). Resolves once a fresh container is warm.
   */
  async recycle(): Promise<void> {
    for (const c of [...this.containers]) {
      if (c.busy) c.retired = true;
      else this.discard(c, RECYCLED);
    }
    if (!this.stopped && this.containers.size < this.opts.maxConcurrency && [...this.containers].every((c) => c.retired)) {
      const c = this.spawn();
      await c.ready.catch(() => this.discard(c, RECYCLED));
    }
  }

  /**
   * Takes no new invocation and answers those waiting for a container; invocations in flight
   * may finish within the grace period (each is bounded by its timeout anyway), then every
   * container is discarded (an invocation cut short fails) and its worker terminated. Returns
   * within about grace + 5 s whatever the functions do.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const next of this.waiting.splice(0)) next(undefined);
    if (this.inFlight.size > 0) await Promise.race([Promise.allSettled(this.inFlight), sleep(this.opts.stopGraceMs ?? STOP_GRACE_MS)]);
    const all = [...this.containers];
    for (const c of all) this.discard(c, STOPPING);
    const exited = Promise.allSettled(all.map((c) => c.worker.terminate()));
    if (!(await Promise.race([exited.then(() => true), sleep(TERMINATE_LIMIT_MS).then(() => false)]))) {
      this.opts.log(`${this.spec.name}: a worker did not exit ${TERMINATE_LIMIT_MS}ms after terminate()`);
    }
  }
}

/** Every function of the template, by name. */
export class LambdaRuntime {
  readonly pools = new Map<string, FunctionPool>();

  add(spec: FunctionSpec, env: Record<string, string>, opts: PoolOptions): FunctionPool {
    const pool = new FunctionPool(spec, env, opts);
    this.pools.set(spec.name, pool);
    return pool;
  }

  get(name: string): FunctionPool {
    const p = this.pools.get(name);
    if (!p) throw new Error(`no function named ${name}`);
    return p;
  }

  invoke(name: string, event: unknown): Promise<InvokeResult> {
    return this.get(name).invoke(event);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.stop()));
  }
}
