import type { z } from 'zod';
import { PLACED_CHANNELS, type Channel } from '../../domain/order-number';
import type { Role } from '../../middleware/auth';

export interface RouteDef {
  method: 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  /** The step (folder under functions/) whose Lambda serves this route. */
  fn: string;
  summary: string;
  auth: 'public' | readonly Role[];
  /** Where a route's answer depends on the role: which roles may use which channels (POST /orders). */
  channels?: Partial<Record<Role, readonly Channel[]>>;
  body?: z.ZodType;
  params?: z.ZodType;
  query?: z.ZodType;
  /** request headers worth documenting */
  headers?: { name: string; required: boolean; description: string }[];
  responses: Record<number, { description: string; schema?: z.ZodType; headers?: string[] }>;
}

// Who may call what, as API.md's "Auth and roles" table says; a test calls every
// role x route cell of this table over HTTP.
export const STAFF_STOCK: readonly Role[] = ['ops', 'admin'];
/** read orders and customers: everyone on staff (ops for shipping, finance for payments) */
export const STAFF_LOOKUP: readonly Role[] = ['ops', 'cs', 'finance', 'admin'];
/** notes in an order's timeline */
export const STAFF_NOTES: readonly Role[] = ['ops', 'cs', 'admin'];
/** Product cost is for staff only: a storefront reads the catalog without it. */
export const COST_READERS: readonly Role[] = ['ops', 'cs', 'finance', 'admin'];
/** Staff place orders taken by phone, e-mail or in a store; web, app and marketplace orders come from their clients. */
export const STAFF_CHANNELS: readonly Channel[] = ['phone', 'email', 'store'];
/** a payment's voucher: the customer's storefront for its own order, customer service and finance */
export const RECEIPT_READERS: readonly Role[] = ['storefront', 'cs', 'finance', 'admin'];
/** who may start a payment: the storefront for its own orders, and staff who take payments */
export const PAYERS: readonly Role[] = ['storefront', 'cs', 'finance', 'admin'];
/** payments settled by hand and refunds */
export const MONEY_STAFF: readonly Role[] = ['finance', 'admin'];
/** picking, packing and shipping */
export const OUTBOUND: readonly Role[] = ['ops', 'admin'];
/** customer service edits customers' preferences and tags */
export const CUSTOMER_EDITORS: readonly Role[] = ['cs', 'admin'];
/** a customer's personal data: customer service exports it (a customer's request), only an admin erases it */
export const CUSTOMER_DATA_EXPORTERS: readonly Role[] = ['cs', 'admin'];
export const CUSTOMER_DATA_ERASERS: readonly Role[] = ['admin'];
export const IF_MATCH_CUSTOMER = { name: 'If-Match', required: false, description: 'The customer version being edited (or `version` in the body); one of them is required.' };
export const RETRY_KEY = { name: 'Idempotency-Key', required: false, description: 'Same key: the first answer again.' };
export const IF_MATCH_ORDER = {
  name: 'If-Match', required: false, description: 'The order version the caller saw: a changed order is 409 instead of acted on.',
};

export const IF_MATCH_SETTINGS = {
  name: 'If-Match', required: false, description: 'The version being replaced (or `version` in the body); one of them is required.',
};

// Every route of the HTTP API, with who may call it and what goes in and out.
// routeKey = `${method} ${path}`, exactly as API Gateway names it.

/** `${method} ${path}`, exactly as API Gateway names a route. */
export const routeKey = (r: RouteDef) => `${r.method} ${r.path}`;

/** The channels a caller may use on a route that restricts them (any role of the caller counts). */
export function channelsFor(route: RouteDef, roles: readonly Role[]): ReadonlySet<Channel> {
  if (!route.channels) return new Set(PLACED_CHANNELS);
  return new Set(roles.flatMap((role) => route.channels?.[role] ?? []));
}
