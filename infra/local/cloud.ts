// The local cloud: the synthesized template, served on localhost. It starts the local
// DynamoDB endpoint and creates the template's tables, runs every function from its
// bundle in worker threads with the environment the template gives it, serves the
// HTTP API with the JWT authorizer, and runs the bus, the queues, the stream and
// queue pollers and the scheduler. Nothing here lists a route, rule or queue by hand.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAuthorizer, type Role } from './authorizer';
import { apiDestinationsOf, LocalApiDestinations } from './api-destinations';
import { handleAwsRequest } from './aws-endpoint';
import { LocalMailbox } from './mailbox';
import { LocalBus } from './bus';
import { controlRoutes } from './control-routes';
import { consoleSite } from './console-site';
import { hostedUi } from './hosted-ui';
import type { EndpointStats } from './dynamodb';
import { startLocalDynamoThread } from './dynamodb/thread';
import { provisionTables } from './dynamodb/provision';
import { startEventSources } from './event-sources';
import { LocalFirehose } from './firehose';
import { parseLocalFaults } from './faults';
import { asyncInvoker, startFunctions } from './functions';
import { LocalMetrics } from './metrics';
import { answerClientError, gatewayProblem, handleApiRequest } from './gateway';
import { providerCredentials, writeHandshake, type ProviderCredentials } from './handshake';
import { resourcesOf, type LocalResources } from './resources';
import { LambdaRuntime } from './lambda-runtime';
import { CarrierSandbox, withCarrierSandboxUrls } from './carrier-sandbox';
import { PaymentSandbox, withSandboxUrls } from './payment-sandbox';
import { withLocalWebhookRules } from './webhooks';
import { LocalQueues } from './queues';
import { scheduledEvent, startScheduler, type Scheduler } from './scheduler';
import type { Poller } from './sqs-poller';
import { localSecrets, templateSecrets } from './secrets';
import { openStore, type CloudStore } from './store';
import { synthesize } from './synth';
import { buildModel, functionNameOfArn, readAssembly, type CloudModel, type FunctionSpec, type RuleSpec } from './template';

export type { Role } from './authorizer';
export type { LocalResources } from './resources';
export { resourcesOf } from './resources';

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
  /** Most concurrent invocations per function unless the template reserves concurrency (default DEFAULT_CONCURRENCY). */
  concurrency?: number;
  /** Where delivery streams write their objects (default <dataDir>/lake; in memory: a temporary folder removed on stop). */
  lakeDir?: string;
  /** Faults on purpose, e.g. "transaction-conflict=0.05,throttle=0.02,fail:reserve-stock=0.1,kill=0.02" (see faults.ts; env OMS_LOCAL_FAULTS also). Off by default. */
  faults?: string;
  /**
   * API destinations' waits (retry backoff, maximum event age, rate limit) times this: tests
   * use e.g. 0.001 so an hour's retry policy runs out in 3.6 s (env OMS_LOCAL_API_DESTINATION_TIME_SCALE also). Default 1.
   */
  apiDestinationTimeScale?: number;
  /**
   * Every SQS event source's batching window (MaximumBatchingWindowInSeconds) times this: tests
   * use e.g. 0.1 so the off-path steps' one-second window gathers for 100 ms (env
   * OMS_LOCAL_BATCHING_WINDOW_SCALE also). Default 1: the template's windows.
   */
  batchingWindowScale?: number;
}

export interface LocalCloud {
  apiUrl: string;
  dynamoUrl: string;
  /** The local SQS and EventBridge endpoint. */
  awsUrl: string;
  tableName: string;
  tokens: Record<Role, string>;
  /** The local stage's provider credentials, both sides (as `.oms/local.json` `providers`). */
  providers: ProviderCredentials;
  /** Signs the given JWT claims with the local authorizer's key (tests: other principals, expired tokens). */
  signClaims(claims: Record<string, unknown>): Promise<string>;
  /** The cloud assembly (cdk.out) being served. */
  assemblyDir: string;
  /** The delivery streams' objects: <lakeDir>/<stream name>/<key> (npm run query reads them). */
  lakeDir: string;
  /** Writes what the delivery streams hold in their buffers now; resolves with the objects written. */
  flushFirehose(): Promise<string[]>;
  resources(): LocalResources;
  /** Requests to the DynamoDB endpoint and the capacity they consumed, by caller (local-<function>). */
  dynamoStats(): Promise<EndpointStats>;
  /** CPU time used so far by thread, in microseconds: the main thread, the DynamoDB endpoint's thread and each function's containers (by label). */
  threadCpu(): Promise<ThreadCpu>;
  /** Invocations failed and workers killed on purpose so far, by function label (only those with faults). */
  runtimeFaults(): Record<string, { failed: number; killed: number }>;
  stop(): Promise<void>;
}

