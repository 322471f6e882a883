// npm run dynamodb -- --port 8000 [--data DIR] [--host 127.0.0.1] [--faults transaction-conflict=0.05,throttle=0.02]
import { parseArgs } from 'node:util';
import { dynamoFaultsOf } from './faults';
import { startLocalDynamo } from './index';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8000' },
    host: { type: 'string', default: '127.0.0.1' },
    data: { type: 'string' },
    faults: { type: 'string', default: process.env.OMS_LOCAL_FAULTS },
  },
});

let faults: ReturnType<typeof dynamoFaultsOf>;
try {
  faults = dynamoFaultsOf(values.faults);
} catch (err) {
  console.error((err as Error).message);
  process.exit(2);
}

const dynamo = await startLocalDynamo({
  port: Number(values.port),
  host: values.host,
  dataDir: values.data,
  faults,
  log: (line) => console.error(line),
});
console.log(`listening on ${dynamo.url}`);

let stopping = false;
const shutdown = (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.error(`${signal}: stopping`);
  dynamo.stop().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
};
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));
