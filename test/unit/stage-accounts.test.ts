import { describe, expect, it } from 'vitest';
import { checkDeployAccount, PLACEHOLDER_ACCOUNTS, stackEnv, STAGES, stageConfig } from '../../infra/config';

// Which account and region each stage deploys to, and the check that stops a deploy made with
// another account's credentials before anything changes.
describe('stage accounts', () => {
  it('pins staging and prod to an account and region; dev follows the profile', () => {
    for (const stage of ['staging', 'prod'] as const) {
      const target = stageConfig(stage).deployTo;
      expect(target, stage).toEqual({ account: expect.stringMatching(/^\d{12}$/), region: expect.stringMatching(/^[a-z]{2}-[a-z]+-\d$/) });
    }
    expect(stageConfig('dev').deployTo).toBe('profile');
    // staging and prod never share an account
    expect(new Set(STAGES.map((s) => JSON.stringify(stageConfig(s).deployTo))).size).toBe(STAGES.length);
  });

  it("gives a pinned stage's stacks its account and region whatever the profile says", () => {
    const prod = stageConfig('prod');
    const env = { CDK_DEFAULT_ACCOUNT: '999999999999', CDK_DEFAULT_REGION: 'us-west-2' };
    expect(stackEnv(prod, env)).toEqual(prod.deployTo);
    expect(stackEnv(stageConfig('dev'), env)).toEqual({ account: '999999999999', region: 'us-west-2' });
    // no credentials (an offline synth, the local cloud): an environment-agnostic dev
    expect(stackEnv(stageConfig('dev'), {})).toEqual({});
  });

  it('refuses credentials of another account for a pinned stage, naming both accounts', () => {
    const prod = stageConfig('prod');
    expect(() => checkDeployAccount(prod, { CDK_DEFAULT_ACCOUNT: '999999999999' })).toThrow(
      /Stage prod deploys to account 222222222222 \(ap-southeast-1\), but the current AWS credentials are for account 999999999999: nothing was deployed/,
    );
    // the shipped ids are placeholders, and the message says where to put the real one
    expect(PLACEHOLDER_ACCOUNTS.prod).toBe('222222222222');
    expect(() => checkDeployAccount(prod, { CDK_DEFAULT_ACCOUNT: '999999999999' })).toThrow(/placeholder: put the prod account id in infra\/config\.ts/);
    // the staging profile cannot deploy prod either
    expect(() => checkDeployAccount(prod, { CDK_DEFAULT_ACCOUNT: PLACEHOLDER_ACCOUNTS.staging })).toThrow(/Stage prod .* for account 111111111111/);
  });

  it('lets the right account, an offline synth and dev through', () => {
    expect(() => checkDeployAccount(stageConfig('prod'), { CDK_DEFAULT_ACCOUNT: '222222222222' })).not.toThrow();
    expect(() => checkDeployAccount(stageConfig('prod'), {})).not.toThrow();
    expect(() => checkDeployAccount(stageConfig('dev'), { CDK_DEFAULT_ACCOUNT: '999999999999' })).not.toThrow();
  });
});
