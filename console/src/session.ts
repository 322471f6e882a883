import { STAFF_ROLES, type Role, type StaffRole } from './roles';
import { store } from './store';

// Who is signed in: the bearer token and the roles its claims give, as the API's
// authorizer reads them (cognito:groups for people, oms/<role> scopes for machines).
export { STAFF_ROLES, type Role, type StaffRole };

export interface Session {
  token: string;
  /** the staff roles the token carries (never empty) */
  roles: StaffRole[];
  /** who: the token's username, e-mail or subject */
  name: string;
  expiresAt?: number;
}

const KEY = 'oms.console.token';

export function claimsOf(token: string): Record<string, unknown> | undefined {
  const part = token.split('.')[1];
  if (!part) return undefined;
  try {
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '='));
    const claims: unknown = JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0))));
    return claims && typeof claims === 'object' ? (claims as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function rolesOf(claims: Record<string, unknown>): Role[] {
  const groups = claims['cognito:groups'];
  const list = Array.isArray(groups) ? groups.map(String) : typeof groups === 'string' ? groups.replace(/^\[|\]$/g, '').split(/[\s,]+/) : [];
  const scopes = typeof claims.scope === 'string' ? claims.scope.split(/\s+/).filter((s) => s.startsWith('oms/')).map((s) => s.slice(4)) : [];
  const known: readonly string[] = [...STAFF_ROLES, 'storefront'];
  return [...new Set([...list, ...scopes])].filter((r): r is Role => known.includes(r));
}

export type SessionResult = { ok: true; session: Session } | { ok: false; reason: 'malformed' | 'expired' | 'not-staff' };

/** A session from a token, or why the console will not use it. */
export function sessionOf(token: string, now = Date.now()): SessionResult {
  const claims = claimsOf(token.trim());
  if (!claims) return { ok: false, reason: 'malformed' };
  const exp = typeof claims.exp === 'number' ? claims.exp * 1000 : undefined;
  if (exp !== undefined && exp <= now) return { ok: false, reason: 'expired' };
  const roles = rolesOf(claims).filter((r): r is StaffRole => r !== 'storefront');
  if (roles.length === 0) return { ok: false, reason: 'not-staff' };
  const name = [claims['cognito:username'], claims.username, claims.email, claims.sub].find((v) => typeof v === 'string') as string | undefined;
  return { ok: true, session: { token: token.trim(), roles, name: name ?? roles.join(', '), ...(exp ? { expiresAt: exp } : {}) } };
}

function restore(): Session | undefined {
  const token = sessionStorage.getItem(KEY);
  if (!token) return undefined;
  const result = sessionOf(token);
  if (result.ok) return result.session;
  sessionStorage.removeItem(KEY);
  return undefined;
}

export const session = store<Session | undefined>(restore());

/** Signs in with a token; answers why not when the console cannot use it (nothing is kept then). */
export function signIn(token: string): SessionResult {
  const result = sessionOf(token);
  if (result.ok) {
    sessionStorage.setItem(KEY, result.session.token);
    session.set(result.session);
  }
  return result;
}

export function signOut() {
  sessionStorage.removeItem(KEY);
  session.set(undefined);
}
