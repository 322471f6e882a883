// The local stand-in for API Gateway's JWT authorizer and for Cognito: an RS256 key
// (kept in the data folder, so dev tokens survive a restart; a fresh key per start
// when in memory), a JWKS, long-lived dev tokens per role, and verification with
// the authorizer's rules (issuer, audience or client_id, expiry, route scopes).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID, createHash } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, importJWK, jwtVerify, createLocalJWKSet, type JWK, type JWTPayload } from 'jose';
import type { RouteAuth, UserPoolClientSpec } from './template';

export const ROLES = ['storefront', 'ops', 'cs', 'finance', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Cognito's issuer becomes a local one; other issuers are kept as the template names them. */
export function localIssuer(templateIssuer: string): string {
  const m = /^(?:https:\/\/)?cognito-idp\.[^/]+\.amazonaws\.com\/(.+)$/.exec(templateIssuer);
  return m ? `https://cognito-idp.localhost/${m[1]}` : templateIssuer;
}

/** API Gateway passes every claim as a string; arrays become "[a b]". */
export function flattenClaims(payload: JWTPayload): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(payload)) {
    if (Array.isArray(v)) out[k] = `[${v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join(' ')}]`;
    else if (v !== null && typeof v === 'object') out[k] = JSON.stringify(v);
    else out[k] = String(v);
  }
  return out;
}

export type AuthOutcome =
  | { ok: true; claims: Record<string, string>; scopes: string[] | null }
  | { ok: false; status: 401 | 403; message: 'Unauthorized' | 'Forbidden'; why: string };

export interface LocalAuthorizer {
  jwks: { keys: JWK[] };
  verify(auth: Extract<RouteAuth, { type: 'JWT' }>, headers: Record<string, string>): Promise<AuthOutcome>;
  /**
   * Signs exactly these claims (`iss`, `exp` included) with the local key: for tests
   * that need a second storefront, or a well-signed token that is expired or from
   * another issuer.
   */
  signClaims(claims: JWTPayload): Promise<string>;
  /** Long-lived dev tokens per role for the issuer and clients of the template. */
  issueTokens(auth: Extract<RouteAuth, { type: 'JWT' }> | undefined, clients: UserPoolClientSpec[]): Promise<Record<Role, string>>;
  /**
   * What the hosted UI's token endpoint answers for a person who signed in with a staff
   * role: an access token (the API's bearer) and an ID token, as Cognito issues them for a
   * code-grant client, signed as the dev tokens are.
   */
  signInTokens(auth: Extract<RouteAuth, { type: 'JWT' }> | undefined, who: SignedInUser): Promise<{ accessToken: string; idToken: string }>;
}

export interface SignedInUser {
  role: Exclude<Role, 'storefront'>;
  /** the user name the person gave; the role's dev user when empty */
  username?: string;
  clientId: string;
  ttlSeconds: number;
  scope: string;
}

