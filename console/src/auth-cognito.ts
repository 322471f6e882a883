// Signing in through a stage's Cognito hosted UI: the authorization code grant with PKCE
// (RFC 7636), for a public client (no secret). The code verifier waits in sessionStorage
// while the browser visits the hosted UI; the code that comes back is exchanged at
// /oauth2/token, and the access token (it carries cognito:groups) is the API's bearer.
// (No import of the session here: the start-up hands its signIn over.)

/** config.json's `cognito` (console/src/config.ts). */
export interface Cognito {
  domain: string;
  clientId: string;
  redirectUri?: string;
  scopes?: string[];
}

const PENDING = 'oms.console.pkce';
const SCOPES = ['openid', 'email', 'profile'];

export function base64url(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** 32 random bytes as base64url: a 43-character verifier of the unreserved characters RFC 7636 allows. */
export const randomVerifier = (): string => base64url(crypto.getRandomValues(new Uint8Array(32)));

/** The S256 challenge: base64url(sha256(verifier)). */
export async function challengeOf(verifier: string): Promise<string> {
  return base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
}

/** Where the hosted UI sends people back: the configured URI, else this console's own address. */
export const redirectUriOf = (cognito: Cognito, here: Here): string =>
  cognito.redirectUri ?? `${here.origin}${here.pathname.replace(/[^/]*$/, '')}`;

export function authorizeUrl(cognito: Cognito, redirectUri: string, challenge: string, state: string): string {
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: cognito.clientId,
    redirect_uri: redirectUri,
    scope: (cognito.scopes ?? SCOPES).join(' '),
    code_challenge_method: 'S256',
    code_challenge: challenge,
    state,
  });
  return `${cognito.domain}/oauth2/authorize?${q}`;
}

export function logoutUrl(cognito: Cognito, redirectUri: string): string {
  return `${cognito.domain}/logout?${new URLSearchParams({ client_id: cognito.clientId, logout_uri: redirectUri })}`;
}

/** The address, as location or URL gives it. */
export interface Here {
  origin: string;
  pathname: string;
  href: string;
}

/** What the sign-in uses of the browser (the tests stand in for it; typed without the DOM library). */
export interface Browser {
  storage: { getItem(key: string): string | null; setItem(key: string, value: string): void; removeItem(key: string): void };
  location: Here;
  fetch: typeof fetch;
  go(url: string): void;
  /** drops the code and state from the address bar */
  replaceUrl(url: string): void;
}

type Window = { sessionStorage: Browser['storage']; location: Here & { assign(url: string): void }; history: { replaceState(data: null, unused: string, url: string): void } };
const browser = (): Browser => {
  const w = globalThis as unknown as Window;
  return {
    storage: w.sessionStorage,
    location: w.location,
    fetch: (...args) => fetch(...args),
    go: (url) => w.location.assign(url),
    replaceUrl: (url) => w.history.replaceState(null, '', url),
  };
};

/** Sends the browser to the hosted UI, keeping the verifier and state for the way back. */
export async function startCognitoSignIn(cognito: Cognito, b: Browser = browser()): Promise<void> {
  const verifier = randomVerifier();
  const state = randomVerifier();
  const redirectUri = redirectUriOf(cognito, b.location);
  b.storage.setItem(PENDING, JSON.stringify({ verifier, state }));
  b.go(authorizeUrl(cognito, redirectUri, await challengeOf(verifier), state));
}

/** The access token to sign in with, or why there is none. */
export type CognitoResult = { ok: true; token: string } | { ok: false; reason: 'state' | 'exchange'; detail?: string };

/**
 * Completes a sign-in when the address carries the hosted UI's answer (`?code=&state=`, or
 * `?error=`); undefined when it does not. The state must be the one this tab sent.
 */
export async function finishCognitoSignIn(cognito: Cognito, b: Browser = browser()): Promise<CognitoResult | undefined> {
  const url = new URL(b.location.href);
  const code = url.searchParams.get('code');
  const error = url.searchParams.get('error');
  if (!code && !error) return undefined;
  const pending = JSON.parse(b.storage.getItem(PENDING) ?? 'null') as { verifier: string; state: string } | null;
  b.storage.removeItem(PENDING);
  const redirectUri = redirectUriOf(cognito, b.location);
  b.replaceUrl(`${url.pathname}${url.hash}`);
  if (error) return { ok: false, reason: 'exchange', detail: url.searchParams.get('error_description') ?? error };
  if (!pending || url.searchParams.get('state') !== pending.state) return { ok: false, reason: 'state' };

  const res = await b.fetch(`${cognito.domain}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: cognito.clientId,
      code: code!,
      redirect_uri: redirectUri,
      code_verifier: pending.verifier,
    }).toString(),
  });
  const body = (await res.json().catch(() => ({}))) as { access_token?: string; error?: string };
  if (!res.ok || !body.access_token) return { ok: false, reason: 'exchange', detail: body.error ?? `HTTP ${res.status}` };
  return { ok: true, token: body.access_token };
}

let lastProblem: string | undefined;
/** Signs in with the hosted UI's token, or keeps why not for the sign-in page to say. */
export function useCognitoResult(result: CognitoResult | undefined, signIn: (token: string) => { ok: boolean; reason?: string }): void {
  if (!result) return;
  const signedIn = result.ok ? signIn(result.token) : undefined;
  lastProblem = result.ok ? (signedIn?.ok ? undefined : signedIn?.reason) : (result.detail ?? result.reason);
}
export const cognitoProblem = () => lastProblem;