export interface ThreadCpu {
  main: number;
  dynamodb: number;
  functions: Record<string, number>;
}

/**
 * Containers per function unless the template reserves concurrency: one per core, at least two.
 * More cannot run at once; each extra one costs a cold start and warms its own JIT, and splits
 * a queue's messages into more, smaller batches. On 2 cores, 2 instead of 4 cut the CPU per order
 * from about 140 to 120 ms and placed→reserved p99 ÷ p50 from about 9 to 4 (npm run bench).
 */
export const DEFAULT_CONCURRENCY = Math.max(2, availableParallelism());

/** The model with every event source mapping's batching window times `scale` (1: as the template says). */
export function scaleBatchingWindows(model: CloudModel, scale: number): CloudModel {
  if (!(scale >= 0)) throw new Error(`batchingWindowScale must be a number ≥ 0, not ${scale}`);
  if (scale === 1) return model;
  return { ...model, mappings: model.mappings.map((m) => ({ ...m, maxBatchingWindowSeconds: m.maxBatchingWindowSeconds * scale })) };
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
  const faults = parseLocalFaults(opts.faults ?? process.env.OMS_LOCAL_FAULTS);

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
    // The delivery streams' objects; in memory they live as long as the cloud.
    const lakeDir = opts.lakeDir ? resolve(opts.lakeDir) : dataDir ? join(dataDir, 'lake') : mkdtempSync(join(tmpdir(), 'oms-lake-'));
    if (!opts.lakeDir && !dataDir) stops.push(() => rmSync(lakeDir, { recursive: true, force: true }));
    // Stopped after the AWS endpoint closes (stops run in reverse): every record it accepted is written.
    const lake: { firehose?: LocalFirehose } = {};
    stops.push(() => lake.firehose?.stop());

    // The console and /docs, built in memory on their first request (scripts/build-console.ts):
    // a cloud nobody opens them on (the clouds tests start for themselves) spends nothing on them.
    // A broken build is logged and answered at /console/, and does not stop the API.
    let site: Promise<Map<string, Uint8Array>> | undefined;
    const siteFiles = () =>
      (site ??= import('../../scripts/build-console').then((b) => b.buildConsoleSite()).then(
        (files) => new Map(files.map((f) => [f.path, f.contents])),
        (err: Error) => {
          log(`console: the build failed: ${err.message}`);
          return new Map([['console/index.html', new TextEncoder().encode(`The console did not build: ${err.message}`)]]);
        },
      ));

    // OMS_ASSEMBLY_DIR pins the assembly: the e2e setup sets it so every cloud of one test run
    // serves the same template, even if the code changes while the run goes on.
    const assemblyDir = opts.assemblyDir ?? process.env.OMS_ASSEMBLY_DIR ?? (await synthesize(ROOT, stage, log)).dir;
    const assembly = readAssembly(assemblyDir);
    const endpointsFrom = Date.now();

    // The AWS endpoint (SQS, EventBridge, SNS) must listen before the model is built (queue
    // URLs name its port); until the bus and queues exist it answers 503.
    const live: { bus?: LocalBus; queues?: LocalQueues; model?: CloudModel; api?: (req: IncomingMessage, res: ServerResponse) => void } = {};
    const secrets = localSecrets(dataDir);
    const mailbox = new LocalMailbox({ dataDir, log });
    const awsServer = createServer(
      (req, res) =>
        void handleAwsRequest(
          { bus: () => live.bus, queues: () => live.queues, queueUrl: (name) => live.model!.queues.find((q) => q.name === name)!.url, secret: (id) => secrets.find(id), log, mail: (q, r) => mailbox.handleAws(q, r) },
          req,
          res,
        ),
    );
    stops.push(() => close(awsServer));
    const awsUrl = `http://127.0.0.1:${await listen(awsServer, 0, '127.0.0.1')}`;

    // The DynamoDB endpoint, in its own thread, and the template's tables (their names need
    // nothing else), then the full model with stream ARNs.
    const dynamo = await startLocalDynamoThread({ port: 0, dataDir: dataDir ? join(dataDir, 'dynamodb') : undefined, region: REGION, log, faults: faults?.dynamo });
    stops.push(() => dynamo.stop());
    // The API port listens before the template is resolved and the functions start: the
    // API's endpoint (ApiEndpoint) and the provider base URLs name it (the payment sandbox
    // lives on it). Until the routes are wired it answers 503.
    const apiServer = createServer((req, res) => {
      if (live.api) return live.api(req, res);
      res.writeHead(503, { 'content-type': 'application/problem+json', 'retry-after': '1' });
      res.end(JSON.stringify({ type: 'about:blank', title: 'Service Unavailable', status: 503, detail: 'The local cloud is starting' }));
    });
    apiServer.on('clientError', answerClientError);
    stops.push(() => close(apiServer));
    const apiPort = await listen(apiServer, port, '127.0.0.1');
    const apiUrl = `http://localhost:${apiPort}`;
    const naming = {
      region: REGION,
      accountId: ACCOUNT_ID,
      sqsEndpoint: awsUrl,
      streamArn: (t: string) => dynamo.streams.streamArn(t),
      secretValue: (id: string) => secrets.value(id),
      apiEndpoint: apiUrl,
    };
    const first = buildModel(assembly, { ...naming, streamArn: undefined });
    // Payment provider secrets answer the handshake's credentials, also in dynamic references.
    const providers = providerCredentials(dataDir);
    secrets.setTemplate(templateSecrets(assembly.stacks, first.resolver, first.model.functions), providers);
    await provisionTables(dynamo.url, REGION, first.model.tables, log);
    await dynamo.refreshStreamArns();
    const built = buildModel(assembly, naming);
    log(`endpoints    API ${apiUrl}, SQS and events ${awsUrl}, DynamoDB ${dynamo.url} (tables created): ${((Date.now() - endpointsFrom) / 1000).toFixed(1)}s`);
    const windowScale = opts.batchingWindowScale ?? (process.env.OMS_LOCAL_BATCHING_WINDOW_SCALE ? Number(process.env.OMS_LOCAL_BATCHING_WINDOW_SCALE) : 1);
    const m = scaleBatchingWindows(built.model, windowScale);
    live.model = m;
    labels = m.functions.map((f) => [f.name, f.label]);

    const sandbox = new PaymentSandbox({ credentials: providers, apiUrl: () => apiUrl, dataDir, log });
    stops.push(() => sandbox.stop());
    const carriers = new CarrierSandbox({ credentials: providers, apiUrl: () => apiUrl, dataDir, log });
    stops.push(() => carriers.stop());

    // Queues, with the messages a previous run left in the data folder.
    const queues = new LocalQueues(m.queues, { store, log, accountId: ACCOUNT_ID });
    let restored = 0;
    for await (const { queue, msg } of store.messages()) {
      queues.restore(queue, msg);
      restored++;
    }
    live.queues = queues;

    // Functions, each with one warm container.
    const runtime = new LambdaRuntime();
    const invoke = (fn: string, event: unknown) => runtime.invoke(fn, event);
    const pollers: Poller[] = [];
    // Pollers stop taking work, invocations in flight get a short grace period, then the workers
    // go (an invocation cut short counts as failed: its messages come back and its stream records
    // are read again after a restart).
    stops.push(async () => {
      const pollersDone = Promise.all(pollers.map((p) => p.stop()));
      await runtime.stop();
      await pollersDone;
    });
    const concurrencyOf = (fn: FunctionSpec) => Math.max(1, fn.reservedConcurrency ?? opts.concurrency ?? DEFAULT_CONCURRENCY);
    const functions = m.functions.map((f) => ({ ...f, env: withLocalWebhookRules(withCarrierSandboxUrls(withSandboxUrls(f.env, apiUrl), apiUrl)) }));
    const metrics = new LocalMetrics();
    const warming = Date.now();
    await startFunctions(runtime, functions, { urls: { dynamo: dynamo.url, aws: awsUrl }, region: REGION, concurrencyOf, log, faultsOf: faults && ((f) => faults.runtime(f.label)), metrics });
    log(`functions    ${functions.length} started, one warm worker each: ${((Date.now() - warming) / 1000).toFixed(1)}s`);
    const async = asyncInvoker(runtime, log);
    stops.push(() => async.stop());

    // The event bus (with the delivery streams and API destinations its rules target), the event source mappings (queues and streams) and the schedules.
    const firehose = (lake.firehose = new LocalFirehose({ streams: m.deliveryStreams, dir: lakeDir, log }));
    const ruleArn = (rule: RuleSpec) => built.resolver.getAtt(rule.stack, rule.logicalId, 'Arn');
    const timeScale = opts.apiDestinationTimeScale ?? (process.env.OMS_LOCAL_API_DESTINATION_TIME_SCALE ? Number(process.env.OMS_LOCAL_API_DESTINATION_TIME_SCALE) : undefined);
    const apiDestinations = new LocalApiDestinations({
      destinations: apiDestinationsOf(assembly.stacks, built.resolver),
      sendToQueue: async (arn, body, attributes) => (await queues.send(arn, { body, messageAttributes: attributes }), queues.find(arn).name),
      log,
      timeScale,
    });
    stops.push(() => apiDestinations.stop());
    const bus = new LocalBus({ rules: m.rules, buses: m.buses, queues, firehose, apiDestinations, ruleArn, invokeAsync: async.invokeAsync, functionOfArn: functionNameOfArn, region: REGION, accountId: ACCOUNT_ID, log });
    live.bus = bus;
    pollers.push(...startEventSources({ model: m, queues, streams: dynamo.streams, checkpoints: store, invoke, concurrencyOf, region: REGION, log }));
    const scheduler: Scheduler = startScheduler(
      m.rules,
      (rule, at) => {
        const event = scheduledEvent(rule, ruleArn(rule), REGION, ACCOUNT_ID, at);
        log(`schedule ${rule.schedule} -> rule ${rule.logicalId}`);
        for (const t of rule.targets) bus.deliver(rule, t, event as never).catch((err) => log(`schedule ${rule.logicalId}: ${(err as Error).message}`));
      },
      log,
    );
    stops.push(() => scheduler.stop());

    // The HTTP API: /_local control routes, then the template's routes behind the JWT authorizer.
    const authorizer = await createAuthorizer(dataDir);
    const jwtAuth = m.routes.map((r) => r.auth).find((a) => a.type === 'JWT');
    const tokens = await authorizer.issueTokens(jwtAuth?.type === 'JWT' ? jwtAuth : undefined, m.clients);
    const resources = () => resourcesOf(m, (name) => concurrencyOf(m.functions.find((f) => f.name === name)!));
    const control = controlRoutes({
      model: m, resources, jwks: authorizer.jwks, ruleArn, invoke, region: REGION, accountId: ACCOUNT_ID, log,
      recycle: (fn) => runtime.get(fn).recycle(),
      firehose,
      sandbox: (req, res) => sandbox.control(req, res),
      carrierSandbox: (req, res) => carriers.control(req, res),
      metrics,
      mail: (req, res) => mailbox.control(req, res),
      bus,
      queues,
    });
    // The console signs in through the hosted UI's endpoints, for the template's code-grant client.
    const consoleClient = m.clients.find((c) => c.codeGrant);
    const staticSite = consoleSite({ files: siteFiles, stage, clientId: consoleClient?.clientId });
    const signInPages = consoleClient
      ? hostedUi({
        clientId: consoleClient.clientId,
        scopes: consoleClient.scopes,
        ttlSeconds: 3600,
        issue: (who) => authorizer.signInTokens(jwtAuth?.type === 'JWT' ? jwtAuth : undefined, { ...who, clientId: consoleClient.clientId, ttlSeconds: 3600 }),
      })
      : () => false;
    const gateway = { routes: m.routes, authorizer, invoke, accountId: ACCOUNT_ID, log, cors: m.cors };
    live.api = (req, res) => {
      if (control(req, res) || apiDestinations.control(req, res) || staticSite(req, res) || signInPages(req, res) || carriers.handle(req, res) || sandbox.handle(req, res)) return;
      handleApiRequest(gateway, req, res).catch((err) => {
        log(`HTTP ${req.method} ${req.url} crashed: ${(err as Error).stack}`);
        const a = gatewayProblem(500, 'The gateway failed');
        if (!res.headersSent) res.writeHead(500, a.headers);
        res.end(a.body);
      });
    };
    // Stop the API first, so nothing new comes in while the rest shuts down.
    stops.push(() => close(apiServer));

    if (opts.writeHandshake !== false) {
      writeHandshake(join(ROOT, '.oms', 'local.json'), { apiUrl, tokens, providers, awsUrl, dynamoUrl: dynamo.url, tableName: m.tables[0]?.name });
    }

    const inv = resources();
    log(`local cloud ready in ${Date.now() - started}ms (${dataDir ? `data in ${dataDir}` : 'in memory'}${restored ? `, ${restored} queued message(s) restored` : ''})`);
    log(`  API          ${apiUrl}  (${inv.routes.length} routes: ${inv.routes.map((r) => r.routeKey).join(', ')})`);
    log(`  DynamoDB     ${dynamo.url}  (tables: ${inv.tables.map((t) => t.name).join(', ')})`);
    log(`  SQS, events  ${awsUrl}  (queues: ${inv.queues.map((x) => x.name).join(', ')}; rules: ${inv.rules.length})`);
    log(`  pollers      ${inv.eventSourceMappings.map((x) => `${x.kind}->${x.function}`).join(', ') || 'none'}; schedules: ${inv.schedules.length}`);
    if (m.deliveryStreams.length > 0) {
      log(`  lake         ${lakeDir}  (${m.deliveryStreams.map((d) => `${d.name}: every ${d.bufferIntervalSeconds}s or ${d.bufferSizeMb} MiB`).join(', ')}; POST ${apiUrl}/_local/firehose/flush)`);
    }
    log(`  console      ${apiUrl}/console/   API reference ${apiUrl}/docs/${consoleClient ? `   sign-in ${apiUrl}/_local/auth/oauth2/authorize (the hosted UI's stand-in)` : ''}`);
    log(`  resources    ${apiUrl}/_local/resources (what is served)   JWKS ${apiUrl}/_local/jwks.json   metrics ${apiUrl}/_local/metrics`);
    log(`  flow         ${apiUrl}/_local/events[?detail-type=]   ${apiUrl}/_local/queues   ${apiUrl}/_local/queues/<name>/dead-letters`);
    log(`  payments     sandbox ${apiUrl}/_sandbox/{stripe,alipay/gateway.do,wechatpay}   callbacks ${apiUrl}/_local/sandbox/callbacks`);
    log(`  mail         SES v2 SendEmail kept, not delivered: ${apiUrl}/_local/mail[?to=<address>]`);
    for (const d of apiDestinations.views()) log(`  api dest.    ${d.name} -> ${d.method} ${d.endpoint} (${d.auth.kind}; ${apiUrl}/_local/api-destinations)`);
    log(`  carriers     sandbox ${apiUrl}/_sandbox/carriers/{sandbox,easypost,kuaidi100}   parcels ${apiUrl}/_local/sandbox/carriers`);
    if (faults) log(`  faults       ${faults.spec}`);
    if (opts.writeHandshake !== false) log(`  dev tokens   .oms/local.json (tokens.<role>: storefront, ops, cs, finance, admin)`);

    return {
      apiUrl,
      dynamoUrl: dynamo.url,
      awsUrl,
      tableName: m.tables[0]?.name ?? '',
      tokens,
      providers,
      signClaims: (claims) => authorizer.signClaims(claims),
      assemblyDir,
      lakeDir,
      flushFirehose: () => firehose.flush(),
      resources,
      dynamoStats: () => dynamo.stats(),
      threadCpu: async () => {
        const { user, system } = process.threadCpuUsage();
        const fns = await Promise.all(m.functions.map(async (f) => [f.label, await runtime.get(f.name).cpuMicros()] as const));
        return { main: user + system, dynamodb: await dynamo.cpuMicros(), functions: Object.fromEntries(fns) };
      },
      runtimeFaults: () =>
        Object.fromEntries(m.functions.filter((f) => faults?.runtime(f.label)).map((f) => [f.label, { ...runtime.get(f.name).injected }])),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
