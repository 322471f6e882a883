import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAuthorizer, type LocalAuthorizer } from '../../../infra/local/authorizer';
import { CODE_TTL_MS, hostedUi } from '../../../infra/local/hosted-ui';
import type { RouteAuth } from '../../../infra/local/template';

// The local stand-in for the Cognito hosted UI over HTTP: the authorize page, the code it
// hands back, and the token endpoint's checks (PKCE, single use, lifetime, redirect URI).

const CLIENT = 'console-client';
const auth: Extract<RouteAuth, { type: 'JWT' }> = {
  type: 'JWT', authorizer: 'A', issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_pool', audience: ['staff-client', CLIENT], scopes: [], identitySource: ['$request.header.Authorization'],
};

let server: Server;
let base: string;
let consoleUrl: string;
let authorizer: LocalAuthorizer;
let clock = Date.now();

beforeAll(async () => {
  authorizer = await createAuthorizer();
  const handler = hostedUi({
    clientId: CLIENT,
    scopes: ['openid', 'email', 'profile'],
    ttlSeconds: 3600,
    issue: (who) => authorizer.signInTokens(auth, { ...who, clientId: CLIENT, ttlSeconds: 3600 }),
    now: () => clock,
  });
  server = createServer((req, res) => {
    if (!handler(req, res)) res.writeHead(418).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  consoleUrl = `${base}/console/`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  clock = Date.now();
});

const verifierAndChallenge = () => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};

const authorizeParams = (challenge: string, extra: Record<string, string> = {}) => ({
  response_type: 'code', client_id: CLIENT, redirect_uri: consoleUrl, scope: 'openid email profile', state: 'st-1', code_challenge_method: 'S256', code_challenge: challenge, ...extra,
});

const form = (values: Record<string, string>) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(values).toString(), redirect: 'manual' as const });

/** The page's form sent with a role picked: the code and state the browser is sent back with. */
async function codeFor(challenge: string, role = 'ops', username = '') {
  const res = await fetch(`${base}/_local/auth/login`, form({ ...authorizeParams(challenge), role, username }));
  expect(res.status).toBe(302);
  const back = new URL(res.headers.get('location')!);
  expect(`${back.origin}${back.pathname}`).toBe(consoleUrl);
  return { code: back.searchParams.get('code')!, state: back.searchParams.get('state') };
}

const exchange = (values: Record<string, string>) =>
  fetch(`${base}/_local/auth/oauth2/token`, form({ grant_type: 'authorization_code', client_id: CLIENT, redirect_uri: consoleUrl, ...values }));

