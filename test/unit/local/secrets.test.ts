import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { localSecrets } from '../../../infra/local/secrets';

const dir = mkdtempSync(join(tmpdir(), 'oms-secrets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('local secrets', () => {
  it('gives each secret a random value of its own, kept across restarts in the data folder', () => {
    const first = localSecrets(dir);
    const a = first('arn:aws:secretsmanager:us-east-1:000000000000:secret:A-abcdef');
    const b = first('arn:aws:secretsmanager:us-east-1:000000000000:secret:B-abcdef');
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(b).not.toBe(a);
    expect(first('arn:aws:secretsmanager:us-east-1:000000000000:secret:A-abcdef')).toBe(a);
    expect(localSecrets(dir)('arn:aws:secretsmanager:us-east-1:000000000000:secret:A-abcdef')).toBe(a);
    expect(statSync(join(dir, 'secrets.json')).mode & 0o777).toBe(0o600);
  });

  it('without a data folder, makes new values for every run', () => {
    expect(localSecrets()('s')).not.toBe(localSecrets()('s'));
  });
});
