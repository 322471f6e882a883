import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookPost, type Resolve } from '../../../shared/app/webhook-transport';
import { STRICT_URL_RULES, checkUrl } from '../../../shared/domain/webhook-urls';

const LOCAL = { localHosts: ['localhost', '127.0.0.1', '::1'] };
const refusal = (url: string, rules = STRICT_URL_RULES) => {
  try {
    checkUrl(url, rules);
    return 'allowed';
  } catch (err) {
    return (err as Error).message;
  }
};

describe('webhook URL rules', () => {
  it('allow https only in AWS stages', () => {
    expect(refusal('https://erp.example.com/hooks')).toBe('allowed');
    expect(refusal('http://erp.example.com/hooks')).toBe('must use https');
    expect(refusal('http://localhost:4400/')).toBe('must use https');
    expect(refusal('ftp://erp.example.com/')).toBe('must use https');
    expect(refusal('https://user:pw@erp.example.com/')).toBe('must not carry credentials');
  });

  it('refuse private, loopback, link-local and unique-local address literals', () => {
    for (const host of ['10.0.0.8', '172.16.3.4', '192.168.1.1', '127.0.0.1', '169.254.169.254', '[::1]', '[fd00::1]', '[fe80::1]', '[::ffff:10.0.0.1]', '0.0.0.0', '100.64.0.1']) {
      expect(refusal(`https://${host}/hook`), host).toMatch(/^resolves to .+, a \w+ address$/);
    }
    expect(refusal('https://93.184.215.14/hook')).toBe('allowed');
  });

  it('let the local stage call this machine over http, nothing else', () => {
    expect(refusal('http://localhost:4400/hook', LOCAL)).toBe('allowed');
    expect(refusal('http://127.0.0.1:4400/hook', LOCAL)).toBe('allowed');
    expect(refusal('http://erp.example.com/hook', LOCAL)).toBe('must use https');
    expect(refusal('https://10.1.2.3/hook', LOCAL)).toMatch(/private/);
  });
});

describe('webhook POST', () => {
  let server: Server;
  let port: number;
  let hits = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      hits++;
      req.resume();
      req.on('end', () => res.writeHead(204).end());
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

  const resolveAll = (address: string): Resolve => async () => [{ address, family: address.includes(':') ? 6 : 4 }];

  it('refuses, under an AWS stage\'s rules, a hostname that resolves to 127.0.0.1, without connecting', async () => {
    const post = webhookPost({ rules: STRICT_URL_RULES, timeoutMs: 2000, resolve: resolveAll('127.0.0.1') });
    const before = hits;
    const outcome = await post(`https://partner.example.com:${port}/hook`, {}, '{}');
    expect(outcome).toEqual({ error: "refused: the URL's host resolves to 127.0.0.1, a loopback address" });
    expect(hits).toBe(before);
  });

  it('refuses a host when any one of its addresses is private', async () => {
    const resolve: Resolve = async () => [{ address: '93.184.215.14', family: 4 }, { address: '10.0.0.7', family: 4 }];
    const outcome = await webhookPost({ rules: STRICT_URL_RULES, timeoutMs: 2000, resolve })(`https://partner.example.com/hook`, {}, '{}');
    expect(outcome).toEqual({ error: "refused: the URL's host resolves to 10.0.0.7, a private address" });
  });

  it('refuses localhost itself under an AWS stage\'s rules (real DNS)', async () => {
    const before = hits;
    const outcome = await webhookPost({ rules: STRICT_URL_RULES, timeoutMs: 2000 })(`https://localhost:${port}/hook`, {}, '{}');
    expect(outcome).toMatchObject({ error: expect.stringMatching(/^refused: .*loopback address$/) });
    expect(hits).toBe(before);
  });

  it('delivers to localhost over http under the local stage\'s rules', async () => {
    const outcome = await webhookPost({ rules: LOCAL, timeoutMs: 2000 })(`http://localhost:${port}/hook`, { 'content-type': 'application/json' }, '{}');
    expect(outcome).toEqual({ status: 204 });
  });

  it('gives up on a partner that does not answer in time', async () => {
    const slow = createServer(() => undefined);
    await new Promise<void>((ok) => slow.listen(0, '127.0.0.1', ok));
    const outcome = await webhookPost({ rules: LOCAL, timeoutMs: 300 })(`http://127.0.0.1:${(slow.address() as AddressInfo).port}/`, {}, '{}');
    slow.closeAllConnections();
    await new Promise<void>((ok) => slow.close(() => ok()));
    expect(outcome).toEqual({ error: 'no answer within 300 ms' });
  });
});
