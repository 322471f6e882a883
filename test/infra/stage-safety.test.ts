import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackIds } from '../../infra/build-app';
import { stageConfig } from '../../infra/config';
import { resourcesOfType, synthStage, type Synthesized } from './synth';

// Per-stage safety: prod deploys only to its own account and region, and keeps its data when a
// stack or a resource is deleted; the CDK entry refuses another account's credentials before
// it builds anything.
let prod: Synthesized;
let dev: Synthesized;
beforeAll(() => {
  prod = synthStage('prod');
  dev = synthStage('dev');
});
afterAll(() => {
  prod?.cleanup();
  dev?.cleanup();
});

describe('stage safety', () => {
  it("pins prod's stacks to the configured account and region; dev follows the profile", () => {
    const target = stageConfig('prod').deployTo as { account: string; region: string };
    for (const id of Object.values(stackIds('prod'))) {
      expect(prod.assembly.getStackArtifact(id).environment, id).toMatchObject({ account: target.account, region: target.region });
    }
    for (const id of Object.values(stackIds('dev'))) {
      expect(dev.assembly.getStackArtifact(id).environment.account, id).toBe('unknown-account');
    }
  });

  it('keeps every stateful resource of prod on delete and replacement', () => {
    const retained = (template: Synthesized['stateful'], type: string) => {
      const resources = Object.entries(resourcesOfType(template, type));
      expect(resources.length, type).toBeGreaterThan(0);
      for (const [id, r] of resources) {
        expect({ id, deletion: r.DeletionPolicy, replace: r.UpdateReplacePolicy }).toEqual({ id, deletion: 'Retain', replace: 'Retain' });
      }
      return resources.map(([, r]) => r);
    };
    const [table] = retained(prod.stateful, 'AWS::DynamoDB::Table');
    expect(table!.Properties).toMatchObject({ DeletionProtectionEnabled: true, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } });
    retained(prod.stateful, 'AWS::S3::Bucket');
    retained(prod.stateful, 'AWS::SecretsManager::Secret');
    const [pool] = retained(prod.api, 'AWS::Cognito::UserPool');
    expect(pool!.Properties).toMatchObject({ DeletionProtection: 'ACTIVE' });
    expect(prod.assembly.getStackArtifact(stackIds('prod').stateful).terminationProtection).toBe(true);

    // dev is disposable: the same resources go with the stack
    for (const [type, template] of [['AWS::DynamoDB::Table', dev.stateful], ['AWS::S3::Bucket', dev.stateful], ['AWS::Cognito::UserPool', dev.api]] as const) {
      for (const r of Object.values(resourcesOfType(template, type))) expect(r.DeletionPolicy, type).toBe('Delete');
    }
  });

  it('refuses to synthesize prod with credentials of another account, before building anything', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'oms-wrong-account-'));
    try {
      const run = spawnSync(join('node_modules', '.bin', 'tsx'), ['infra/app.ts'], {
        encoding: 'utf8',
        env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify({ stage: 'prod' }), CDK_DEFAULT_ACCOUNT: '999999999999', CDK_DEFAULT_REGION: 'us-east-1', CDK_OUTDIR: outdir },
        timeout: 60_000,
      });
      expect(run.status, run.stderr).toBe(1);
      expect(run.stderr).toContain('Stage prod deploys to account 222222222222 (ap-southeast-1), but the current AWS credentials are for account 999999999999');
      expect(existsSync(join(outdir, 'manifest.json'))).toBe(false);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});

describe('staff sign-in', () => {
  it('allows SRP, and the password flow only through the admin API (IAM), never the public one', () => {
    const clients = Object.values(resourcesOfType(prod.api, 'AWS::Cognito::UserPoolClient')).filter((c) => c.Properties!.ClientName === 'staff');
    expect(clients).toHaveLength(1);
    expect([...(clients[0]!.Properties!.ExplicitAuthFlows as string[])].sort()).toEqual(['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH']);
  });
});
