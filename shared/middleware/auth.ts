import { ForbiddenError, UnauthorizedError } from '../domain/errors';
import { ROLES, type Role } from '../domain/roles';

export { ROLES, type Role };
export const ANY_ROLE: readonly Role[] = ROLES;

export interface Auth {
  /** who is calling: the user's `sub`, or the machine client's `client_id` */
  principal: string;
  roles: Role[];
}

type Claims = Record<string, string | number | boolean | string[] | undefined>;

const isRole = (v: string): v is Role => (ROLES as readonly string[]).includes(v);

/**
 * `cognito:groups` is an array in the token, but API Gateway's JWT authorizer hands
 * arrays to Lambda flattened into a string like "[ops admin]"; accept both (and commas).
 * Machine tokens carry OAuth scopes "oms/<role>" instead.
 */
export function rolesFromClaims(claims: Claims): Role[] {
  const groups = claims['cognito:groups'];
  const groupList = Array.isArray(groups)
    ? groups
    : typeof groups === 'string'
      ? groups.replace(/^\[|\]$/g, '').split(/[\s,]+/)
      : [];
  const scopes = typeof claims.scope === 'string' ? claims.scope.split(/\s+/) : [];
  const fromScopes = scopes.filter((s) => s.startsWith('oms/')).map((s) => s.slice('oms/'.length));
  return [...new Set([...groupList, ...fromScopes].map((r) => r.trim()).filter(isRole))];
}

export function authFromClaims(claims: Claims | undefined): Auth | undefined {
  if (!claims) return undefined;
  const principal = claims.sub ?? claims.client_id;
  if (typeof principal !== 'string' || principal === '') return undefined;
  return { principal, roles: rolesFromClaims(claims) };
}

export function authorize(auth: Auth | undefined, allowed: readonly Role[]): Auth {
  if (!auth) throw new UnauthorizedError('A bearer token is required');
  if (!auth.roles.some((r) => allowed.includes(r))) {
    throw new ForbiddenError(`This operation requires one of the roles: ${allowed.join(', ')}`);
  }
  return auth;
}

export const hasRole = (auth: Auth, roles: readonly Role[]) => auth.roles.some((r) => roles.includes(r));
