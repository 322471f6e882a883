// Secrets Manager secrets of the template, as the local cloud gives them to functions:
// each secret gets a random value of its own the first time a dynamic reference
// (`{{resolve:secretsmanager:<arn>:SecretString:::}}`) names it, kept in
// `<data>/secrets.json` so values (and whatever they signed) survive a restart; with
// no data folder (`--in-memory`, tests) they live as long as the process.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function localSecrets(dataDir?: string): (secretId: string) => string {
  const file = dataDir ? join(dataDir, 'secrets.json') : undefined;
  const values: Record<string, string> = file && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>) : {};
  return (secretId) => {
    let value = values[secretId];
    if (value === undefined) {
      value = randomBytes(32).toString('base64url');
      values[secretId] = value;
      if (file) {
        mkdirSync(dataDir!, { recursive: true });
        writeFileSync(file, JSON.stringify(values, null, 2), { mode: 0o600 });
      }
    }
    return value;
  };
}
