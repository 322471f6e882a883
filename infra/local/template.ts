// Reads a synthesized cloud assembly (cdk.out) and turns its stack templates into
// the local cloud's model: tables, functions, queues, routes, rules and event source
// mappings. Everything the local cloud serves comes from here; nothing is listed by hand.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Resolver, type CfnResource, type CfnTemplate, type LocalNaming, type StackTemplate } from './intrinsics';

export interface Assembly {
  dir: string;
  stacks: StackTemplate[];
  /** S3 object key of each file asset -> its folder in the assembly. */
  assets: Map<string, string>;
}

interface ManifestArtifact {
  type: string;
  properties?: { templateFile?: string; stackName?: string; file?: string; directoryName?: string };
}

/** Reads manifest.json, following nested assemblies (cdk.Stage). */
export function readAssembly(dir: string): Assembly {
  const asm: Assembly = { dir, stacks: [], assets: new Map() };
  collect(dir, asm);
  if (asm.stacks.length === 0) throw new Error(`${dir}: the cloud assembly holds no stack`);
  return asm;
}

function collect(dir: string, asm: Assembly): void {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
    artifacts?: Record<string, ManifestArtifact>;
  };
  for (const [id, art] of Object.entries(manifest.artifacts ?? {})) {
    const p = art.properties ?? {};
    if (art.type === 'aws:cloudformation:stack' && p.templateFile) {
      const template = JSON.parse(readFileSync(join(dir, p.templateFile), 'utf8')) as CfnTemplate;
      asm.stacks.push({ stackName: p.stackName ?? id, template });
    } else if (art.type === 'cdk:asset-manifest' && p.file) {
      const assets = JSON.parse(readFileSync(join(dir, p.file), 'utf8')) as {
        files?: Record<string, { source: { path?: string }; destinations: Record<string, { objectKey: string }> }>;
      };
      for (const f of Object.values(assets.files ?? {})) {
        if (!f.source.path) continue;
        for (const d of Object.values(f.destinations)) asm.assets.set(d.objectKey, join(dir, f.source.path));
      }
    } else if (art.type === 'cdk:cloud-assembly' && p.directoryName) {
      collect(join(dir, p.directoryName), asm);
    }
  }
}

export interface TableSpec {
  stack: string;
  logicalId: string;
  name: string;
  keySchema: { AttributeName: string; KeyType: string }[];
  attributeDefinitions: { AttributeName: string; AttributeType: string }[];
  globalSecondaryIndexes?: any[];
  localSecondaryIndexes?: any[];
  streamViewType?: string;
  ttlAttribute?: string;
  billingMode?: string;
  provisionedThroughput?: { ReadCapacityUnits: number; WriteCapacityUnits: number };
}

export interface FunctionSpec {
  stack: string;
  logicalId: string;
  name: string;
  /** Short name for logs: the construct's id in kebab case (`PlaceOrder` -> place-order). */
  label: string;
  arn: string;
  /** Absolute path of the bundle file, and the export to call. */
  file: string;
  exportName: string;
  handler: string;
  runtime: string;
  timeoutSeconds: number;
  memoryMb: number;
  reservedConcurrency?: number;
  env: Record<string, string>;
}

export interface QueueSpec {
  stack: string;
  logicalId: string;
  name: string;
  url: string;
  arn: string;
  fifo: boolean;
  visibilityTimeoutSeconds: number;
  delaySeconds: number;
  retentionSeconds: number;
  redrive?: { deadLetterTargetArn: string; maxReceiveCount: number };
}

export type RouteAuth =
  | { type: 'NONE' }
  | { type: 'JWT'; authorizer: string; issuer: string; audience: string[]; scopes: string[]; identitySource: string[] };

export interface RouteSpec {
  logicalId: string;
  routeKey: string;
  /** HTTP method or ANY; undefined for $default. */
  method?: string;
  path?: string;
  functionName: string;
  auth: RouteAuth;
  apiId: string;
}

