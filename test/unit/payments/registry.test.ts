import { describe, expect, it } from 'vitest';
import { credentialsLoader } from '../../../shared/payments/credentials';
import { providerRegistry } from '../../../shared/payments/registry';
import { alipayKeys, stripeCredentials, wechatpayKeys } from '../../support/providers';

const alipay = alipayKeys().credentials;
const wechatpay = wechatpayKeys().credentials;
const SECRETS: Record<string, string> = {
  'arn:stripe': JSON.stringify(stripeCredentials),
  'arn:alipay': JSON.stringify(alipay),
  'arn:wechatpay': JSON.stringify(wechatpay),
};
const env = { STRIPE_SECRET_ARN: 'arn:stripe', ALIPAY_SECRET_ARN: 'arn:alipay', WECHATPAY_SECRET_ARN: 'arn:wechatpay' };

function reader() {
  const reads: string[] = [];
  return { reads, read: async (id: string) => { reads.push(id); return SECRETS[id]; } };
}

describe('provider registry', () => {
  it('builds adapters without reading any secret, and reads one only when it is needed', async () => {
    const r = reader();
    const registry = providerRegistry(env, r.read);
    expect(registry.adapterFor('stripe').provider).toBe('stripe');
    expect(registry.adapterFor('wechatpay').provider).toBe('wechatpay');
    expect(r.reads).toEqual([]);
    expect(await registry.expectedMerchant('alipay')).toEqual({ appId: alipay.appId, merchantId: alipay.sellerId });
    expect(await registry.expectedMerchant('wechatpay')).toEqual({ appId: wechatpay.appid, merchantId: wechatpay.mchid });
    expect(await registry.expectedMerchant('stripe')).toBeUndefined();
    await Promise.all([registry.expectedMerchant('alipay'), registry.expectedMerchant('alipay')]);
    expect(r.reads).toEqual(['arn:alipay', 'arn:wechatpay']);
  });

  it('does not even parse its environment until used', () => {
    expect(() => providerRegistry({ STRIPE_API_URL: 'not a url' })).not.toThrow();
    expect(() => providerRegistry({ STRIPE_API_URL: 'not a url' }).adapterFor('stripe')).toThrow(/STRIPE_API_URL/);
  });

  it('names a missing secret variable, and a malformed secret by its fields, never its value', async () => {
    await expect(providerRegistry({}, reader().read).expectedMerchant('alipay')).rejects.toThrow(/ALIPAY_SECRET_ARN is not set/);
    const leaky = { ...wechatpay, apiV3Key: 'too-short-secret-value' };
    const load = credentialsLoader('wechatpay', 'arn:x', async () => JSON.stringify(leaky));
    const err = await load().catch((e: Error) => e);
    expect(String(err)).toMatch(/apiV3Key/);
    expect(String(err)).not.toContain('too-short-secret-value');
    await expect(credentialsLoader('stripe', 'arn:x', async () => 'sk_live_plain')()).rejects.toThrow(/not JSON/);
    expect(String(await credentialsLoader('stripe', 'arn:x', async () => 'sk_live_plain')().catch((e: Error) => e))).not.toContain('sk_live_plain');
  });

  it('keeps credentials for five minutes per container, and retries a failed read', async () => {
    let clock = 0;
    let fail = true;
    const reads: number[] = [];
    const load = credentialsLoader('stripe', 'arn:stripe', async () => {
      reads.push(clock);
      if (fail) throw new Error('throttled');
      return SECRETS['arn:stripe'];
    }, () => clock);
    await expect(load()).rejects.toThrow('throttled');
    fail = false;
    await expect(load()).resolves.toEqual(stripeCredentials);
    clock = 299_000;
    await load();
    clock = 301_000;
    await load();
    expect(reads).toEqual([0, 0, 301_000]);
  });
});
