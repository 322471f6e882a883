import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleAwsRequest } from '../../../infra/local/aws-endpoint';
import { generateProviderCredentials, providerCredentials } from '../../../infra/local/handshake';
import { Resolver, type StackTemplate } from '../../../infra/local/intrinsics';
import { localSecrets, templateSecrets } from '../../../infra/local/secrets';
import type { FunctionSpec } from '../../../infra/local/template';

const dir = mkdtempSync(join(tmpdir(), 'oms-secrets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('local secrets', () => {
  it('gives each secret a random value of its own, kept across restarts in the data folder', () => {
    const first = localSecrets(dir);
    const a = first.value('arn:aws:secretsmanager:us-east-1:000000000000:secret:A-abcdef');
    const b = first.value('arn:aws:secretsmanager:us-east-1:000000000000:secret:B-abcdef');
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(b).not.toBe(a);
    expect(first.value('arn:aws:secretsmanager:us-east-1:000000000000:secret:A-abcdef')).toBe(a);
    expect(localSecrets(dir).value('arn:aws:secretsmanager:us-east-1:000000000000:secret:A-abcdef')).toBe(a);
    expect(statSync(join(dir, 'secrets.json')).mode & 0o777).toBe(0o600);
  });

  it('without a data folder, makes new values for every run', () => {
    expect(localSecrets().value('s')).not.toBe(localSecrets().value('s'));
  });
});

