// The local stand-in for a stage's Cognito hosted UI: the OAuth 2.0 endpoints the console's
// sign-in uses (authorization code grant with PKCE, RFC 6749 and 7636), on Cognito's paths
// under /_local/auth. GET /oauth2/authorize shows a page where a person picks a staff role
// (no password: this is the local cloud) and is sent back to the console with a code;
// POST /oauth2/token exchanges the code, once and within minutes, for tokens the local
// gateway's authorizer accepts; GET /logout sends the browser back to the console.
//
// The client is the template's code-grant user pool client (the console's); the one redirect
// and logout URI allowed is this server's own console, `<origin>/console/`: the template's
// CallbackURLs name the stage's CloudFront address, which the local cloud does not serve.
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export const HOSTED_UI_PATH = '/_local/auth';

export const STAFF_ROLES = ['ops', 'cs', 'finance', 'admin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** Cognito's authorization codes are good for five minutes. */
export const CODE_TTL_MS = 5 * 60_000;

export interface HostedUiDeps {
  /** the code-grant client's id (the template's console client) */
  clientId: string;
  /** the scopes the client may ask for (its AllowedOAuthScopes) */
  scopes: string[];
  /** lifetime of the tokens handed out */
  ttlSeconds: number;
  issue(who: { role: StaffRole; username: string; scope: string }): Promise<{ accessToken: string; idToken: string }>;
  now?: () => number;
}

interface PendingCode {
  redirectUri: string;
  challenge: string;
  scope: string;
  role: StaffRole;
  username: string;
  expiresAt: number;
}

/** What /oauth2/authorize takes, once checked. */
interface Authorization {
  redirectUri: string;
  state: string | undefined;
  challenge: string;
  scope: string;
  params: URLSearchParams;
}

type Checked = { ok: true; value: Authorization } | { ok: false; page: string } | { ok: false; redirect: string };

const ROLE_NAMES: Record<StaffRole, string> = { ops: 'Operations', cs: 'Customer service', finance: 'Finance', admin: 'Administrator' };

/** The one console this server may send a code or a signed-out browser to. */
const consoleUrlOf = (req: IncomingMessage) => `http://${req.headers.host ?? 'localhost'}/console/`;

const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function withQuery(uri: string, values: Record<string, string | undefined>): string {
  const url = new URL(uri);
  for (const [k, v] of Object.entries(values)) if (v !== undefined) url.searchParams.set(k, v);
  return url.toString();
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · OMS (local)</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;background:#f3f4f6;color:#111827;margin:0;display:grid;place-items:center;min-height:100vh}
main{background:#fff;border:1px solid #d1d5db;border-radius:8px;padding:24px 28px;width:340px}
h1{font-size:20px;margin:0 0 4px}p{color:#4b5563;margin:0 0 16px;font-size:13px}
label{display:block;font-size:13px;margin-bottom:12px}input[type=text]{display:block;width:100%;box-sizing:border-box;padding:6px 8px;margin-top:4px;border:1px solid #9ca3af;border-radius:4px;font:inherit}
fieldset{border:0;padding:0;margin:0;display:grid;gap:8px}legend{font-size:13px;margin-bottom:6px}
button{padding:8px;border:1px solid #1d4ed8;background:#2563eb;color:#fff;border-radius:4px;font:inherit;cursor:pointer;text-align:left}
button:hover,button:focus{background:#1d4ed8}.error{color:#b91c1c}
</style></head><body><main>${body}</main></body></html>`;
}

function signInPage(a: Authorization): string {
  const hidden = [...a.params].map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`).join('');
  const buttons = STAFF_ROLES.map((r) => `<button type="submit" name="role" value="${r}" data-role="${r}">Sign in as <strong>${r}</strong> · ${ROLE_NAMES[r]}</button>`).join('');
  return page(
    'Sign in',
    `<h1>Sign in</h1><p>The local cloud's stand-in for the Cognito hosted UI: no password, pick the staff role to sign in with.</p>
<form method="post" action="${HOSTED_UI_PATH}/login">${hidden}
<label>Name <input type="text" name="username" autocomplete="username" maxlength="128" placeholder="e.g. mei@example.com (optional)"></label>
<fieldset><legend>Role</legend>${buttons}</fieldset></form>`,
  );
}

const errorPage = (message: string) => page('Sign-in error', `<h1>Sign-in error</h1><p class="error" role="alert">${escapeHtml(message)}</p>`);

async function readForm(req: IncomingMessage): Promise<URLSearchParams | undefined> {
  if (!/^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] ?? '')) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > 64 * 1024) return undefined;
    chunks.push(c as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** A request handler for the hosted UI's endpoints under /_local/auth; false for anything else. */
export function hostedUi(deps: HostedUiDeps): (req: IncomingMessage, res: ServerResponse) => boolean {
  const now = deps.now ?? Date.now;
  const codes = new Map<string, PendingCode>();

  /** The authorize request's parameters, as Cognito checks them: a bad client or redirect URI is never redirected to. */
  function check(params: URLSearchParams, req: IncomingMessage): Checked {
    const one = (k: string) => params.get(k) ?? undefined;
    if (one('client_id') !== deps.clientId) return { ok: false, page: 'Unknown client_id: this local cloud knows only its console client.' };
    const redirectUri = one('redirect_uri');
    if (redirectUri !== consoleUrlOf(req)) return { ok: false, page: `redirect_uri must be this local cloud's console, ${consoleUrlOf(req)}.` };
    const state = one('state');
    const refuse = (error: string, description: string): Checked => ({ ok: false, redirect: withQuery(redirectUri, { error, error_description: description, state }) });
    if (one('response_type') !== 'code') return refuse('unsupported_response_type', 'response_type must be code');
    const challenge = one('code_challenge');
    if (one('code_challenge_method') !== 'S256' || !challenge || !/^[A-Za-z0-9_-]{43}$/.test(challenge)) {
      return refuse('invalid_request', 'a code_challenge (S256) is required');
    }
    const asked = (one('scope') ?? deps.scopes.join(' ')).split(' ').filter(Boolean);
    if (asked.some((s) => !deps.scopes.includes(s))) return refuse('invalid_scope', `the client may ask for ${deps.scopes.join(' ')}`);
    const kept = new URLSearchParams([...params].filter(([k]) => k !== 'role' && k !== 'username'));
    return { ok: true, value: { redirectUri, state, challenge, scope: asked.join(' '), params: kept } };
  }

  function send(res: ServerResponse, status: number, type: string, body: string, extra: Record<string, string> = {}) {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...extra });
    res.end(body);
  }
  const html = (res: ServerResponse, status: number, body: string) =>
    send(res, status, 'text/html; charset=utf-8', body, {
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
    });
  const redirect = (res: ServerResponse, location: string) => {
    res.writeHead(302, { location, 'cache-control': 'no-store' });
    res.end();
  };
  const oauthError = (res: ServerResponse, status: number, error: string, description: string) =>
    send(res, status, 'application/json', JSON.stringify({ error, error_description: description }));

  function answerChecked(res: ServerResponse, checked: Exclude<Checked, { ok: true }>) {
    if ('page' in checked) html(res, 400, errorPage(checked.page));
    else redirect(res, checked.redirect);
  }

  /** The person picked a role: a code for the console, good once and for a few minutes. */
  function login(form: URLSearchParams, req: IncomingMessage, res: ServerResponse) {
    const checked = check(form, req);
    if (!checked.ok) return answerChecked(res, checked);
    const role = form.get('role');
    if (!STAFF_ROLES.includes(role as StaffRole)) return html(res, 400, errorPage('Pick one of the staff roles.'));
    for (const [code, p] of codes) if (p.expiresAt <= now()) codes.delete(code);
    const code = randomBytes(32).toString('base64url');
    const { redirectUri, challenge, scope, state } = checked.value;
    codes.set(code, { redirectUri, challenge, scope, role: role as StaffRole, username: (form.get('username') ?? '').trim().slice(0, 128), expiresAt: now() + CODE_TTL_MS });
    redirect(res, withQuery(redirectUri, { code, state }));
  }

  async function token(form: URLSearchParams | undefined, res: ServerResponse) {
    if (!form) return oauthError(res, 400, 'invalid_request', 'the body must be application/x-www-form-urlencoded');
    if (form.get('grant_type') !== 'authorization_code') return oauthError(res, 400, 'unsupported_grant_type', 'grant_type must be authorization_code');
    if (form.get('client_id') !== deps.clientId) return oauthError(res, 401, 'invalid_client', 'unknown client_id');
    const code = form.get('code');
    if (!code) return oauthError(res, 400, 'invalid_request', 'code is required');
    const pending = codes.get(code);
    codes.delete(code); // a code is presented once, whatever comes of it
    if (!pending || pending.expiresAt <= now()) return oauthError(res, 400, 'invalid_grant', 'the code is unknown, used or expired');
    if (form.get('redirect_uri') !== pending.redirectUri) return oauthError(res, 400, 'invalid_grant', 'redirect_uri differs from the authorization request');
    const verifier = form.get('code_verifier') ?? '';
    if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier) || s256(verifier) !== pending.challenge) {
      return oauthError(res, 400, 'invalid_grant', 'code_verifier does not match the code_challenge');
    }
    const tokens = await deps.issue({ role: pending.role, username: pending.username, scope: pending.scope });
    send(res, 200, 'application/json', JSON.stringify({ id_token: tokens.idToken, access_token: tokens.accessToken, token_type: 'Bearer', expires_in: deps.ttlSeconds }), { pragma: 'no-cache' });
  }

  function logout(q: URLSearchParams, req: IncomingMessage, res: ServerResponse) {
    if (q.get('client_id') !== deps.clientId) return html(res, 400, errorPage('Unknown client_id.'));
    if (q.get('logout_uri') !== consoleUrlOf(req)) return html(res, 400, errorPage(`logout_uri must be this local cloud's console, ${consoleUrlOf(req)}.`));
    redirect(res, consoleUrlOf(req));
  }

  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://local');
    if (!url.pathname.startsWith(`${HOSTED_UI_PATH}/`)) return false;
    const route = `${req.method} ${url.pathname.slice(HOSTED_UI_PATH.length)}`;
    const failed = (err: unknown) => {
      if (!res.headersSent) oauthError(res, 500, 'server_error', (err as Error).message);
      else res.end();
    };
    switch (route) {
      case 'GET /oauth2/authorize': {
        const checked = check(url.searchParams, req);
        if (checked.ok) html(res, 200, signInPage(checked.value));
        else answerChecked(res, checked);
        return true;
      }
      case 'POST /login':
        readForm(req).then((form) => (form ? login(form, req, res) : html(res, 400, errorPage('The form could not be read.'))), failed);
        return true;
      case 'POST /oauth2/token':
        readForm(req).then((form) => token(form, res)).catch(failed);
        return true;
      case 'GET /logout':
        logout(url.searchParams, req, res);
        return true;
      default:
        oauthError(res, 404, 'not_found', `${route} is not an endpoint of the hosted UI`);
        return true;
    }
  };
}
