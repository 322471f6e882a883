import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { stackEnv, stageConfig } from './config';
import { alarmNamesOf, ApiStack } from './stacks/api-stack';
import { IntegrationsStack } from './stacks/integrations-stack';
import { EdgeStack } from './stacks/edge-stack';
import { consoleBuild } from './constructs/console-site';
import { REPO_ROOT } from './constructs/oms-function';
import { ConsoleStack } from './stacks/console-stack';
import { StatefulStack } from './stacks/stateful-stack';
import { WorkersStack } from './stacks/workers-stack';

export interface BuildAppOptions {
  /** dev | staging | prod; defaults to the `stage` context (cdk.json: dev). */
  stage?: string;
  /** Cloud assembly directory; defaults to the CLI's (cdk.out). */
  outdir?: string;
  /** Extra CDK context. */
  context?: Record<string, unknown>;
  /**
   * Bundle function code (default true). Tests that only inspect templates turn it
   * off: asset hashes then stand in for bundles and synthesis takes seconds.
   */
  bundle?: boolean;
  /** Run the cdk-nag AwsSolutions pack during synthesis (default true). */
  nag?: boolean;
  /**
   * CDK's built-in check of templates against CloudFormation's resource schemas.
   * It reports warnings only and takes several seconds, so it runs by default under
   * the CDK CLI (`cdk synth`, `cdk deploy`) and not in programmatic builds (tests,
   * the local cloud) unless asked for.
   */
  cfnValidation?: boolean;
}

export const stackIds = (stage: string) => ({
  stateful: `Oms-${stage}-Stateful`,
  api: `Oms-${stage}-Api`,
  integrations: `Oms-${stage}-Integrations`,
  workers: `Oms-${stage}-Workers`,
  edge: `Oms-${stage}-Edge`,
  console: `Oms-${stage}-Console`,
});

export function buildApp(opts: BuildAppOptions = {}): App {
  const context: Record<string, unknown> = {
    // Exports from the stateful stack stay protected while the API stack uses them.
    '@aws-cdk/core:defaultCrossStackReferences': 'strong',
    ...opts.context,
  };
  // An empty list of stacks to bundle makes CDK skip bundling for all of them.
  if (opts.bundle === false) context['aws:cdk:bundling-stacks'] = [];
  const app = new App({
    ...(opts.outdir ? { outdir: opts.outdir } : {}),
    context,
    // The CLI passes its output directory in CDK_OUTDIR.
    builtinCloudFormationValidation: opts.cfnValidation ?? process.env.CDK_OUTDIR !== undefined,
  });

  const config = stageConfig(opts.stage ?? app.node.tryGetContext('stage') ?? 'dev');
  const ids = stackIds(config.stage);
  const description = `OMS (${config.stage})`;
  const tags = { project: 'oms', stage: config.stage };
  // A pinned account and region: the CDK CLI refuses other credentials for these stacks.
  const env = stackEnv(config);

  const stateful = new StatefulStack(app, ids.stateful, {
    stackName: ids.stateful,
    env,
    description: `${description}: table and event bus`,
    tags,
    terminationProtection: config.table.deletionProtection,
    config,
  });
  const integrations = new IntegrationsStack(app, ids.integrations, {
    stackName: ids.integrations,
    env,
    description: `${description}: integrations (webhook subscriptions and deliveries)`,
    tags,
    config,
    table: stateful.table,
    bus: stateful.bus,
    cursorSecret: stateful.cursorSecret,
    webhookSecretKey: stateful.webhookSecretKey,
  });
  const api = new ApiStack(app, ids.api, {
    stackName: ids.api,
    env,
    description: `${description}: HTTP API, auth, functions, queues and rules`,
    tags,
    config,
    table: stateful.table,
    bus: stateful.bus,
    cursorSecret: stateful.cursorSecret,
    receiptSecret: stateful.receiptSecret,
    providerSecrets: stateful.providerSecrets,
    carrierSecrets: stateful.carrierSecrets,
    externalFunctions: integrations.functions,
  });
  new WorkersStack(app, ids.workers, {
    stackName: ids.workers,
    env,
    description: `${description}: outbox relay, queued and scheduled steps, the dashboard`,
    tags,
    config,
    table: stateful.table,
    bus: stateful.bus,
    cursorSecret: stateful.cursorSecret,
    providerSecrets: stateful.providerSecrets,
    carrierSecrets: stateful.carrierSecrets,
    alarmTopic: api.alarmTopic,
    httpApi: api.httpApi,
    publicUrl: api.publicUrl,
    otherAlarmNames: [...alarmNamesOf(integrations), ...api.alarmNames],
  });

  new EdgeStack(app, ids.edge, {
    stackName: ids.edge,
    // the stage's account; the region is us-east-1 whatever the stage's (EdgeStack)
    env,
    description: `${description}: public edge (CloudFront and WAF rate rules in front of the HTTP API)`,
    tags,
    config,
  });

  new ConsoleStack(app, ids.console, {
    stackName: ids.console,
    env,
    description: `${description}: the staff console's files`,
    tags,
    config,
    api,
    build: consoleBuild(REPO_ROOT),
  });

  if (opts.nag !== false) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return app;
}
