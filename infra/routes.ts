// The HTTP surface in one place: which function serves which route, and who may call it.
// Adding an endpoint is adding a line here (and its handler under functions/<name>/).
//
// The gateway's JWT authorizer authenticates every non-public route. Roles are enforced
// by the handlers, because a person's role arrives as a Cognito group (`cognito:groups`),
// which API Gateway's scope check cannot see; only machine tokens carry `oms/<role>` scopes.

import type { TableAccess } from './constructs/oms-function';

export const ROLES = ['storefront', 'ops', 'cs', 'finance', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export type HttpVerb = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteSpec {
  readonly method: HttpVerb;
  readonly path: string;
  /** 'public' routes have no authorizer; otherwise the roles the handler admits. */
  readonly access: 'public' | readonly Role[];
}

const ANY_ROLE = ROLES;

export interface HttpFunctionSpec {
  /** Table access the function needs; omitted = none (least privilege). */
  readonly table?: TableAccess;
  readonly routes: readonly RouteSpec[];
}

// Key = step name = folder under functions/.
export const HTTP_FUNCTIONS: Readonly<Record<string, HttpFunctionSpec>> = {
  health: {
    routes: [
      { method: 'GET', path: '/health', access: 'public' },
      { method: 'GET', path: '/openapi.json', access: 'public' },
    ],
  },
  catalog: {
    table: 'readwrite',
    routes: [
      { method: 'PUT', path: '/products/{sku}', access: ['ops', 'admin'] },
      { method: 'GET', path: '/products/{sku}', access: ANY_ROLE },
      { method: 'GET', path: '/products', access: ANY_ROLE },
    ],
  },
  inventory: {
    table: 'readwrite',
    routes: [
      { method: 'POST', path: '/inventory/{sku}/adjustments', access: ['ops', 'admin'] },
      { method: 'GET', path: '/inventory/{sku}', access: ['ops', 'cs', 'admin'] },
      { method: 'GET', path: '/inventory', access: ['ops', 'cs', 'admin'] },
    ],
  },
  'place-order': {
    // Events leave through the outbox in the same transaction, so no bus access here.
    table: 'readwrite',
    routes: [{ method: 'POST', path: '/orders', access: ['storefront', 'cs', 'admin'] }],
  },
  'get-order': {
    table: 'read',
    // Storefront tokens only see their own orders; the handler checks ownership.
    routes: [{ method: 'GET', path: '/orders/{orderId}', access: ANY_ROLE }],
  },
};