// Payment provider secrets: found by tag or by the function variable that holds their ARN,
// served with the handshake's merchant-side credentials over GetSecretValue.
describe('provider secrets and GetSecretValue', () => {
  const stacks: StackTemplate[] = [
    {
      stackName: 'oms-dev-api',
      template: {
        Resources: {
          StripeSecret: { Type: 'AWS::SecretsManager::Secret', Properties: { Tags: [{ Key: 'oms:provider', Value: 'stripe' }] } },
          WechatSecret: { Type: 'AWS::SecretsManager::Secret', Properties: { Name: 'oms/dev/wechatpay' } },
          CursorSecret: { Type: 'AWS::SecretsManager::Secret', Properties: {} },
        },
      },
    },
  ];
  const resolver = new Resolver(stacks, { region: 'us-east-1', accountId: '000000000000', sqsEndpoint: 'http://x' });
  const wechatArn = String(resolver.ref('oms-dev-api', 'WechatSecret'));
  const fns = [{ env: { WECHATPAY_SECRET_ARN: wechatArn } }] as unknown as FunctionSpec[];
  const creds = generateProviderCredentials();
  const secrets = localSecrets();
  const found = templateSecrets(stacks, resolver, fns);
  secrets.setTemplate(found, creds);

  let server: Server;
  let sm: SecretsManagerClient;
  beforeAll(async () => {
    server = createServer((req, res) => {
      void handleAwsRequest({ bus: () => undefined, queues: () => undefined, queueUrl: (n) => n, secret: (sid) => secrets.find(sid), log: () => {} }, req, res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    sm = new SecretsManagerClient({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  });
  afterAll(async () => {
    sm?.destroy();
    await new Promise((r) => server?.close(r));
  });

  it('tells provider secrets by the oms:provider tag or by the function variable holding their ARN', () => {
    expect(found.map((s) => [s.name, s.provider])).toEqual([
      ['oms-dev-api-StripeSecret', 'stripe'],
      ['oms/dev/wechatpay', 'wechatpay'],
      ['oms-dev-api-CursorSecret', undefined],
    ]);
  });

  it('answers GetSecretValue by ARN, name or partial ARN with the contract JSON of the provider', async () => {
    const stripe = await sm.send(new GetSecretValueCommand({ SecretId: found[0]!.arn }));
    expect(JSON.parse(stripe.SecretString!)).toEqual({ secretKey: creds.stripe.secretKey, webhookSecret: creds.stripe.webhookSecret });
    expect(stripe.SecretString).toMatch(/"secretKey":"sk_test_/);
    const wechat = await sm.send(new GetSecretValueCommand({ SecretId: 'oms/dev/wechatpay' }));
    expect(wechat.ARN).toBe(wechatArn);
    expect(Object.keys(JSON.parse(wechat.SecretString!)).sort()).toEqual(
      ['apiV3Key', 'appid', 'mchid', 'merchantPrivateKeyPem', 'merchantSerial', 'platformPublicKeyPem', 'platformSerial'],
    );
    const partial = await sm.send(new GetSecretValueCommand({ SecretId: found[0]!.arn.replace(/-[a-z0-9]{6}$/, '') }));
    expect(partial.SecretString).toBe(stripe.SecretString);
  });

  it('gives other template secrets the value their dynamic references resolve to, and refuses unknown ones', async () => {
    const cursor = await sm.send(new GetSecretValueCommand({ SecretId: found[2]!.arn }));
    expect(cursor.SecretString).toBe(secrets.value(found[2]!.arn));
    await expect(sm.send(new GetSecretValueCommand({ SecretId: 'no-such-secret' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});

describe('provider credentials of an existing data folder', () => {
  it('gain the merchant-side keys and public halves on start, keeping what was there', () => {
    const folder = mkdtempSync(join(tmpdir(), 'oms-creds-'));
    try {
      const old = generateProviderCredentials();
      const { secretKey: _s, ...stripe } = old.stripe;
      const { appPrivateKeyPem: _a, appPublicKeyPem: _ap, alipayPublicKeyPem: _pp, ...alipay } = old.alipay;
      const { merchantSerial: _m, merchantPrivateKeyPem: _mk, merchantPublicKeyPem: _mp, platformPublicKeyPem: _pk, ...wechatpay } = old.wechatpay;
      writeFileSync(join(folder, 'provider-credentials.json'), JSON.stringify({ ...old, stripe, alipay, wechatpay }));
      const now = providerCredentials(folder);
      expect(now.stripe.webhookSecret).toBe(old.stripe.webhookSecret);
      expect(now.stripe.secretKey).toMatch(/^sk_test_/);
      expect(now.alipay.alipayPrivateKeyPem).toBe(old.alipay.alipayPrivateKeyPem);
      expect(now.alipay.alipayPublicKeyPem).toBe(old.alipay.alipayPublicKeyPem);
      expect(now.alipay.appPrivateKeyPem).toContain('PRIVATE KEY');
      expect(now.wechatpay.platformSerial).toBe(old.wechatpay.platformSerial);
      expect(now.wechatpay.merchantSerial).toMatch(/^[0-9A-F]{40}$/);
      expect(providerCredentials(folder)).toEqual(now);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

// Carrier secrets (`oms/<stage>/carriers/<provider>`): by tag or by <PROVIDER>_SECRET_ARN,
// answered in the shipping contract's JSON shapes.
describe('carrier secrets', () => {
  const stacks: StackTemplate[] = [{
    stackName: 'oms-dev-api',
    template: {
      Resources: {
        EasyPostSecret: { Type: 'AWS::SecretsManager::Secret', Properties: { Name: 'oms/dev/carriers/easypost', Tags: [{ Key: 'oms:provider', Value: 'easypost' }] } },
        Kuaidi100Secret: { Type: 'AWS::SecretsManager::Secret', Properties: { Name: 'oms/dev/carriers/kuaidi100', Tags: [{ Key: 'oms:provider', Value: 'kuaidi100' }] } },
        SeventeenSecret: { Type: 'AWS::SecretsManager::Secret', Properties: { Name: 'oms/dev/carriers/17track' } },
        AfterShipSecret: { Type: 'AWS::SecretsManager::Secret', Properties: { Name: 'oms/dev/carriers/aftership', Tags: [{ Key: 'oms:provider', Value: 'aftership' }] } },
      },
    },
  }];
  const resolver = new Resolver(stacks, { region: 'us-east-1', accountId: '000000000000', sqsEndpoint: 'http://x' });
  const fns = [{ env: { SEVENTEENTRACK_SECRET_ARN: 'oms/dev/carriers/17track' } }] as unknown as FunctionSpec[];
  const creds = generateProviderCredentials();
  const secrets = localSecrets();
  const found = templateSecrets(stacks, resolver, fns);
  secrets.setTemplate(found, creds);

  it('serves each carrier secret with the handshake credentials in the contract shape', () => {
    expect(found.map((s) => s.provider)).toEqual(['easypost', 'kuaidi100', '17track', 'aftership']);
    expect(JSON.parse(secrets.find('oms/dev/carriers/easypost')!.value)).toEqual({ apiKey: creds.easypost.apiKey, webhookSecret: creds.easypost.webhookSecret });
    expect(JSON.parse(secrets.find('oms/dev/carriers/kuaidi100')!.value)).toEqual(creds.kuaidi100);
    expect(JSON.parse(secrets.find('oms/dev/carriers/17track')!.value)).toEqual({ securityKey: creds['17track'].securityKey });
    expect(JSON.parse(secrets.find('oms/dev/carriers/aftership')!.value)).toEqual({ webhookSecret: creds.aftership.webhookSecret });
  });

  it('are added to a data folder made before them, keeping the webhook secrets and salt', () => {
    const folder = mkdtempSync(join(tmpdir(), 'oms-creds-'));
    try {
      const old = generateProviderCredentials();
      const older = { ...old, easypost: { webhookSecret: old.easypost.webhookSecret }, kuaidi100: { salt: old.kuaidi100.salt } };
      writeFileSync(join(folder, 'provider-credentials.json'), JSON.stringify(older));
      const now = providerCredentials(folder);
      expect(now.easypost.webhookSecret).toBe(old.easypost.webhookSecret);
      expect(now.easypost.apiKey).toMatch(/^EZTK[0-9a-f]{32}$/);
      expect(now.kuaidi100.salt).toBe(old.kuaidi100.salt);
      expect(now.kuaidi100.key).toMatch(/^[A-Za-z0-9]{16}$/);
      expect(now.kuaidi100.customer).toMatch(/^[0-9A-F]{32}$/);
      expect(providerCredentials(folder)).toEqual(now);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
