// Global setup of the e2e project: ONE in-memory local cloud for the whole run, on a
// random port, started from the synthesized template and stopped when the run ends.
import type { TestProject } from 'vitest/node';
import { startLocalCloud } from '../../infra/local/cloud';

export default async function setup({ provide }: TestProject) {
  const lines: string[] = [];
  const verbose = Boolean(process.env.OMS_LOCAL_LOG);
  const cloud = await startLocalCloud({
    port: 0,
    inMemory: true,
    writeHandshake: false,
    // Quiet by default; OMS_LOCAL_LOG=1 prints the local cloud's log, and the tail is printed on failure to start.
    log: (line) => (verbose ? console.log(line) : lines.push(line) > 2000 && lines.splice(0, 1000)),
  }).catch((err: unknown) => {
    console.error(lines.slice(-50).join('\n'));
    throw err;
  });
  // Clouds the tests start themselves (restart.test.ts) serve the same assembly, without a second synthesis.
  process.env.OMS_ASSEMBLY_DIR = cloud.assemblyDir;
  provide('apiUrl', cloud.apiUrl);
  provide('tokens', cloud.tokens);
  provide('dynamoUrl', cloud.dynamoUrl);
  provide('awsUrl', cloud.awsUrl);
  provide('assemblyDir', cloud.assemblyDir);
  return async () => {
    delete process.env.OMS_ASSEMBLY_DIR;
    await cloud.stop();
  };
}
