// The local DynamoDB endpoint in its own worker thread, so its work (dynalite, LevelDB, JSON,
// HTTP) no longer competes with the API gateway, the bus and the pollers on the main thread.
// Same interface as the in-process endpoint; stream reads and appends cross by messages.
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { LocalDynamo, LocalDynamoOptions } from './index';
import type { EndpointStats } from './stats';
import type { StreamRecord } from './streams';
import type { FromThread, ThreadRequest } from './thread-worker';

const ENTRY = fileURLToPath(new URL('./thread-entry.mjs', import.meta.url));

export interface ThreadedDynamo extends LocalDynamo {
  /** Learns the tables' stream ARNs (after tables were created), for the synchronous streamArn(). */
  refreshStreamArns(): Promise<void>;
  /** CPU time the endpoint's thread used so far, in microseconds. */
  cpuMicros(): Promise<number>;
}

/** The profiler's flags (node --cpu-prof ...), which reach the thread; the TypeScript loader does not (the entry registers its own). */
function profilingFlags(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (!argv[i]!.startsWith('--cpu-prof')) continue;
    out.push(argv[i]!);
    if (/^--cpu-prof-(?:dir|name|interval)$/.test(argv[i]!)) out.push(argv[++i] ?? '');
  }
  return out;
}

export async function startLocalDynamoThread(opts: LocalDynamoOptions = {}): Promise<ThreadedDynamo> {
  const { log = () => {}, ...data } = opts;
  const worker = new Worker(ENTRY, { workerData: data, execArgv: profilingFlags(process.execArgv) });
  const pending = new Map<number, { ok: (v: unknown) => void; fail: (e: Error) => void }>();
  const listeners = new Set<(arn: string) => void>();
  let nextId = 0;
  let arns: Record<string, string> = {};
  let failure: Error | undefined;

  const call = <T>(msg: ThreadRequest): Promise<T> =>
    new Promise<T>((ok, fail) => {
      if (failure) return fail(failure);
      const id = ++nextId;
      pending.set(id, { ok: ok as (v: unknown) => void, fail });
      worker.postMessage({ ...msg, id });
    });

  const ready = new Promise<{ url: string; port: number }>((ok, fail) => {
    worker.on('message', (msg: FromThread) => {
      if (msg.type === 'ready') ok(msg);
      else if (msg.type === 'log') log(msg.line);
      else if (msg.type === 'append') for (const arn of msg.arns) for (const l of listeners) l(arn);
      else if (msg.type === 'reply') {
        const p = pending.get(msg.id);
        pending.delete(msg.id);
        if (msg.ok) p?.ok(msg.value);
        else p?.fail(new Error(msg.message));
      }
    });
    const down = (err: Error) => {
      failure = err;
      fail(err);
      for (const p of pending.values()) p.fail(err);
      pending.clear();
    };
    worker.on('error', (err) => {
      log(`dynamodb thread failed: ${err.stack ?? err.message}`);
      down(err);
    });
    worker.on('exit', () => down(new Error('the dynamodb thread exited')));
  });
  const { url, port } = await ready;

  let stopping: Promise<void> | undefined;
  return {
    url,
    port,
    streams: {
      streamArn: (tableName) => arns[tableName],
      read: async (arn, after, limit) => JSON.parse(await call<string>({ op: 'read', arn, after, limit })) as StreamRecord[],
      onAppend(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    },
    async refreshStreamArns() {
      arns = await call<Record<string, string>>({ op: 'streamArns' });
    },
    stats: () => call<EndpointStats>({ op: 'stats' }),
    cpuMicros: async () => {
      const { user, system } = await worker.cpuUsage();
      return user + system;
    },
    stop: () =>
      (stopping ??= (async () => {
        await call({ op: 'stop' }).catch(() => {});
        await worker.terminate();
      })()),
  };
}
