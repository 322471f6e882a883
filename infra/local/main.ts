// `npm start`: the local cloud in the foreground until Ctrl-C.
//   npm start -- [--in-memory] [--data DIR] [--port N] [--stage dev] [--faults SPEC]   (PORT also sets the port)
import { createInterface } from 'node:readline';
import { startLocalCloud, type LocalCloud, type LocalCloudOptions } from './cloud';
import type { QueueView } from './flow';
import { nodeRuntimeLine } from './node-runtime';

function parseArgs(argv: string[]): LocalCloudOptions {
  const opts: LocalCloudOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--in-memory') opts.inMemory = true;
    else if (arg === '--data') opts.dataDir = value();
    else if (arg === '--port') opts.port = Number(value());
    else if (arg === '--stage') opts.stage = value();
    else if (arg === '--faults') opts.faults = value();
    else if (arg === '--help' || arg === '-h') {
      console.log('usage: npm start -- [--in-memory] [--data DIR] [--port N] [--stage dev] [--faults transaction-conflict=0.05,throttle=0.02,fail[:fn]=0.05,kill[:fn]=0.02]');
      process.exit(0);
    } else throw new Error(`unknown argument ${arg} (try --help)`);
  }
  if (opts.port !== undefined && !(Number.isInteger(opts.port) && opts.port >= 0 && opts.port < 65536)) {
    throw new Error('--port must be a port number');
  }
  return opts;
}

console.log(nodeRuntimeLine());

let cloud: LocalCloud | undefined;
let exiting = false;

async function shutdown(code: number, why: string) {
  if (exiting) return;
  exiting = true;
  console.log(`\n${why}: stopping the local cloud ...`);
  const force = setTimeout(() => process.exit(code || 1), 10_000);
  force.unref();
  await cloud?.stop();
  process.exit(code);
}

process.on('SIGINT', () => void shutdown(0, 'SIGINT'));
process.on('SIGTERM', () => void shutdown(0, 'SIGTERM'));
process.on('uncaughtException', (err) => {
  console.error(err);
  void shutdown(1, 'crash');
});
process.on('unhandledRejection', (err) => {
  console.error(err);
  void shutdown(1, 'crash');
});

/**
 * On request in the terminal: `q` + Enter prints the queues holding messages (and what waits in
 * dead-letter queues), `e` + Enter the last 10 bus events; the same as GET /_local/queues and /_local/events.
 */
function answerKeys(apiUrl: string) {
  const get = async <T>(path: string) => (await fetch(`${apiUrl}/_local${path}`)).json() as Promise<T>;
  const show = {
    async q() {
      const { queues } = await get<{ queues: QueueView[] }>('/queues');
      const busy = queues.filter((q) => q.messages.visible + q.messages.inFlight + q.messages.delayed > 0);
      if (busy.length === 0) return console.log('queues: all empty');
      for (const q of busy) {
        const { visible, inFlight, delayed } = q.messages;
        console.log(`queue ${q.name}: ${visible} visible, ${inFlight} in flight, ${delayed} delayed${q.deadLetterFor ? `  (dead letters: ${apiUrl}/_local/queues/${q.name}/dead-letters)` : ''}`);
      }
    },
    async e() {
      const { events } = await get<{ events: { time: string; 'detail-type': string; source: string; deliveredTo: string[] }[] }>('/events?limit=10');
      if (events.length === 0) return console.log('events: none yet');
      for (const e of events.reverse()) console.log(`event ${e.time} ${e['detail-type']} (${e.source}) -> ${e.deliveredTo.join(', ') || 'no rule'}`);
    },
  };
  console.log('  on request   q + Enter: queue depths and dead letters   e + Enter: the last 10 bus events');
  createInterface({ input: process.stdin }).on('line', (line) => {
    const key = line.trim() as keyof typeof show;
    if (key in show) show[key]().catch((err: Error) => console.log(`${key}: ${err.message}`));
  });
}

try {
  cloud = await startLocalCloud(parseArgs(process.argv.slice(2)));
  if (exiting) await cloud.stop();
  else if (process.stdin.isTTY) answerKeys(cloud.apiUrl);
} catch (err) {
  console.error(`the local cloud did not start: ${(err as Error).stack ?? err}`);
  process.exit(1);
}