export interface TargetSpec {
  id: string;
  arn: string;
  kind: 'sqs' | 'lambda' | 'firehose' | 'api-destination' | 'other';
  input?: string;
  inputPath?: string;
  inputTransformer?: { InputPathsMap?: Record<string, string>; InputTemplate: string };
  /** The target's dead-letter queue (DeadLetterConfig): where undeliverable events would go. */
  deadLetterArn?: string;
  /** RetryPolicy (API destination targets: api-destinations.ts). */
  retryPolicy?: { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number };
  /** HttpParameters (API destination targets): extra headers and query string parameters. */
  httpParameters?: { HeaderParameters?: Record<string, string>; QueryStringParameters?: Record<string, string>; PathParameterValues?: string[] };
}

export interface RuleSpec {
  stack: string;
  logicalId: string;
  name: string;
  busName: string;
  pattern?: Record<string, unknown>;
  schedule?: string;
  enabled: boolean;
  targets: TargetSpec[];
}

export interface MappingSpec {
  logicalId: string;
  functionName: string;
  sourceArn: string;
  kind: 'sqs' | 'stream';
  batchSize: number;
  reportBatchItemFailures: boolean;
  filters: unknown[];
  maxRetryAttempts: number;
  bisectOnError: boolean;
  onFailureArn?: string;
  startingPosition?: string;
  maxBatchingWindowSeconds: number;
  enabled: boolean;
}

/** A Firehose delivery stream to S3 (served by firehose.ts). */
export interface DeliveryStreamSpec {
  stack: string;
  logicalId: string;
  name: string;
  arn: string;
  /** Object key prefix, with `!{timestamp:...}` expressions ('' = Firehose's default). */
  prefix: string;
  bufferIntervalSeconds: number;
  bufferSizeMb: number;
  /** GZIP, UNCOMPRESSED, ... */
  compression: string;
  /** The AppendDelimiterToRecord processor: a newline after each record. */
  appendDelimiter: boolean;
  fileExtension?: string;
}

export interface UserPoolClientSpec {
  clientId: string;
  machine: boolean;
  scopes: string[];
  /** a browser app's client: the authorization code grant (the console's, signing in through the hosted UI) */
  codeGrant?: boolean;
}

export interface CorsSpec {
  allowOrigins: string[];
  allowMethods: string[];
  allowHeaders: string[];
  exposeHeaders: string[];
  allowCredentials: boolean;
  maxAge?: number;
}

export interface CloudModel {
  tables: TableSpec[];
  functions: FunctionSpec[];
  queues: QueueSpec[];
  routes: RouteSpec[];
  rules: RuleSpec[];
  mappings: MappingSpec[];
  clients: UserPoolClientSpec[];
  cors?: CorsSpec;
  /** Names of the event buses declared in the templates (the default bus always exists). */
  buses: string[];
  deliveryStreams: DeliveryStreamSpec[];
}

type Each = (stack: string, id: string, r: CfnResource) => void;

function forEach(stacks: StackTemplate[], type: string, resolver: Resolver, fn: Each) {
  for (const s of stacks) {
    for (const [id, r] of Object.entries(s.template.Resources ?? {})) {
      if (r.Type !== type) continue;
      if (r.Condition && !resolver.condition(s.stackName, r.Condition)) continue;
      fn(s.stackName, id, r);
    }
  }
}

/** The function ARN embedded in an integration URI or target ARN (with or without alias). */
export function functionNameOfArn(arn: string): string | undefined {
  const m = /arn:aws:lambda:[^:]*:[^:]*:function:([^/:]+)/.exec(arn);
  return m?.[1];
}

