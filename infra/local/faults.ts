// `--faults` for the whole local cloud (npm start -- --faults ..., or OMS_LOCAL_FAULTS): the
// DynamoDB endpoint's faults (dynamodb/faults.ts) and the runtime's, in one option:
//   transaction-conflict=<rate>   TransactWriteItems/TransactGetItems cancelled (TransactionConflict)
//   throttle=<rate>               item requests refused (ProvisionedThroughputExceededException)
//   fail[:<function>]=<rate>      invocations that fail before the function runs
//   kill[:<function>]=<rate>      invocations whose worker is killed while the function runs
// A function's own rate (fail:reserve-stock=0.2) wins over the rate for every function (fail=0.05).
import { dynamoFaultsOf, parseRates, type DynamoFaults } from './dynamodb/faults';

export interface RuntimeFaults {
  /** Share of invocations answered with an error without running the function. */
  fail: number;
  /** Share of invocations whose worker is terminated while the function runs. */
  kill: number;
}

export interface LocalFaults {
  dynamo?: DynamoFaults;
  /** The runtime's faults for a function (by its label), undefined when none. */
  runtime(label: string): RuntimeFaults | undefined;
  /** As given, for the log. */
  spec: string;
}

const RUNTIME_KEYS = ['fail', 'kill'] as const;

export function parseLocalFaults(spec: string | undefined): LocalFaults | undefined {
  if (!spec?.trim()) return undefined;
  const dynamo = dynamoFaultsOf(spec, RUNTIME_KEYS);
  const rates = parseRates(spec, ['transaction-conflict', 'throttle', ...RUNTIME_KEYS]);
  const rate = (key: string, label: string) => rates[`${key}:${label}`] ?? rates[key] ?? 0;
  return {
    dynamo,
    spec,
    runtime(label) {
      const faults = { fail: rate('fail', label), kill: rate('kill', label) };
      return faults.fail > 0 || faults.kill > 0 ? faults : undefined;
    },
  };
}
