// `npm start`: the local cloud in the foreground until Ctrl-C.
//   npm start -- [--in-memory] [--data DIR] [--port N] [--stage dev] [--faults SPEC]   (PORT also sets the port)
import { startLocalCloud, type LocalCloud, type LocalCloudOptions } from './cloud';
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

try {
  cloud = await startLocalCloud(parseArgs(process.argv.slice(2)));
  if (exiting) await cloud.stop();
} catch (err) {
  console.error(`the local cloud did not start: ${(err as Error).stack ?? err}`);
  process.exit(1);
}
