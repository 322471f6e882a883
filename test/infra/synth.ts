import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { buildApp, stackIds, type BuildAppOptions } from '../../infra/build-app';

export interface Synthesized {
  app: App;
  assembly: CloudAssembly;
  stateful: Template;
  /**
   * The stage's stateless part as one template: the API stack's resources and the workers
   * stack's (relay, queued and scheduled steps, dashboard), as a reader of the stage sees them.
   */
  api: Template;
  /** the API stack alone (CloudFormation's limits are per stack) */
  apiStack: Template;
  /** the workers stack alone */
  workers: Template;
  /** Removes the temporary cloud assembly. */
  cleanup(): void;
}

/**
 * Synthesizes one stage into a temporary directory, without bundling (templates are
 * what these tests inspect) and with cdk-nag on, as `cdk synth` runs it.
 */
export function synthStage(stage: string, opts: BuildAppOptions = {}): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), `oms-infra-${stage}-`));
  let app: App;
  let assembly: CloudAssembly;
  try {
    app = buildApp({ stage, outdir, bundle: false, ...opts });
    assembly = app.synth();
  } catch (error) {
    rmSync(outdir, { recursive: true, force: true });
    throw error;
  }
  const ids = stackIds(stage);
  const json = (id: string) => assembly.getStackArtifact(id).template as { Resources?: Record<string, unknown>; [k: string]: unknown };
  const template = (id: string) => Template.fromJSON(json(id));
  // The stateless stacks as one template: a reference from one to another is an import
  // there, read here as the Ref or attribute it stands for (the exports carry them).
  const statelessIds = [ids.integrations, ids.api, ids.workers];
  const exports = new Map<string, unknown>();
  for (const id of statelessIds) {
    for (const out of Object.values((json(id).Outputs ?? {}) as Record<string, { Value: unknown; Export?: { Name: string } }>)) {
      if (out.Export) exports.set(out.Export.Name, out.Value);
    }
  }
  const resolved = (id: string) => JSON.parse(JSON.stringify(json(id)), (_k, v) =>
    v && typeof v === 'object' && 'Fn::ImportValue' in v && exports.has(v['Fn::ImportValue']) ? exports.get(v['Fn::ImportValue']) : v) as ReturnType<typeof json>;
  const apiJson = resolved(ids.api);
  const stateless = Template.fromJSON({
    ...apiJson,
    Resources: Object.assign({}, ...statelessIds.map((id) => (id === ids.api ? apiJson : resolved(id)).Resources)),
  });
  return {
    app,
    assembly,
    stateful: template(ids.stateful),
    api: stateless,
    apiStack: template(ids.api),
    workers: template(ids.workers),
    cleanup: () => rmSync(outdir, { recursive: true, force: true }),
  };
}

export type CfnResource = { Type: string; Properties?: Record<string, unknown>; [key: string]: unknown };

export function resourcesOfType(template: Template, type: string): Record<string, CfnResource> {
  return template.findResources(type) as Record<string, CfnResource>;
}

/** Logical id of the Lambda built from functions/<step>/ (tagged oms:step by OmsFunction). */
export function functionIdOf(template: Template, step: string): string {
  const ids = Object.entries(resourcesOfType(template, 'AWS::Lambda::Function'))
    .filter(([, fn]) => stepOf(fn) === step)
    .map(([id]) => id);
  if (ids.length !== 1) throw new Error(`expected one function for step ${step}, found ${ids.length}`);
  return ids[0]!;
}

export function stepOf(fn: CfnResource): string | undefined {
  const tags = (fn.Properties?.Tags ?? []) as { Key: string; Value: string }[];
  return tags.find((t) => t.Key === 'oms:step')?.Value;
}

/** The IAM policy statements attached to a role (by the role's logical id). */
export function statementsOfRole(template: Template, roleId: string): Statement[] {
  return Object.values(resourcesOfType(template, 'AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties?.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap((p) => (p.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);
}

export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

export const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
