// Local DynamoDB endpoint: dynalite in-process behind a thin layer that adds transactions, change
// streams, TTL and transactional capacity. See README.md for what differs from DynamoDB.
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Context } from './context';
import { closeStore, createStore } from './dynalite';
import { FaultInjector, type DynamoFaults } from './faults';
import { RwLock } from './lock';
import { requestHandler } from './server';
import { RequestStats, type EndpointStats } from './stats';
import { StreamStore, type LocalStreams } from './streams';
import { sweepExpired, TtlSettings } from './ttl';

export type { LocalStreams, StreamRecord } from './streams';
export type { CallerStats, EndpointStats } from './stats';
export type { DynamoFaults, FaultCounts } from './faults';

export interface LocalDynamoOptions {
  port?: number; // 0 or undefined = random free port
  host?: string; // default 127.0.0.1
  dataDir?: string; // persistent LevelDB folder; undefined = in-memory
  ttlSweepIntervalMs?: number; // default 1000
  region?: string; // default 'us-east-1'; accountId '000000000000'
  log?: (line: string) => void;
  /** Faults on purpose (see faults.ts); off when undefined. */
  faults?: DynamoFaults;
}

export interface LocalDynamo {
  url: string;
  port: number;
  streams: LocalStreams;
  /** Requests and consumed capacity so far, in total and by caller (access key id). */
  stats(): Promise<EndpointStats>;
  stop(): Promise<void>;
}

const ACCOUNT_ID = '000000000000';

export async function startLocalDynamo(opts: LocalDynamoOptions = {}): Promise<LocalDynamo> {
  const region = opts.region ?? 'us-east-1';
  const host = opts.host ?? '127.0.0.1';
  const log = opts.log ?? (() => {});
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });

  const store = createStore(opts.dataDir, region, ACCOUNT_ID);
  const streams = new StreamStore(store, region, ACCOUNT_ID);
  const ttl = new TtlSettings(store);
  const ctx: Context = { store, lock: new RwLock(), streams, ttl };
  const stats = new RequestStats();
  const faults = opts.faults ? new FaultInjector(opts.faults) : undefined;
  const server = createServer(requestHandler(ctx, log, stats, faults));
  server.keepAliveTimeout = 5_000;
  try {
    await streams.load();
    await ttl.load();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, host, () => resolve());
    });
  } catch (err) {
    // e.g. the port is taken or another process holds the data dir: release what was opened.
    await closeStore(store).catch(() => {});
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host}:${port}`;
  log(`dynamodb listening on ${url} (${opts.dataDir ? `data in ${opts.dataDir}` : 'in-memory'})`);
  if (opts.faults) log(`dynamodb faults on: ${JSON.stringify(opts.faults)}`);

  // Housekeeping: expire TTL items and trim stream records past retention. One run at a time.
  let stopped = false;
  let sweeping: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    timer = setTimeout(() => {
      sweeping = (async () => {
        try {
          const deleted = await sweepExpired(ctx);
          if (deleted > 0) log(`ttl: deleted ${deleted} expired item(s)`);
          await streams.trim();
        } catch (err) {
          log(`ttl sweep failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      })();
      void sweeping.then(() => {
        if (!stopped) schedule();
      });
    }, opts.ttlSweepIntervalMs ?? 1000);
  };
  schedule();

  return {
    url,
    port,
    streams,
    stats: async () => (faults ? { ...stats.snapshot(), faults: { ...faults.counts } } : stats.snapshot()),
    async stop() {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      await sweeping;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      // Let writes already inside the lock finish before the database closes.
      await ctx.lock.write(async () => {});
      await closeStore(store);
      log('dynamodb stopped');
    },
  };
}
