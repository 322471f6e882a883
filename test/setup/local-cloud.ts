// Global setup of the e2e project: ONE in-memory local cloud for the whole run, on a
// random port, started from the synthesized template and stopped when the run ends.
import { decodeJwt } from 'jose';
import type { TestProject } from 'vitest/node';
import { startLocalCloud, type LocalCloud } from '../../infra/local/cloud';
import { warnIfNoChromium } from '../support/browser';

/**
 * Tokens the dev handshake does not hold, signed with the local cloud's key: a second
 * storefront (another principal with the same client and scope), and well-signed
 * tokens the authorizer must still refuse (expired; another issuer; another audience).
 */
async function testTokens(cloud: LocalCloud) {
  const storefront = decodeJwt(cloud.tokens.storefront);
  const now = Math.floor(Date.now() / 1000);
  const sign = (changes: Record<string, unknown>) => cloud.signClaims({ ...storefront, jti: crypto.randomUUID(), ...changes });
  return {
    storefrontB: await sign({ sub: 'storefront-b', iat: now, exp: now + 3600 }),
    expired: await sign({ iat: now - 7200, exp: now - 3600 }),
    wrongIssuer: await sign({ iss: 'https://issuer.example.com/other', exp: now + 3600 }),
    wrongAudience: await sign({ client_id: 'some-other-client', exp: now + 3600 }),
  };
}

export default async function setup({ provide }: TestProject) {
  warnIfNoChromium();
  const lines: string[] = [];
  const verbose = Boolean(process.env.OMS_LOCAL_LOG);
  const cloud = await startLocalCloud({
    port: 0,
    inMemory: true,
    writeHandshake: false,
    // API destinations' retries run 1000 times faster: the dev ERP's hour of retries lasts 3.6 s
    apiDestinationTimeScale: 0.001,
    // the off-path steps' one-second batching windows gather for 100 ms: tests wait less for reports and notifications
    batchingWindowScale: 0.1,
    // Quiet by default; OMS_LOCAL_LOG=1 prints the local cloud's log, and the tail is printed on failure to start.
    log: (line) => (verbose ? console.log(line) : lines.push(line) > 2000 && lines.splice(0, 1000)),
  }).catch((err: unknown) => {
    console.error(lines.slice(-50).join('\n'));
    throw err;
  });
  // The console's browser tests open this cloud's console: it builds on its first request, here
  // rather than inside a test's page load.
  await fetch(`${cloud.apiUrl}/console/`).then((res) => res.arrayBuffer());
  // Clouds the tests start themselves (restart.test.ts) serve the same assembly, without a second synthesis.
  process.env.OMS_ASSEMBLY_DIR = cloud.assemblyDir;
  provide('apiUrl', cloud.apiUrl);
  provide('tokens', cloud.tokens);
  provide('testTokens', await testTokens(cloud));
  provide('dynamoUrl', cloud.dynamoUrl);
  provide('awsUrl', cloud.awsUrl);
  provide('assemblyDir', cloud.assemblyDir);
  provide('lakeDir', cloud.lakeDir);
  provide('providers', cloud.providers);
  return async () => {
    delete process.env.OMS_ASSEMBLY_DIR;
    await cloud.stop();
  };
}
