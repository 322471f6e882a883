// `npm run dynamodb` entry: prints its URL when ready, serves, and exits cleanly on SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, expect, it } from 'vitest';
import { clients } from './helpers';

let child: ChildProcess | undefined;

afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
});

it('serves until SIGTERM and prints the URL', async () => {
  child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/dynamodb/cli.ts', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child!.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child!.once('exit', (code) => reject(new Error(`exited early with ${code}`)));
  });
  const { client } = clients(url);
  expect((await client.send(new ListTablesCommand({}))).TableNames).toEqual([]);
  const exited = new Promise<number | null>((resolve) => child!.once('exit', resolve));
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
});
