import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, Tags, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { metricsNamespace, type StageConfig } from '../config';

// Resolved from this file, not from process.cwd(), so the app synthesizes the same
// way from the CLI, from tests and from the local cloud whatever their working directory.
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Tag carried by every function: the step (folder) it was built from. */
export const STEP_TAG = 'oms:step';

/** Packages the Lambda runtime provides, left out of every bundle. */
export const SDK_EXTERNALS = ['@aws-sdk/*', '@smithy/*'] as const;

/** Bundles may be at most this large (index.js, minified); test/infra/bundles.test.ts holds them to it. */
export const MAX_BUNDLE_BYTES = 250 * 1024;

// json-rules-engine loads jsonpath-plus (25 KB minified) for conditions with a `path`. The
// review rules use flat facts and refuse paths (shared/domain/review-policy.ts), so bundles
// get this stand-in, which throws if it is ever reached. Relative to the project root, where esbuild runs.
const NO_JSONPATH = 'infra/constructs/no-jsonpath.ts';
// json-rules-engine's engine and rules extend eventemitter2 (19 KB minified) for on() and
// emitAsync(); Node's EventEmitter with emitAsync added stands in for it.
const ASYNC_EMITTER = 'infra/constructs/async-emitter.ts';

/** The bundling step's shell command that marks a bundle folder as CommonJS (index.js). */
const commonJsPackageJson = (outputDir: string) => `echo '{"type":"commonjs"}' > "${outputDir}/package.json"`;

export type TableAccess = 'read' | 'write' | 'readwrite';

// Item-level actions only: no table management, no streams. Transactions are
// authorized per contained item action (Put/Update/Delete/ConditionCheck).
const READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:Scan', 'dynamodb:ConditionCheckItem'];
const WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:ConditionCheckItem'];

/** A table to bind, with the names of its secondary indexes (granted by name, never `index/*`). */
export interface BindableTable {
  readonly table: ITable;
  readonly indexNames: readonly string[];
  /** The key that signs the table's list cursors: every reader of the table gets it. */
  readonly cursorSecret?: ISecret;
}

export interface OmsFunctionProps {
  readonly config: StageConfig;
  /** Names every function receives; access is granted separately by bindTable/bindBus. */
  readonly tableName: string;
  readonly eventBusName: string;
  readonly memorySize?: number;
  readonly timeout?: Duration;
  readonly environment?: Record<string, string>;
  /** Files shipped beside index.js (fonts, ...): `from` relative to the project root, `to` to the bundle folder. */
  readonly assets?: readonly BundleAsset[];
}

export interface BundleAsset {
  readonly from: string;
  readonly to: string;
}

/** The bundling step's shell commands that copy assets into the bundle folder. */
const copyAssets = (inputDir: string, outputDir: string, assets: readonly BundleAsset[]) =>
  assets.map(({ from, to }) => `mkdir -p "$(dirname "${outputDir}/${to}")" && cp "${inputDir}/${from}" "${outputDir}/${to}"`);

export function handlerEntry(step: string): string {
  return join(REPO_ROOT, 'functions', step, 'handler.ts');
}

const pascalCase = (step: string) =>
  step.replace(/(^|-)([a-z0-9])/g, (_m, _sep: string, c: string) => c.toUpperCase());

/**
 * One Lambda built from `functions/<step>/handler.ts` with the house defaults:
 * Node.js 22 on arm64, a CommonJS bundle (the AWS SDK left to the runtime) with source maps, an explicit
 * log group with the stage's retention and a role that may only write to it.
 * Every other permission comes from a bind* call, which also sets the matching
 * environment variable, so access and configuration never drift apart.
 */
export class OmsFunction extends Construct {
  readonly step: string;
  readonly fn: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;
  readonly timeout: Duration;

