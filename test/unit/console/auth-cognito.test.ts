import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import * as m from '../../../console/src/auth-cognito';

// The hosted-UI sign-in's PKCE pieces and the code exchange, with the browser's storage,
// address and fetch stood in for.

class MemoryStorage {
  private items = new Map<string, string>();
  getItem = (k: string) => this.items.get(k) ?? null;
  setItem = (k: string, v: string) => void this.items.set(k, v);
  removeItem = (k: string) => void this.items.delete(k);
}


const cognito = { domain: 'https://oms-dev-1.auth.eu-west-1.amazoncognito.com', clientId: 'client123' };
const b64url = (s: string) => Buffer.from(s).toString('base64url');
const jwt = (claims: object) => `${b64url('{"alg":"none"}')}.${b64url(JSON.stringify(claims))}.sig`;

function fakeBrowser(href: string, answer?: { status: number; body: unknown }) {
  const calls: { url: string; init: RequestInit }[] = [];
  const b = {
    storage: new MemoryStorage(),
    location: new URL(href),
    went: [] as string[],
    replaced: [] as string[],
    calls,
    fetch: (async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      return new Response(JSON.stringify(answer?.body ?? {}), { status: answer?.status ?? 200 });
    }) as typeof fetch,
    go(url: string) {
      this.went.push(url);
    },
    replaceUrl(url: string) {
      this.replaced.push(url);
    },
  };
  return b;
}

describe('PKCE', () => {
  it('the challenge is base64url(sha256(verifier)): the RFC 7636 example', async () => {
    expect(await m.challengeOf('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('verifiers are 43 unreserved characters, fresh each time, and hash as node does', async () => {
    const a = m.randomVerifier();
    const b = m.randomVerifier();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(await m.challengeOf(a)).toBe(createHash('sha256').update(a).digest('base64url'));
  });

  it('base64url has no padding, + or /', () => {
    expect(m.base64url(new Uint8Array([0xfb, 0xff, 0xbf]))).toBe('-_-_');
    expect(m.base64url(new Uint8Array([1]))).toBe('AQ');
  });
});

describe('the hosted UI round trip', () => {
  it('sends the browser to /oauth2/authorize with the S256 challenge of the verifier it keeps', async () => {
    const b = fakeBrowser('https://d1.cloudfront.net/console/#/review');
    await m.startCognitoSignIn(cognito, b);
    const url = new URL(b.went[0]!);
    expect(`${url.origin}${url.pathname}`).toBe(`${cognito.domain}/oauth2/authorize`);
    const kept = JSON.parse(b.storage.getItem('oms.console.pkce')!) as { verifier: string; state: string };
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'client123',
      redirect_uri: 'https://d1.cloudfront.net/console/',
      scope: 'openid email profile',
      code_challenge_method: 'S256',
      code_challenge: await m.challengeOf(kept.verifier),
      state: kept.state,
    });
  });

  it('exchanges the code with the verifier for the access token', async () => {
    const access = jwt({ 'cognito:groups': ['ops'], username: 'mei', exp: Math.floor(Date.now() / 1000) + 3600 });
    const b = fakeBrowser('https://d1.cloudfront.net/console/?code=abc&state=s1', { status: 200, body: { access_token: access, id_token: 'x' } });
    b.storage.setItem('oms.console.pkce', JSON.stringify({ verifier: 'v'.repeat(43), state: 's1' }));
    const result = await m.finishCognitoSignIn(cognito, b);
    expect(result).toEqual({ ok: true, token: access });
    expect(b.calls[0]!.url).toBe(`${cognito.domain}/oauth2/token`);
    expect(Object.fromEntries(new URLSearchParams(String(b.calls[0]!.init.body)))).toEqual({
      grant_type: 'authorization_code',
      client_id: 'client123',
      code: 'abc',
      redirect_uri: 'https://d1.cloudfront.net/console/',
      code_verifier: 'v'.repeat(43),
    });
    // the code leaves the address bar, the verifier leaves storage
    expect(b.replaced).toEqual(['/console/']);
    expect(b.storage.getItem('oms.console.pkce')).toBeNull();
  });

  it('refuses an answer whose state this tab did not send, without calling the token endpoint', async () => {
    const b = fakeBrowser('https://d1.cloudfront.net/console/?code=abc&state=forged');
    b.storage.setItem('oms.console.pkce', JSON.stringify({ verifier: 'v'.repeat(43), state: 's1' }));
    expect(await m.finishCognitoSignIn(cognito, b)).toEqual({ ok: false, reason: 'state' });
    expect(b.calls).toHaveLength(0);
  });

  it("reports the token endpoint's refusal and the hosted UI's error", async () => {
    const b = fakeBrowser('https://d1.cloudfront.net/console/?code=abc&state=s1', { status: 400, body: { error: 'invalid_grant' } });
    b.storage.setItem('oms.console.pkce', JSON.stringify({ verifier: 'v'.repeat(43), state: 's1' }));
    expect(await m.finishCognitoSignIn(cognito, b)).toEqual({ ok: false, reason: 'exchange', detail: 'invalid_grant' });
    const denied = fakeBrowser('https://d1.cloudfront.net/console/?error=access_denied');
    expect(await m.finishCognitoSignIn(cognito, denied)).toMatchObject({ ok: false, reason: 'exchange', detail: 'access_denied' });
  });

  it('does nothing on an ordinary address', async () => {
    expect(await m.finishCognitoSignIn(cognito, fakeBrowser('https://d1.cloudfront.net/console/#/stock'))).toBeUndefined();
  });

  it('signs out at the hosted UI back to the console', () => {
    expect(m.logoutUrl(cognito, 'https://d1.cloudfront.net/console/')).toBe(
      `${cognito.domain}/logout?client_id=client123&logout_uri=https%3A%2F%2Fd1.cloudfront.net%2Fconsole%2F`,
    );
  });
});

describe('after the round trip', () => {
  it('signs in with the token, or keeps why not for the sign-in page', () => {
    const signedIn: string[] = [];
    m.useCognitoResult({ ok: true, token: 'tok' }, (t) => (signedIn.push(t), { ok: true }));
    expect(signedIn).toEqual(['tok']);
    expect(m.cognitoProblem()).toBeUndefined();
    m.useCognitoResult({ ok: true, token: 'storefront' }, () => ({ ok: false, reason: 'not-staff' }));
    expect(m.cognitoProblem()).toBe('not-staff');
    m.useCognitoResult({ ok: false, reason: 'state' }, () => ({ ok: true }));
    expect(m.cognitoProblem()).toBe('state');
  });
});
