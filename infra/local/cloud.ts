// The local cloud: the synthesized template, served on localhost. It starts the local
// DynamoDB endpoint and creates the template's tables, runs every function from its
// bundle in worker threads with the environment the template gives it, serves the
// HTTP API with the JWT authorizer, and runs the bus, the queues, the stream and
// queue pollers and the scheduler. Nothing here lists a route, rule or queue by hand.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateTableCommand, DescribeTableCommand, DescribeTimeToLiveCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { createAuthorizer, type Role } from './authorizer';
import { handleAwsRequest } from './aws-endpoint';
import { LocalBus } from './bus';
import { startLocalDynamo, type LocalDynamo } from './dynamodb';
import { answerClientError, gatewayProblem, handleApiRequest } from './gateway';
import { providerCredentials, writeHandshake } from './handshake';
import { LambdaRuntime } from './lambda-runtime';
import { LocalQueues } from './queues';
import { scheduledEvent, startScheduler, type Scheduler } from './scheduler';
import { startSqsPoller, type Poller } from './sqs-poller';
import { localSecrets } from './secrets';
import { openStore, type CloudStore } from './store';
import { startStreamPoller } from './stream-poller';
import { synthesize } from './synth';
import { buildModel, functionNameOfArn, readAssembly, type CloudModel, type FunctionSpec, type TableSpec } from './template';

export type { Role } from './authorizer';

export interface LocalCloudOptions {
  /** API port, default env PORT or 3000; 0 = random. */
  port?: number;
  /** Default .oms/data. */
  dataDir?: string;
  inMemory?: boolean;
  stage?: string;
  log?: (line: string) => void;
  /** Write .oms/local.json (default true). */
  writeHandshake?: boolean;
  /** Serve this cloud assembly instead of synthesizing the app (a cdk.out folder; env OMS_ASSEMBLY_DIR also). */
  assemblyDir?: string;
  /** Most concurrent invocations per function unless the template reserves concurrency (default 4). */
  concurrency?: number;
}

export interface LocalInventory {
  routes: { logicalId: string; routeKey: string; function: string; auth: string }[];
  rules: { logicalId: string; name: string; bus: string; pattern?: unknown; schedule?: string; targets: { id: string; kind: string; arn: string }[] }[];
  queues: { logicalId: string; name: string; url: string; deadLetterQueue?: string; maxReceiveCount?: number }[];
  eventSourceMappings: { logicalId: string; kind: 'sqs' | 'stream'; function: string; source: string; batchSize: number }[];
  schedules: { logicalId: string; expression: string }[];
  functions: { logicalId: string; name: string; timeoutSeconds: number; concurrency: number }[];
  tables: { logicalId: string; name: string }[];
}

export interface LocalCloud {
  apiUrl: string;
  dynamoUrl: string;
  /** The local SQS and EventBridge endpoint. */
  awsUrl: string;
  tableName: string;
  tokens: Record<Role, string>;
  /** Signs the given JWT claims with the local authorizer's key (tests: other principals, expired tokens). */
  signClaims(claims: Record<string, unknown>): Promise<string>;
  /** The cloud assembly (cdk.out) being served. */
  assemblyDir: string;
  inventory(): LocalInventory;
  stop(): Promise<void>;
}

const REGION = 'us-east-1';
const ACCOUNT_ID = '000000000000';
const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

/** The longest any one step of stop() may take (the functions' own stop takes about 7 s at most). */
const STOP_STEP_LIMIT_MS = 15_000;

const stamp = () => new Date().toISOString().slice(11, 23);
const defaultLog = (line: string) => console.log(`${stamp()} ${line}`);

async function listen(server: Server, port: number, host: string): Promise<number> {
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      ok();
    });
  });
  return (server.address() as AddressInfo).port;
}

async function close(server: Server | undefined): Promise<void> {
  if (!server?.listening) return;
  await new Promise<void>((ok) => {
    server.close(() => ok());
    server.closeAllConnections();
  });
}