/** A stable Cognito-like subject (a UUID) for a local user. */
function subjectOf(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex').slice(0, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

interface StoredKey {
  kid: string;
  privateJwk: JWK;
}

async function loadOrCreateKey(dataDir: string | undefined): Promise<StoredKey> {
  const file = dataDir ? join(dataDir, 'jwt-signing-key.json') : undefined;
  if (file && existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as StoredKey;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const privateJwk = await exportJWK(privateKey);
  const key: StoredKey = { kid: createHash('sha256').update(JSON.stringify(privateJwk.n)).digest('hex').slice(0, 16), privateJwk };
  if (file) {
    mkdirSync(dataDir!, { recursive: true });
    writeFileSync(file, JSON.stringify(key), { mode: 0o600 });
  }
  return key;
}

const TOKEN_TTL_SECONDS = 365 * 24 * 3600;
/** Verified tokens remembered (the oldest is forgotten first). */
const VERIFIED_TOKENS_KEPT = 1000;

export async function createAuthorizer(dataDir?: string): Promise<LocalAuthorizer> {
  const stored = await loadOrCreateKey(dataDir);
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = stored.privateJwk;
  const jwks = { keys: [{ ...publicJwk, kid: stored.kid, alg: 'RS256', use: 'sig' }] };
  const keySet = createLocalJWKSet(jwks);
  const privateKey = await importJWK({ ...stored.privateJwk, alg: 'RS256' }, 'RS256');

  const sign = (claims: JWTPayload, issuer: string, ttlSeconds = TOKEN_TTL_SECONDS) =>
    new SignJWT({ ...claims, jti: randomUUID() })
      .setProtectedHeader({ alg: 'RS256', kid: stored.kid, typ: 'JWT' })
      .setIssuer(issuer)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
      .sign(privateKey);
  // The signature check (RSA) is most of a request's authorizer work, and a client sends the same
  // token until it expires: a token verified once is taken on trust until its expiry, as long as
  // the same key signs. An expired one goes through jwtVerify again, which refuses it.
  const verifiedTokens = new Map<string, JWTPayload>();
  const verified = async (token: string, issuer: string): Promise<JWTPayload> => {
    const key = `${issuer} ${token}`;
    const known = verifiedTokens.get(key);
    if (known && (known.exp === undefined || known.exp > Date.now() / 1000)) return known;
    verifiedTokens.delete(key);
    const { payload } = await jwtVerify(token, keySet, { issuer, algorithms: ['RS256'] });
    if (verifiedTokens.size >= VERIFIED_TOKENS_KEPT) verifiedTokens.delete(verifiedTokens.keys().next().value!);
    verifiedTokens.set(key, payload);
    return payload;
  };
  const issuerOf = (auth: Extract<RouteAuth, { type: 'JWT' }> | undefined) => localIssuer(auth?.issuer ?? 'https://cognito-idp.localhost/local');

  return {
    jwks,
    signClaims: (claims) => new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: stored.kid, typ: 'JWT' }).sign(privateKey),
    async verify(auth, headers) {
      // API Gateway reads the identity source (the Authorization header) and drops a "Bearer " prefix.
      const source = auth.identitySource[0] ?? '$request.header.Authorization';
      const header = /^\$request\.header\.(.+)$/.exec(source)?.[1]?.toLowerCase() ?? 'authorization';
      const raw = headers[header];
      if (!raw) return { ok: false, status: 401, message: 'Unauthorized', why: 'no token' };
      const token = raw.replace(/^Bearer\s+/i, '').trim();
      let payload: JWTPayload;
      try {
        payload = await verified(token, localIssuer(auth.issuer));
      } catch (err) {
        return { ok: false, status: 401, message: 'Unauthorized', why: (err as Error).message };
      }
      if (auth.audience.length) {
        const aud = payload.aud === undefined ? [] : Array.isArray(payload.aud) ? payload.aud : [payload.aud];
        const candidates = aud.length ? aud : typeof payload.client_id === 'string' ? [payload.client_id] : [];
        if (!candidates.some((a) => auth.audience.includes(a))) {
          return { ok: false, status: 401, message: 'Unauthorized', why: 'audience not allowed' };
        }
      }
      const tokenScopes = typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];
      let scopes: string[] | null = null;
      if (auth.scopes.length) {
        scopes = tokenScopes.filter((s) => auth.scopes.includes(s));
        if (scopes.length === 0) return { ok: false, status: 403, message: 'Forbidden', why: 'no required scope' };
      }
      return { ok: true, claims: flattenClaims(payload), scopes };
    },
    async issueTokens(auth, clients) {
      const issuer = issuerOf(auth);
      const audience = auth?.audience ?? [];
      const machine = clients.find((c) => c.machine && (audience.length === 0 || audience.includes(c.clientId)));
      const user = clients.find((c) => !c.machine && (audience.length === 0 || audience.includes(c.clientId)));
      const machineId = machine?.clientId ?? audience[0] ?? 'local-storefront-client';
      const userClientId = user?.clientId ?? audience.find((a) => a !== machineId) ?? audience[0] ?? 'local-staff-client';
      const storefrontScope = machine?.scopes.find((s) => s.endsWith('/storefront')) ?? 'oms/storefront';
      const tokens = {} as Record<Role, string>;
      // A storefront is a machine client (Cognito client credentials: sub = client_id, scopes);
      // staff are users whose role is their Cognito group.
      tokens.storefront = await sign({ sub: machineId, client_id: machineId, token_use: 'access', scope: storefrontScope, version: 2 }, issuer);
      for (const role of ROLES.filter((r) => r !== 'storefront')) {
        tokens[role] = await sign(
          {
            sub: subjectOf(`local-user-${role}`),
            'cognito:groups': [role],
            client_id: userClientId,
            token_use: 'access',
            scope: 'aws.cognito.signin.user.admin',
            username: `${role}@oms.localhost`,
            auth_time: Math.floor(Date.now() / 1000),
            version: 2,
          },
          issuer,
        );
      }
      return tokens;
    },
    async signInTokens(auth, who) {
      const issuer = issuerOf(auth);
      const username = who.username?.trim() || `${who.role}@oms.localhost`;
      const sub = subjectOf(who.username?.trim() ? `local-user:${username}` : `local-user-${who.role}`);
      const authTime = Math.floor(Date.now() / 1000);
      const groups = [who.role];
      const [accessToken, idToken] = await Promise.all([
        sign({ sub, 'cognito:groups': groups, client_id: who.clientId, token_use: 'access', scope: who.scope, username, auth_time: authTime, version: 2 }, issuer, who.ttlSeconds),
        sign({ sub, 'cognito:groups': groups, aud: who.clientId, token_use: 'id', 'cognito:username': username, auth_time: authTime }, issuer, who.ttlSeconds),
      ]);
      return { accessToken, idToken };
    },
  };
}