export function buildModel(asm: Assembly, naming: LocalNaming): { model: CloudModel; resolver: Resolver } {
  const resolver = new Resolver(asm.stacks, naming);
  const R = (stack: string, v: unknown) => resolver.resolve(stack, v);
  const model: CloudModel = { tables: [], functions: [], queues: [], routes: [], rules: [], mappings: [], clients: [], buses: [], deliveryStreams: [] };

  forEach(asm.stacks, 'AWS::DynamoDB::Table', resolver, (stack, id, r) => {
    const p = R(stack, r.Properties ?? {});
    model.tables.push({
      stack,
      logicalId: id,
      name: resolver.physicalName(stack, id),
      keySchema: p.KeySchema,
      attributeDefinitions: p.AttributeDefinitions,
      globalSecondaryIndexes: p.GlobalSecondaryIndexes,
      localSecondaryIndexes: p.LocalSecondaryIndexes,
      streamViewType: p.StreamSpecification?.StreamViewType,
      ttlAttribute: p.TimeToLiveSpecification?.Enabled ? p.TimeToLiveSpecification.AttributeName : undefined,
      billingMode: p.BillingMode,
      provisionedThroughput: p.ProvisionedThroughput,
    });
  });

  forEach(asm.stacks, 'AWS::Events::EventBus', resolver, (stack, id) => model.buses.push(resolver.physicalName(stack, id)));

  forEach(asm.stacks, 'AWS::SQS::Queue', resolver, (stack, id, r) => {
    const p = R(stack, r.Properties ?? {});
    const redrive = typeof p.RedrivePolicy === 'string' ? JSON.parse(p.RedrivePolicy) : p.RedrivePolicy;
    model.queues.push({
      stack,
      logicalId: id,
      name: resolver.physicalName(stack, id),
      url: resolver.queueUrl(stack, id),
      arn: resolver.getAtt(stack, id, 'Arn'),
      fifo: Boolean(p.FifoQueue),
      visibilityTimeoutSeconds: Number(p.VisibilityTimeout ?? 30),
      delaySeconds: Number(p.DelaySeconds ?? 0),
      retentionSeconds: Number(p.MessageRetentionPeriod ?? 345600),
      redrive: redrive
        ? { deadLetterTargetArn: String(redrive.deadLetterTargetArn), maxReceiveCount: Number(redrive.maxReceiveCount) }
        : undefined,
    });
  });

  forEach(asm.stacks, 'AWS::Lambda::Function', resolver, (stack, id, r) => {
    const p = R(stack, r.Properties ?? {});
    // Node.js functions only: CDK's deploy-time helpers (the console's bucket deployment, in Python) do not run here.
    if (p.Runtime !== undefined && !String(p.Runtime).startsWith('nodejs')) return;
    const handler = String(p.Handler ?? 'index.handler');
    const dot = handler.lastIndexOf('.');
    const base = handler.slice(0, dot);
    const dir = p.Code?.S3Key ? asm.assets.get(String(p.Code.S3Key)) : undefined;
    const assetPath = r.Metadata?.['aws:asset:path'];
    const folder = dir ?? (assetPath ? join(asm.dir, String(assetPath)) : undefined);
    if (!folder && !p.Code?.ZipFile) throw new Error(`${stack}/${id}: no bundle folder for the function's code`);
    const file = folder
      ? (['.mjs', '.js', '.cjs'].map((ext) => join(folder, base + ext)).find((f) => existsSync(f)) ?? join(folder, `${base}.mjs`))
      : '';
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(p.Environment?.Variables ?? {})) env[k] = typeof v === 'string' ? v : JSON.stringify(v);
    // The construct id from the CDK path, else the logical id without CDK's hash suffix.
    const cdkPath = String(r.Metadata?.['aws:cdk:path'] ?? '').split('/');
    const construct = cdkPath.length > 2 ? cdkPath[1]! : id.replace(/[0-9A-F]{8}$/, '').replace(/Function$/, '') || id;
    model.functions.push({
      stack,
      logicalId: id,
      name: resolver.physicalName(stack, id),
      label: construct.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase(),
      arn: resolver.getAtt(stack, id, 'Arn'),
      file,
      exportName: handler.slice(dot + 1),
      handler,
      runtime: String(p.Runtime ?? 'nodejs22.x'),
      timeoutSeconds: Number(p.Timeout ?? 3),
      memoryMb: Number(p.MemorySize ?? 128),
      reservedConcurrency: p.ReservedConcurrentExecutions === undefined ? undefined : Number(p.ReservedConcurrentExecutions),
      env,
    });
  });

  const fnByName = new Map(model.functions.map((f) => [f.name, f]));
  const functionFromArn = (arn: string) => {
    const name = functionNameOfArn(arn) ?? arn;
    return fnByName.has(name) ? name : undefined;
  };
  const queueArns = new Set(model.queues.map((q) => q.arn));

  forEach(asm.stacks, 'AWS::KinesisFirehose::DeliveryStream', resolver, (stack, id, r) => {
    const p = R(stack, r.Properties ?? {});
    const s3 = p.ExtendedS3DestinationConfiguration ?? p.S3DestinationConfiguration;
    if (!s3) throw new Error(`${stack}/${id}: only delivery streams to S3 are emulated locally`);
    const processors: { Type: string }[] = s3.ProcessingConfiguration?.Enabled === false ? [] : (s3.ProcessingConfiguration?.Processors ?? []);
    model.deliveryStreams.push({
      stack,
      logicalId: id,
      name: resolver.physicalName(stack, id),
      arn: resolver.getAtt(stack, id, 'Arn'),
      prefix: String(s3.Prefix ?? ''),
      bufferIntervalSeconds: Number(s3.BufferingHints?.IntervalInSeconds ?? 300),
      bufferSizeMb: Number(s3.BufferingHints?.SizeInMBs ?? 5),
      compression: String(s3.CompressionFormat ?? 'UNCOMPRESSED'),
      appendDelimiter: processors.some((x) => x.Type === 'AppendDelimiterToRecord'),
      fileExtension: s3.FileExtension,
    });
  });
  const streamArns = new Set(model.deliveryStreams.map((s) => s.arn));

  forEach(asm.stacks, 'AWS::Cognito::UserPoolClient', resolver, (stack, id, r) => {
    const p = R(stack, r.Properties ?? {});
    const flows: string[] = p.AllowedOAuthFlows ?? [];
    model.clients.push({
      clientId: String(resolver.ref(stack, id)),
      machine: flows.includes('client_credentials'),
      scopes: p.AllowedOAuthScopes ?? [],
      codeGrant: flows.includes('code'),
    });
  });

  forEach(asm.stacks, 'AWS::ApiGatewayV2::Api', resolver, (stack, _id, r) => {
    const c = R(stack, r.Properties?.CorsConfiguration);
    if (!c) return;
    model.cors = {
      allowOrigins: c.AllowOrigins ?? [],
      allowMethods: c.AllowMethods ?? [],
      allowHeaders: (c.AllowHeaders ?? []).map((h: string) => h.toLowerCase()),
      exposeHeaders: c.ExposeHeaders ?? [],
      allowCredentials: Boolean(c.AllowCredentials),
      maxAge: c.MaxAge,
    };
  });

  forEach(asm.stacks, 'AWS::ApiGatewayV2::Route', resolver, (stack, id, r) => {
    const p = r.Properties ?? {};
    const routeKey = String(R(stack, p.RouteKey));
    const target = String(R(stack, p.Target ?? ''));
    const integrationId = /integrations\/(.+)$/.exec(target)?.[1];
    // Find the integration whose local id the target names.
    let functionName: string | undefined;
    const integrations = asm.stacks.find((s) => s.stackName === stack)?.template.Resources ?? {};
    for (const [iid, ir] of Object.entries(integrations)) {
      if (ir.Type !== 'AWS::ApiGatewayV2::Integration') continue;
      if (String(resolver.ref(stack, iid)) !== integrationId) continue;
      functionName = functionFromArn(String(R(stack, ir.Properties?.IntegrationUri)));
    }
    if (!functionName) throw new Error(`${stack}/${id}: route ${routeKey} has no Lambda integration the local cloud knows`);
    let auth: RouteAuth = { type: 'NONE' };
    if (p.AuthorizationType === 'JWT') {
      const authorizerId = String(R(stack, p.AuthorizerId));
      const authz = Object.entries(integrations).find(
        ([aid, ar]) => ar.Type === 'AWS::ApiGatewayV2::Authorizer' && String(resolver.ref(stack, aid)) === authorizerId,
      );
      if (!authz) throw new Error(`${stack}/${id}: route ${routeKey} names an unknown authorizer`);
      const ap = R(stack, authz[1].Properties ?? {});
      auth = {
        type: 'JWT',
        authorizer: authz[0],
        issuer: String(ap.JwtConfiguration?.Issuer ?? ''),
        audience: (ap.JwtConfiguration?.Audience ?? []).map(String),
        scopes: (R(stack, p.AuthorizationScopes) ?? []).map(String),
        identitySource: (ap.IdentitySource ?? ['$request.header.Authorization']).map(String),
      };
    } else if (p.AuthorizationType && p.AuthorizationType !== 'NONE') {
      throw new Error(`${stack}/${id}: authorization type ${p.AuthorizationType} is not emulated locally`);
    }
    const space = routeKey.indexOf(' ');
    model.routes.push({
      logicalId: id,
      routeKey,
      method: routeKey === '$default' ? undefined : routeKey.slice(0, space).toUpperCase(),
      path: routeKey === '$default' ? undefined : routeKey.slice(space + 1),
      functionName,
      auth,
      apiId: String(R(stack, p.ApiId)),
    });
  });

  const apiDestinationArns = new Set<string>();
  forEach(asm.stacks, 'AWS::Events::ApiDestination', resolver, (stack, id) => void apiDestinationArns.add(String(resolver.getAtt(stack, id, 'Arn'))));

  forEach(asm.stacks, 'AWS::Events::Rule', resolver, (stack, id, r) => {
    const p = R(stack, r.Properties ?? {});
    const bus = String(p.EventBusName ?? 'default');
    model.rules.push({
      stack,
      logicalId: id,
      name: resolver.physicalName(stack, id),
      busName: bus.startsWith('arn:') ? bus.slice(bus.lastIndexOf('/') + 1) : bus,
      pattern: typeof p.EventPattern === 'string' ? JSON.parse(p.EventPattern) : p.EventPattern,
      schedule: p.ScheduleExpression,
      enabled: (p.State ?? 'ENABLED') === 'ENABLED',
      targets: (p.Targets ?? []).map((t: any): TargetSpec => {
        const arn = String(t.Arn);
        return {
          id: String(t.Id),
          arn,
          kind: queueArns.has(arn) ? 'sqs' : functionFromArn(arn) ? 'lambda' : streamArns.has(arn) ? 'firehose' : apiDestinationArns.has(arn) ? 'api-destination' : 'other',
          input: t.Input,
          inputPath: t.InputPath,
          inputTransformer: t.InputTransformer,
          ...(t.DeadLetterConfig?.Arn ? { deadLetterArn: String(t.DeadLetterConfig.Arn) } : {}),
          ...(t.RetryPolicy ? { retryPolicy: t.RetryPolicy } : {}),
          ...(t.HttpParameters ? { httpParameters: t.HttpParameters } : {}),
        };
      }),
    });
  });

  forEach(asm.stacks, 'AWS::Lambda::EventSourceMapping', resolver, (stack, id, r) => {
    const p = R(stack, r.Properties ?? {});
    const fn = String(p.FunctionName);
    const functionName = fnByName.has(fn) ? fn : functionFromArn(fn);
    if (!functionName) throw new Error(`${stack}/${id}: event source mapping targets unknown function ${fn}`);
    const sourceArn = String(p.EventSourceArn);
    const kind = sourceArn.startsWith('arn:aws:sqs:') ? 'sqs' : sourceArn.includes(':table/') ? 'stream' : undefined;
    if (!kind) throw new Error(`${stack}/${id}: event source ${sourceArn} is not emulated locally`);
    model.mappings.push({
      logicalId: id,
      functionName,
      sourceArn,
      kind,
      batchSize: Number(p.BatchSize ?? (kind === 'sqs' ? 10 : 100)),
      reportBatchItemFailures: (p.FunctionResponseTypes ?? []).includes('ReportBatchItemFailures'),
      filters: (p.FilterCriteria?.Filters ?? []).map((f: { Pattern: string }) =>
        typeof f.Pattern === 'string' ? JSON.parse(f.Pattern) : f.Pattern,
      ),
      maxRetryAttempts: p.MaximumRetryAttempts === undefined ? -1 : Number(p.MaximumRetryAttempts),
      bisectOnError: Boolean(p.BisectBatchOnFunctionError),
      onFailureArn: p.DestinationConfig?.OnFailure?.Destination,
      startingPosition: p.StartingPosition,
      maxBatchingWindowSeconds: Number(p.MaximumBatchingWindowInSeconds ?? 0),
      enabled: p.Enabled !== false,
    });
  });

  return { model, resolver };
}