describe('GET /oauth2/authorize', () => {
  it('shows a page to pick a staff role, carrying the request along', async () => {
    const { challenge } = verifierAndChallenge();
    const res = await fetch(`${base}/_local/auth/oauth2/authorize?${new URLSearchParams(authorizeParams(challenge))}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    for (const role of ['ops', 'cs', 'finance', 'admin']) expect(html).toContain(`data-role="${role}"`);
    expect(html).toContain(`name="code_challenge" value="${challenge}"`);
    expect(html).toContain('name="state" value="st-1"');
  });

  it('never sends a browser to a redirect URI other than its console, nor for another client', async () => {
    const { challenge } = verifierAndChallenge();
    for (const extra of [{ redirect_uri: 'https://evil.example/console/' }, { client_id: 'other' }] as Record<string, string>[]) {
      const res = await fetch(`${base}/_local/auth/oauth2/authorize?${new URLSearchParams(authorizeParams(challenge, extra))}`, { redirect: 'manual' });
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
    }
  });

  it('sends a request without an S256 challenge back to the console with an OAuth error', async () => {
    const res = await fetch(`${base}/_local/auth/oauth2/authorize?${new URLSearchParams(authorizeParams('', { code_challenge_method: 'plain' }))}`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const back = new URL(res.headers.get('location')!);
    expect(Object.fromEntries(back.searchParams)).toMatchObject({ error: 'invalid_request', state: 'st-1' });
  });
});

describe('POST /oauth2/token', () => {
  it('exchanges the code and its verifier for tokens the local gateway accepts, for the role picked', async () => {
    const { verifier, challenge } = verifierAndChallenge();
    const { code, state } = await codeFor(challenge, 'finance', 'Mei Lin');
    expect(state).toBe('st-1');
    const res = await exchange({ code, code_verifier: verifier });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as { access_token: string; id_token: string; token_type: string; expires_in: number };
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    const verified = await authorizer.verify(auth, { authorization: `Bearer ${body.access_token}` });
    expect(verified).toMatchObject({ ok: true, claims: { 'cognito:groups': '[finance]', client_id: CLIENT, token_use: 'access', username: 'Mei Lin' } });
    expect(decodeJwt(body.id_token)).toMatchObject({ aud: CLIENT, token_use: 'id', 'cognito:username': 'Mei Lin', 'cognito:groups': ['finance'] });
    expect(decodeJwt(body.access_token).exp! - Date.now() / 1000).toBeLessThanOrEqual(3600);
  });

  it('refuses a wrong verifier, and the code is spent by the attempt', async () => {
    const { verifier, challenge } = verifierAndChallenge();
    const { code } = await codeFor(challenge);
    const wrong = await exchange({ code, code_verifier: verifierAndChallenge().verifier });
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_grant' });
    expect(await (await exchange({ code, code_verifier: verifier })).json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses a missing verifier', async () => {
    const { challenge } = verifierAndChallenge();
    const { code } = await codeFor(challenge);
    expect(await (await exchange({ code })).json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses a code used once already', async () => {
    const { verifier, challenge } = verifierAndChallenge();
    const { code } = await codeFor(challenge);
    expect((await exchange({ code, code_verifier: verifier })).status).toBe(200);
    const again = await exchange({ code, code_verifier: verifier });
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses a code older than its lifetime', async () => {
    const { verifier, challenge } = verifierAndChallenge();
    const { code } = await codeFor(challenge);
    clock += CODE_TTL_MS + 1;
    const late = await exchange({ code, code_verifier: verifier });
    expect(late.status).toBe(400);
    expect(await late.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses a redirect URI other than the authorization request\'s', async () => {
    const { verifier, challenge } = verifierAndChallenge();
    const { code } = await codeFor(challenge);
    const res = await exchange({ code, code_verifier: verifier, redirect_uri: `${base}/console/other` });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses another client, another grant and a body that is not a form', async () => {
    const { verifier, challenge } = verifierAndChallenge();
    const { code } = await codeFor(challenge);
    const other = await exchange({ code, code_verifier: verifier, client_id: 'other' });
    expect(other.status).toBe(401);
    expect(await other.json()).toMatchObject({ error: 'invalid_client' });
    expect(await (await exchange({ grant_type: 'client_credentials' })).json()).toMatchObject({ error: 'unsupported_grant_type' });
    const json = await fetch(`${base}/_local/auth/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(await json.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('hands out no code for a role that is not staff', async () => {
    const { challenge } = verifierAndChallenge();
    const res = await fetch(`${base}/_local/auth/login`, form({ ...authorizeParams(challenge), role: 'storefront' }));
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
  });
});

describe('GET /logout', () => {
  it('sends the browser back to the console, and nowhere else', async () => {
    const ok = await fetch(`${base}/_local/auth/logout?${new URLSearchParams({ client_id: CLIENT, logout_uri: consoleUrl })}`, { redirect: 'manual' });
    expect(ok.status).toBe(302);
    expect(ok.headers.get('location')).toBe(consoleUrl);
    const elsewhere = await fetch(`${base}/_local/auth/logout?${new URLSearchParams({ client_id: CLIENT, logout_uri: 'https://evil.example/' })}`, { redirect: 'manual' });
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.headers.get('location')).toBeNull();
  });
});