async function ensureTable(client: DynamoDBClient, t: TableSpec, log: (line: string) => void): Promise<void> {
  let exists = true;
  try {
    await client.send(new DescribeTableCommand({ TableName: t.name }));
  } catch (err) {
    if ((err as Error).name !== 'ResourceNotFoundException') throw err;
    exists = false;
  }
  if (!exists) {
    const provisioned = t.billingMode !== 'PAY_PER_REQUEST';
    const throughput = t.provisionedThroughput ?? { ReadCapacityUnits: 5, WriteCapacityUnits: 5 };
    await client.send(
      new CreateTableCommand({
        TableName: t.name,
        KeySchema: t.keySchema as never,
        AttributeDefinitions: t.attributeDefinitions as never,
        BillingMode: provisioned ? 'PROVISIONED' : 'PAY_PER_REQUEST',
        ...(provisioned ? { ProvisionedThroughput: throughput } : {}),
        GlobalSecondaryIndexes: t.globalSecondaryIndexes?.map((g) => ({
          IndexName: g.IndexName,
          KeySchema: g.KeySchema,
          Projection: g.Projection,
          ...(provisioned ? { ProvisionedThroughput: g.ProvisionedThroughput ?? throughput } : {}),
        })),
        LocalSecondaryIndexes: t.localSecondaryIndexes,
        StreamSpecification: t.streamViewType ? { StreamEnabled: true, StreamViewType: t.streamViewType as never } : undefined,
      }),
    );
    log(`table ${t.name} created`);
  }
  for (let i = 0; ; i++) {
    const d = await client.send(new DescribeTableCommand({ TableName: t.name }));
    if (d.Table?.TableStatus === 'ACTIVE') break;
    if (i > 200) throw new Error(`table ${t.name} did not become ACTIVE`);
    await new Promise((r) => setTimeout(r, 50));
  }
  if (t.ttlAttribute) {
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: t.name }));
    if (ttl.TimeToLiveDescription?.TimeToLiveStatus !== 'ENABLED') {
      await client.send(new UpdateTimeToLiveCommand({ TableName: t.name, TimeToLiveSpecification: { AttributeName: t.ttlAttribute, Enabled: true } }));
    }
  }
}

