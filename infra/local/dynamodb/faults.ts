// Faults on purpose: the errors DynamoDB returns under contention and load, at chosen rates, so
// the code paths that handle them run locally too. Off unless rates are given (npm run dynamodb
// -- --faults transaction-conflict=0.05,throttle=0.02, npm start -- --faults ..., or the
// OMS_LOCAL_FAULTS environment variable). A faulted request changes nothing.
import { dynamoError, type ApiError } from './errors';

export interface DynamoFaults {
  /** Share of TransactWriteItems / TransactGetItems cancelled with a TransactionConflict reason. */
  transactionConflict?: number;
  /** Share of single-item and batch requests refused with ProvisionedThroughputExceededException. */
  throttle?: number;
}

export interface FaultCounts {
  transactionConflict: number;
  throttle: number;
}

/** The option's keys for the DynamoDB endpoint. */
export const DYNAMO_FAULT_KEYS = { 'transaction-conflict': 'transactionConflict', throttle: 'throttle' } as const;

/**
 * `key=rate,key=rate` (rates from 0 to 1) into { key: rate }. Unknown keys and bad rates throw,
 * naming what is accepted; `known` filters the keys this caller understands.
 */
export function parseRates(spec: string, known: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [key = '', value, ...rest] = part.split('=');
    const rate = Number(value);
    if (value === undefined || rest.length > 0 || value.trim() === '' || !(rate >= 0 && rate <= 1)) {
      throw new Error(`--faults: "${part}" is not key=rate with a rate from 0 to 1`);
    }
    const base = key.split(':')[0]!;
    if (!known.includes(base)) throw new Error(`--faults: unknown fault "${key}" (known: ${known.join(', ')})`);
    out[key] = rate;
  }
  return out;
}

/** The DynamoDB part of a --faults option (other keys, for the local runtime, are skipped). */
export function dynamoFaultsOf(spec: string | undefined, runtimeKeys: readonly string[] = []): DynamoFaults | undefined {
  if (!spec) return undefined;
  const rates = parseRates(spec, [...Object.keys(DYNAMO_FAULT_KEYS), ...runtimeKeys]);
  const faults: DynamoFaults = {};
  for (const [key, name] of Object.entries(DYNAMO_FAULT_KEYS)) if (rates[key] !== undefined) faults[name] = rates[key];
  return Object.keys(faults).length ? faults : undefined;
}

const THROTTLED = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'GetItem', 'BatchGetItem', 'BatchWriteItem', 'Query', 'Scan']);
const TRANSACTIONS = new Set(['TransactWriteItems', 'TransactGetItems']);

const THROTTLE_MESSAGE =
  'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.';

/** Decides, per request, whether to answer with a fault instead; counts what it injected. */
export class FaultInjector {
  readonly counts: FaultCounts = { transactionConflict: 0, throttle: 0 };

  constructor(
    private readonly rates: DynamoFaults,
    private readonly random: () => number = Math.random,
  ) {}

  /** The error to answer `operation` with, or undefined to serve it. */
  pick(operation: string, body: { TransactItems?: unknown }): ApiError | undefined {
    if (TRANSACTIONS.has(operation)) {
      if (this.random() >= (this.rates.transactionConflict ?? 0)) return undefined;
      this.counts.transactionConflict++;
      return transactionConflict(Array.isArray(body.TransactItems) ? body.TransactItems.length : 1, this.random);
    }
    if (THROTTLED.has(operation) && this.random() < (this.rates.throttle ?? 0)) {
      this.counts.throttle++;
      return dynamoError('ProvisionedThroughputExceededException', THROTTLE_MESSAGE);
    }
    return undefined;
  }
}

/** A transaction cancelled because another one held one of its items: one reason per action, as DynamoDB lists them. */
export function transactionConflict(actions: number, random: () => number = Math.random): ApiError {
  const n = Math.max(1, actions);
  const at = Math.floor(random() * n);
  const reasons = Array.from({ length: n }, (_, i) =>
    i === at ? { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' } : { Code: 'None' },
  );
  const message = `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`;
  return dynamoError('TransactionCanceledException', message, { Message: message, CancellationReasons: reasons });
}
