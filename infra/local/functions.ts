// The functions' side of the local cloud: each function's environment (what its worker
// sees as process.env), one warm container per function before the cloud says ready, and
// asynchronous invocation with Lambda's retries for rule and schedule targets.
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RuntimeFaults } from './faults';
import type { LambdaRuntime } from './lambda-runtime';
import type { LocalMetrics } from './metrics';
import type { FunctionSpec } from './template';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

/** What a function's worker sees as process.env: the template's variables plus the runtime's. */
export function functionEnv(fn: FunctionSpec, urls: { dynamo: string; aws: string }, region: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    TZ: 'UTC',
    LANG: 'en_US.UTF-8',
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    // One key per function, as each function has its own role in AWS: the local endpoints
    // can tell callers apart (the DynamoDB endpoint counts requests per function).
    AWS_ACCESS_KEY_ID: `local-${fn.label}`,
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_SESSION_TOKEN: 'local',
    // Keep the developer's own AWS profile and config out of the functions.
    AWS_CONFIG_FILE: join(ROOT, '.oms', 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(ROOT, '.oms', 'no-aws-credentials'),
    AWS_ENDPOINT_URL_DYNAMODB: urls.dynamo,
    AWS_ENDPOINT_URL_DYNAMODB_STREAMS: urls.dynamo,
    AWS_ENDPOINT_URL_SQS: urls.aws,
    AWS_ENDPOINT_URL_EVENTBRIDGE: urls.aws,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: urls.aws,
    AWS_ENDPOINT_URL_SESV2: urls.aws,
    // Any other service the code might call lands on the local endpoint and fails fast.
    AWS_ENDPOINT_URL: urls.aws,
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: 'local',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
    AWS_NODEJS_CONNECTION_REUSE_ENABLED: '1',
    LAMBDA_TASK_ROOT: fn.file ? resolve(fn.file, '..') : ROOT,
    LAMBDA_RUNTIME_DIR: '/var/runtime',
    _HANDLER: fn.handler,
    ...fn.env,
  };
}

/** Adds every function to the runtime and waits for one loaded container each, so the first request is not a cold start. */
export async function startFunctions(
  runtime: LambdaRuntime,
  functions: FunctionSpec[],
  opts: {
    urls: { dynamo: string; aws: string };
    region: string;
    concurrencyOf: (fn: FunctionSpec) => number;
    log: (line: string) => void;
    faultsOf?: (fn: FunctionSpec) => RuntimeFaults | undefined;
    /** keeps the functions' EMF metric lines and shortens them in the log */
    metrics?: LocalMetrics;
  },
): Promise<void> {
  const warming = functions.map((fn) =>
    runtime
      .add(fn, functionEnv(fn, opts.urls, opts.region), {
        maxConcurrency: opts.concurrencyOf(fn),
        log: opts.log,
        output: (name, line) => opts.log(`  ${name} | ${opts.metrics ? opts.metrics.observe(name, line) : line}`),
        faults: opts.faultsOf?.(fn),
      })
      .warm(),
  );
  await Promise.all(warming);
}

export interface AsyncInvoker {
  invokeAsync(fn: string, event: unknown, why: string): void;
  /** No more retries from now on. */
  stop(): void;
}

/**
 * Asynchronous invocation (rule and schedule targets): like Lambda, two retries after a
 * failure, one and two minutes apart in AWS; seconds here, so a developer sees the outcome.
 */
export function asyncInvoker(runtime: LambdaRuntime, log: (line: string) => void): AsyncInvoker {
  let stopped = false;
  const invokeAsync = (fn: string, event: unknown, why: string, attempt = 1) => {
    void runtime.invoke(fn, event).then((r) => {
      if (r.ok) return log(`${fn} (${why}) ok ${r.durationMs}ms`);
      log(`${fn} (${why}) failed (attempt ${attempt} of 3): ${r.error.errorType}: ${r.error.errorMessage}`);
      if (attempt < 3 && !stopped) setTimeout(() => !stopped && invokeAsync(fn, event, why, attempt + 1), 1000 * attempt).unref();
    });
  };
  return {
    invokeAsync: (fn, event, why) => invokeAsync(fn, event, why),
    stop: () => {
      stopped = true;
    },
  };
}