/** What a function's worker sees as process.env: the template's variables plus the runtime's. */
function functionEnv(fn: FunctionSpec, urls: { dynamo: string; aws: string }): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    TZ: 'UTC',
    LANG: 'en_US.UTF-8',
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_SESSION_TOKEN: 'local',
    // Keep the developer's own AWS profile and config out of the functions.
    AWS_CONFIG_FILE: join(ROOT, '.oms', 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(ROOT, '.oms', 'no-aws-credentials'),
    AWS_ENDPOINT_URL_DYNAMODB: urls.dynamo,
    AWS_ENDPOINT_URL_DYNAMODB_STREAMS: urls.dynamo,
    AWS_ENDPOINT_URL_SQS: urls.aws,
    AWS_ENDPOINT_URL_EVENTBRIDGE: urls.aws,
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

export function inventoryOf(model: CloudModel, concurrencyOf: (fn: string) => number): LocalInventory {
  const queueByArn = new Map(model.queues.map((q) => [q.arn, q]));
  return {
    routes: model.routes.map((r) => ({ logicalId: r.logicalId, routeKey: r.routeKey, function: r.functionName, auth: r.auth.type })),
    rules: model.rules.map((r) => ({
      logicalId: r.logicalId,
      name: r.name,
      bus: r.busName,
      pattern: r.pattern,
      schedule: r.schedule,
      targets: r.targets.map((t) => ({ id: t.id, kind: t.kind, arn: t.arn })),
    })),
    queues: model.queues.map((q) => ({
      logicalId: q.logicalId,
      name: q.name,
      url: q.url,
      deadLetterQueue: q.redrive ? queueByArn.get(q.redrive.deadLetterTargetArn)?.name : undefined,
      maxReceiveCount: q.redrive?.maxReceiveCount,
    })),
    eventSourceMappings: model.mappings.map((m) => ({ logicalId: m.logicalId, kind: m.kind, function: m.functionName, source: m.sourceArn, batchSize: m.batchSize })),
    schedules: model.rules.filter((r) => r.schedule).map((r) => ({ logicalId: r.logicalId, expression: r.schedule! })),
    functions: model.functions.map((f) => ({ logicalId: f.logicalId, name: f.name, timeoutSeconds: f.timeoutSeconds, concurrency: concurrencyOf(f.name) })),
    tables: model.tables.map((t) => ({ logicalId: t.logicalId, name: t.name })),
  };
}

export async function startLocalCloud(opts: LocalCloudOptions = {}): Promise<LocalCloud> {
  const started = Date.now();
  const rawLog = opts.log ?? defaultLog;
  // Logs name functions by their short label (place-order), not their physical name.
  let labels: [string, string][] = [];
  const log = (line: string) => rawLog(labels.reduce((l, [name, label]) => (l.includes(name) ? l.split(name).join(label) : l), line));
  const stage = opts.stage ?? 'dev';
  const inMemory = opts.inMemory ?? false;
  const dataDir = inMemory ? undefined : resolve(opts.dataDir ?? join(ROOT, '.oms', 'data'));
  const port = opts.port ?? (process.env.PORT ? Number(process.env.PORT) : 3000);

  // Everything started so far, stopped in reverse order (also when startup fails half-way).
  // Each step is bounded, so one that hangs cannot keep the rest (ports, files) open.
  const stops: (() => Promise<void> | void)[] = [];
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      for (const [i, s] of stops.reverse().entries()) {
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), STOP_STEP_LIMIT_MS)));
        try {
          if ((await Promise.race([Promise.resolve(s()), late])) === 'late') {
            log(`stop: step ${i + 1} of ${stops.length} did not finish in ${STOP_STEP_LIMIT_MS / 1000}s; going on`);
          }
        } catch (err) {
          log(`stop: ${(err as Error).message}`);
        } finally {
          clearTimeout(timer);
        }
      }
    })());

  try {
    // Our own state first: its LevelDB lock keeps two clouds off the same data folder.
    const store: CloudStore = await openStore(dataDir ? join(dataDir, 'cloud') : undefined);
    stops.push(() => store.close());

    // OMS_ASSEMBLY_DIR pins the assembly: the e2e setup sets it so every cloud of one test run
    // serves the same template, even if the code changes while the run goes on.
    const assemblyDir = opts.assemblyDir ?? process.env.OMS_ASSEMBLY_DIR ?? (await synthesize(ROOT, stage, log)).dir;
    const assembly = readAssembly(assemblyDir);

    // The AWS endpoint must listen before the model is built (queue URLs name its port);
    // until the bus and queues exist it answers 503.
    const live: { bus?: LocalBus; queues?: LocalQueues; model?: CloudModel } = {};
    const awsServer = createServer(
      (req, res) =>
        void handleAwsRequest(
          { bus: () => live.bus, queues: () => live.queues, queueUrl: (name) => live.model!.queues.find((q) => q.name === name)!.url, log },
          req,
          res,
        ),
    );
    stops.push(() => close(awsServer));
    const awsPort = await listen(awsServer, 0, '127.0.0.1');
    const awsUrl = `http://127.0.0.1:${awsPort}`;

    const dynamo: LocalDynamo = await startLocalDynamo({ port: 0, dataDir: dataDir ? join(dataDir, 'dynamodb') : undefined, region: REGION, log });
    stops.push(() => dynamo.stop());

    // Tables first (their names need nothing else), then the full model with stream ARNs.
    const naming = {
      region: REGION, accountId: ACCOUNT_ID, sqsEndpoint: awsUrl, streamArn: (t: string) => dynamo.streams.streamArn(t),
      secretValue: localSecrets(dataDir),
    };
    const ddb = new DynamoDBClient({ endpoint: dynamo.url, region: REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    for (const t of buildModel(assembly, { ...naming, streamArn: undefined }).model.tables) await ensureTable(ddb, t, log);
    ddb.destroy();
    const built = buildModel(assembly, naming);
    const m = built.model;
    live.model = m;
    labels = m.functions.map((f) => [f.name, f.label]);

    const queues = new LocalQueues(m.queues, { store, log, accountId: ACCOUNT_ID });
    let restored = 0;
    for await (const { queue, msg } of store.messages()) {
      queues.restore(queue, msg);
      restored++;
    }
    const q = queues;
    live.queues = queues;

    const runtime = new LambdaRuntime();
    const pollers: Poller[] = [];
    // Pollers stop taking work, invocations in flight get a short grace period, then the workers
    // go (an invocation cut short counts as failed: its messages come back and its stream records
    // are read again after a restart).
    stops.push(async () => {
      const pollersDone = Promise.all(pollers.map((p) => p.stop()));
      await runtime.stop();
      await pollersDone;
    });
    const concurrencyOf = (fn: FunctionSpec) => Math.max(1, fn.reservedConcurrency ?? opts.concurrency ?? 4);
    const warming: Promise<void>[] = [];
    for (const fn of m.functions) {
      const pool = runtime.add(fn, functionEnv(fn, { dynamo: dynamo.url, aws: awsUrl }), {
        maxConcurrency: concurrencyOf(fn),
        log,
        output: (name, line) => log(`  ${name} | ${line}`),
      });
      warming.push(pool.warm());
    }
    // One loaded container per function before "ready", so the first request is not a cold start.
    await Promise.all(warming);
    // Asynchronous invocation (rule and schedule targets): like Lambda, two retries after a
    // failure, one and two minutes apart in AWS; seconds here, so a developer sees the outcome.
    let stopped = false;
    stops.push(() => {
      stopped = true;
    });
    const invokeAsync = (fn: string, event: unknown, why: string, attempt = 1) => {
      void runtime.invoke(fn, event).then((r) => {
        if (r.ok) return log(`${fn} (${why}) ok ${r.durationMs}ms`);
        log(`${fn} (${why}) failed (attempt ${attempt} of 3): ${r.error.errorType}: ${r.error.errorMessage}`);
        if (attempt < 3 && !stopped) setTimeout(() => !stopped && invokeAsync(fn, event, why, attempt + 1), 1000 * attempt).unref();
      });
    };
    const functionOfArn = (arn: string) => functionNameOfArn(arn);

    const theBus = new LocalBus({ rules: m.rules, buses: m.buses, queues: q, invokeAsync, functionOfArn, region: REGION, accountId: ACCOUNT_ID, log });
    live.bus = theBus;

    for (const mapping of m.mappings) {
      const fn = m.functions.find((f) => f.name === mapping.functionName)!;
      if (mapping.kind === 'sqs') {
        pollers.push(startSqsPoller({ mapping, queues: q, invoke: (n, e) => runtime.invoke(n, e), region: REGION, concurrency: concurrencyOf(fn), log }));
      } else {
        pollers.push(
          startStreamPoller({
            mapping,
            streams: dynamo.streams,
            streamArn: mapping.sourceArn,
            checkpoints: store,
            invoke: (n, e) => runtime.invoke(n, e),
            onFailure: async (arn, body) => {
              if (arn.startsWith('arn:aws:sqs:')) await q.send(arn, { body });
              else log(`WARNING on-failure destination ${arn} is not emulated locally`);
            },
            functionArn: fn.arn,
            log,
          }),
        );
      }
    }

    const fireSchedule = (rule: (typeof m.rules)[number], at: Date) => {
      const event = scheduledEvent(rule, built.resolver.getAtt(rule.stack, rule.logicalId, 'Arn'), REGION, ACCOUNT_ID, at);
      log(`schedule ${rule.schedule} -> rule ${rule.logicalId}`);
      return Promise.all(
        rule.targets.map((t) => theBus.deliver(rule, t, event as never).catch((err) => log(`schedule ${rule.logicalId}: ${(err as Error).message}`))),
      );
    };
    const scheduler: Scheduler = startScheduler(m.rules, (rule, at) => void fireSchedule(rule, at), log);
    stops.push(() => scheduler.stop());

    const authorizer = await createAuthorizer(dataDir);
    const jwtAuth = m.routes.map((r) => r.auth).find((a) => a.type === 'JWT');
    const tokens = await authorizer.issueTokens(jwtAuth?.type === 'JWT' ? jwtAuth : undefined, m.clients);
    const inventory = () => inventoryOf(m, (name) => concurrencyOf(m.functions.find((f) => f.name === name)!));

    const internal = (req: IncomingMessage, res: ServerResponse): boolean => {
      const path = (req.url ?? '/').split('?')[0];
      const reply = (value: unknown) => {
        const body = JSON.stringify(value, null, 2);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(body);
        return true;
      };
      if (req.method === 'GET' && path === '/_local/inventory') return reply(inventory());
      if (req.method === 'GET' && path === '/_local/jwks.json') return reply(authorizer.jwks);
      // Fire a scheduled rule now (by its logical id or its target function's name), for
      // demos and tests that should not wait for the next tick; answers once delivered.
      const run = /^\/_local\/schedules\/([^/]+)\/run$/.exec(path ?? '');
      if (req.method === 'POST' && run) {
        const wanted = decodeURIComponent(run[1]!);
        const rule = m.rules.find(
          (r) => r.schedule && (r.logicalId === wanted || r.targets.some((t) => functionNameOfArn(t.arn) === wanted || m.functions.some((f) => f.arn === t.arn && f.label === wanted))),
        );
        if (!rule) {
          res.writeHead(404, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ message: `no scheduled rule ${wanted}` }));
          return true;
        }
        // Invoked synchronously (a schedule's own delivery is asynchronous), so the caller
        // sees the job's effects as soon as this answers.
        const event = scheduledEvent(rule, built.resolver.getAtt(rule.stack, rule.logicalId, 'Arn'), REGION, ACCOUNT_ID, new Date());
        log(`schedule ${rule.schedule} -> rule ${rule.logicalId} (run on request)`);
        const invoked = rule.targets.map((t) => functionNameOfArn(t.arn)).filter((n): n is string => Boolean(n));
        Promise.all(invoked.map((n) => runtime.invoke(n, event)))
          .then((results) => reply({ fired: rule.logicalId, schedule: rule.schedule, results }))
          .catch((err: Error) => {
            res.writeHead(500, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ message: err.message }));
          });
        return true;
      }
      return false;
    };
    const apiServer = createServer((req, res) => {
      if (internal(req, res)) return;
      handleApiRequest({ routes: m.routes, authorizer, invoke: (n, e) => runtime.invoke(n, e), accountId: ACCOUNT_ID, log, cors: m.cors }, req, res).catch((err) => {
        log(`HTTP ${req.method} ${req.url} crashed: ${(err as Error).stack}`);
        const a = gatewayProblem(500, 'The gateway failed');
        if (!res.headersSent) res.writeHead(500, a.headers);
        res.end(a.body);
      });
    });
    apiServer.on('clientError', answerClientError);
    // Stop the API first, so nothing new comes in while the rest shuts down.
    stops.push(() => close(apiServer));
    const apiPort = await listen(apiServer, port, '127.0.0.1');
    const apiUrl = `http://localhost:${apiPort}`;

    if (opts.writeHandshake !== false) {
      writeHandshake(join(ROOT, '.oms', 'local.json'), { apiUrl, tokens, providers: providerCredentials(dataDir) });
    }

    const inv = inventory();
    log(`local cloud ready in ${Date.now() - started}ms (${dataDir ? `data in ${dataDir}` : 'in memory'}${restored ? `, ${restored} queued message(s) restored` : ''})`);
    log(`  API          ${apiUrl}  (${inv.routes.length} routes: ${inv.routes.map((r) => r.routeKey).join(', ')})`);
    log(`  DynamoDB     ${dynamo.url}  (tables: ${inv.tables.map((t) => t.name).join(', ')})`);
    log(`  SQS, events  ${awsUrl}  (queues: ${inv.queues.map((x) => x.name).join(', ')}; rules: ${inv.rules.length})`);
    log(`  pollers      ${inv.eventSourceMappings.map((x) => `${x.kind}->${x.function}`).join(', ') || 'none'}; schedules: ${inv.schedules.length}`);
    log(`  inventory    ${apiUrl}/_local/inventory   JWKS ${apiUrl}/_local/jwks.json`);
    if (opts.writeHandshake !== false) log(`  dev tokens   .oms/local.json (tokens.<role>: storefront, ops, cs, finance, admin)`);

    return {
      apiUrl,
      dynamoUrl: dynamo.url,
      awsUrl,
      tableName: m.tables[0]?.name ?? '',
      tokens,
      signClaims: (claims) => authorizer.signClaims(claims),
      assemblyDir,
      inventory,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