  constructor(scope: Construct, step: string, props: OmsFunctionProps) {
    super(scope, pascalCase(step));
    const entry = handlerEntry(step);
    if (!existsSync(entry)) {
      throw new Error(`Function "${step}" has no handler: expected functions/${step}/handler.ts`);
    }
    const { config } = props;
    this.step = step;
    this.timeout = props.timeout ?? config.functionDefaults.timeout;

    this.logGroup = new LogGroup(this, 'Logs', {
      retention: config.logRetention,
      removalPolicy: config.removalPolicy,
    });
    // Own role instead of AWSLambdaBasicExecutionRole: that managed policy may write
    // to any log group in the account, this one only to the function's own.
    this.role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    this.logGroup.grantWrite(this.role);

    this.fn = new NodejsFunction(this, 'Function', {
      entry,
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? config.functionDefaults.memorySize,
      timeout: this.timeout,
      role: this.role,
      logGroup: this.logGroup,
      // X-Ray: each invocation is a trace segment (Lambda's own); the SDK clients are not
      // instrumented (see README, Observability: the X-Ray SDK does not fit the bundle budget).
      tracing: Tracing.ACTIVE,
      awsSdkConnectionReuse: false,
      environment: {
        TABLE_NAME: props.tableName,
        EVENT_BUS_NAME: props.eventBusName,
        POWERTOOLS_SERVICE_NAME: 'oms',
        POWERTOOLS_LOG_LEVEL: config.logLevel,
        POWERTOOLS_METRICS_NAMESPACE: metricsNamespace(config.stage),
        STAGE: config.stage,
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        // esbuild from node_modules; Docker is not available on every machine that synthesizes.
        forceDockerBundling: false,
        // CommonJS (index.js): the bundle and the SDK it requires then load through Node's
        // CommonJS loader alone. An ESM bundle makes Node wrap each SDK package it imports
        // as an ES module (resolve, lex its exports, translate), which costs more than the
        // SDK's own code takes to run.
        format: OutputFormat.CJS,
        // Lambda's nodejs22.x; the local cloud runs the very same bundle on the project's own Node 22.
        target: 'node22',
        mainFields: ['module', 'main'],
        minify: true,
        sourceMap: true,
        // Maps without the sources: stack traces still name file and line, and the map that
        // Node reads at load time (--enable-source-maps) is a fraction of the size.
        sourcesContent: false,
        // Lambda's Node.js 22 runtime ships the AWS SDK v3 (every client and lib-dynamodb):
        // bundling it would add about 350 KB to each function and slow every cold start.
        // Deployed functions use the runtime's SDK release (it trails package.json a little);
        // the local cloud resolves the same imports from the project's production dependencies.
        bundleAwsSDK: false,
        externalModules: [...SDK_EXTERNALS],
        // index.meta.json beside index.js: what each bundle holds, read by the bundle-size test.
        metafile: true,
        // Warnings and errors only: esbuild's size report per bundle is noise in `npm start` and `cdk synth`.
        logLevel: LogLevel.WARNING,
        // license notes go to index.js.LEGAL.txt beside the bundle, not into it
        esbuildArgs: { '--alias:jsonpath-plus': `./${NO_JSONPATH}`, '--alias:eventemitter2': `./${ASYNC_EMITTER}`, '--legal-comments': 'external' },
        // The project's package.json says "type": "module"; this one beside index.js says what the
        // bundle is, wherever it is loaded from (Lambda, the local cloud from a cloud assembly).
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (inputDir: string, outputDir: string) => [
            commonJsPackageJson(outputDir),
            ...copyAssets(inputDir, outputDir, props.assets ?? []),
          ],
        },
      },
    });
    Tags.of(this.fn).add(STEP_TAG, step);
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords have no resource-level permissions (test/infra/stacks.test.ts allows no other action on "*").',
    });
    Validations.of(this.fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 on purpose: the project brings its own Node 22 (the `node` devDependency), so tests and the local cloud run what Lambda runs; move both together.',
    });
  }

  /** Sets TABLE_NAME and grants exactly the item-level access asked for (readers also get the cursor key). */
  bindTable({ table, indexNames, cursorSecret }: BindableTable, access: TableAccess): this {
    this.fn.addEnvironment('TABLE_NAME', table.tableName);
    if (access !== 'write' && cursorSecret) this.bindCursorSecret(cursorSecret);
    const actions = new Set<string>();
    if (access !== 'write') READ_ACTIONS.forEach((a) => actions.add(a));
    if (access !== 'read') WRITE_ACTIONS.forEach((a) => actions.add(a));
    this.role.addToPrincipalPolicy(new PolicyStatement({ actions: [...actions], resources: [table.tableArn] }));
    if (access !== 'write' && indexNames.length > 0) {
      // Indexes are read-only; name each one rather than granting `index/*`.
      this.role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['dynamodb:Query', 'dynamodb:Scan'],
          resources: indexNames.map((name) => `${table.tableArn}/index/${name}`),
        }),
      );
    }
    return this;
  }

  /**
   * Sets CURSOR_SECRET, the key that signs list cursors, as a CloudFormation dynamic
   * reference (`{{resolve:secretsmanager:...}}`): CloudFormation puts the value into
   * the function's configuration at deploy time, so it is in neither the template nor
   * the bundle, and the function needs no Secrets Manager call (or permission) at cold
   * start. The local cloud resolves the same reference to a secret it generates, so
   * function code reads CURSOR_SECRET the same way everywhere. A new value reaches
   * functions with the next deploy of their stack.
   */
  bindCursorSecret(secret: ISecret): this {
    this.fn.addEnvironment('CURSOR_SECRET', secret.secretValue.unsafeUnwrap());
    return this;
  }

  /**
   * Sets `variable` to a secret's value the way bindCursorSecret does (a CloudFormation
   * dynamic reference, resolved at deploy time; the local cloud resolves it to a secret it generates).
   */
  bindSecretValue(variable: string, secret: ISecret): this {
    this.fn.addEnvironment(variable, secret.secretValue.unsafeUnwrap());
    return this;
  }

  /** Sets EVENT_BUS_NAME and allows PutEvents on that bus only. */
  bindBus(bus: IEventBus): this {
    this.fn.addEnvironment('EVENT_BUS_NAME', bus.eventBusName);
    bus.grantPutEventsTo(this.fn);
    return this;
  }
}
