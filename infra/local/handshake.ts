// `.oms/local.json`: what scripts, the demo and end-to-end tests need to drive the
// local stage (API URL, dev tokens per role, and the local stage's development
// credentials of every payment and carrier provider). Provider credentials are
// generated once per data folder and kept there, so signatures made by a test or the
// demo stay valid across restarts; they are local secrets and never leave the machine.
import { createPublicKey, generateKeyPairSync, randomBytes, randomInt } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Role } from './authorizer';

// Both sides of each payment provider: the merchant's (what the functions get from
// Secrets Manager: secretKey, appPrivateKeyPem, merchantPrivateKeyPem) and the provider's
// (what the sandbox signs with: alipayPrivateKeyPem, platformPrivateKeyPem), each key
// with its public half so either side can verify the other.
export interface ProviderCredentials {
  stripe: { webhookSecret: string; secretKey: string };
  alipay: {
    appId: string;
    sellerId: string;
    alipayPrivateKeyPem: string;
    alipayPublicKeyPem: string;
    appPrivateKeyPem: string;
    appPublicKeyPem: string;
  };
  wechatpay: {
    mchid: string;
    appid: string;
    apiV3Key: string;
    platformSerial: string;
    platformPrivateKeyPem: string;
    platformPublicKeyPem: string;
    merchantSerial: string;
    merchantPrivateKeyPem: string;
    merchantPublicKeyPem: string;
  };
  aftership: { webhookSecret: string };
  easypost: { webhookSecret: string; apiKey: string };
  kuaidi100: { salt: string; key: string; customer: string };
  '17track': { securityKey: string };
}

export interface Handshake {
  apiUrl: string;
  tokens: Record<Role, string>;
  providers: ProviderCredentials;
  /** The local SQS/EventBridge endpoint (npm run redrive -- --local). */
  awsUrl?: string;
  /** The local DynamoDB endpoint and the stage's table (npm run rebuild-reports). */
  dynamoUrl?: string;
  tableName?: string;
}

const digits = (n: number) => Array.from({ length: n }, () => randomInt(10)).join('');
const alnum = (n: number) => {
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from({ length: n }, () => abc[randomInt(abc.length)]).join('');
};
const rsaPem = () =>
  generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

const publicPem = (privatePem: string) => createPublicKey(privatePem).export({ type: 'spki', format: 'pem' }).toString();
const serial = () => randomBytes(20).toString('hex').toUpperCase();

export function generateProviderCredentials(): ProviderCredentials {
  return completeProviderCredentials({
    stripe: { webhookSecret: `whsec_${randomBytes(24).toString('base64url')}` },
    alipay: { appId: `2021${digits(12)}`, sellerId: `2088${digits(12)}`, alipayPrivateKeyPem: rsaPem() },
    wechatpay: {
      mchid: `1${digits(9)}`,
      appid: `wx${randomBytes(8).toString('hex')}`,
      apiV3Key: alnum(32),
      platformSerial: serial(),
      platformPrivateKeyPem: rsaPem(),
    },
    aftership: { webhookSecret: randomBytes(24).toString('base64url') },
    easypost: { webhookSecret: randomBytes(24).toString('hex') },
    kuaidi100: { salt: alnum(16) },
    '17track': { securityKey: randomBytes(16).toString('hex') },
  });
}

type Partial2<T> = { [K in keyof T]: Partial<T[K]> };

/**
 * Adds what a data folder made by an earlier version lacks (the merchant-side keys and
 * every key's public half); what is there is kept, so earlier signatures stay valid.
 */
export function completeProviderCredentials(c: Partial2<ProviderCredentials>): ProviderCredentials {
  const stripe = { ...c.stripe, secretKey: c.stripe?.secretKey ?? `sk_test_${alnum(40)}` } as ProviderCredentials['stripe'];
  const alipayKeys = { ...c.alipay, appPrivateKeyPem: c.alipay?.appPrivateKeyPem ?? rsaPem() } as ProviderCredentials['alipay'];
  const alipay: ProviderCredentials['alipay'] = {
    ...alipayKeys,
    alipayPublicKeyPem: publicPem(alipayKeys.alipayPrivateKeyPem),
    appPublicKeyPem: publicPem(alipayKeys.appPrivateKeyPem),
  };
  const wechatKeys = {
    ...c.wechatpay,
    merchantSerial: c.wechatpay?.merchantSerial ?? serial(),
    merchantPrivateKeyPem: c.wechatpay?.merchantPrivateKeyPem ?? rsaPem(),
  } as ProviderCredentials['wechatpay'];
  const wechatpay: ProviderCredentials['wechatpay'] = {
    ...wechatKeys,
    platformPublicKeyPem: publicPem(wechatKeys.platformPrivateKeyPem),
    merchantPublicKeyPem: publicPem(wechatKeys.merchantPrivateKeyPem),
  };
  // carriers: the merchant's API key (EasyPost) and Kuaidi100's key and customer id
  const easypost = { ...c.easypost, apiKey: c.easypost?.apiKey ?? `EZTK${randomBytes(16).toString('hex')}` } as ProviderCredentials['easypost'];
  const kuaidi100 = {
    ...c.kuaidi100,
    key: c.kuaidi100?.key ?? alnum(16),
    customer: c.kuaidi100?.customer ?? randomBytes(16).toString('hex').toUpperCase(),
  } as ProviderCredentials['kuaidi100'];
  return { ...(c as ProviderCredentials), stripe, alipay, wechatpay, easypost, kuaidi100 };
}

/** The data folder's provider credentials, created on first use (fresh ones in memory mode). */
export function providerCredentials(dataDir: string | undefined): ProviderCredentials {
  if (!dataDir) return generateProviderCredentials();
  const file = join(dataDir, 'provider-credentials.json');
  const stored = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  const creds = stored ? completeProviderCredentials(JSON.parse(stored) as ProviderCredentials) : generateProviderCredentials();
  if (stored && JSON.stringify(creds, null, 2) === stored) return creds;
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify(creds, null, 2), { mode: 0o600 });
  return creds;
}

export function writeHandshake(file: string, h: Handshake): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(h, null, 2)}\n`, { mode: 0o600 });
}
