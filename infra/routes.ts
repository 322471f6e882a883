// Which Lambda serves which route, and the table access each HTTP function needs.
// The routes themselves (method, path, roles, schemas) are declared once, in
// shared/api/routes/ (one module per function), which also drives the handlers'
// validation and the OpenAPI document; this file only groups them by function. Adding
// an endpoint is adding an entry there (with its `fn`), and the function here if new.
//
// The gateway's JWT authorizer authenticates every non-public route. Roles are enforced
// by the handlers, because a person's role arrives as a Cognito group (`cognito:groups`),
// which API Gateway's scope check cannot see; only machine tokens carry `oms/<role>` scopes.

import { ROUTES, type RouteDef } from '../shared/api/routes';
import { ROLES, type Role } from '../shared/domain/roles';
import { RECEIPT_FONT_FILES } from '../shared/payments/receipt-pdf';
import type { BundleAsset, TableAccess } from './constructs/oms-function';

export { ROLES, type Role };

export type HttpVerb = RouteDef['method'];

export interface RouteSpec {
  readonly method: HttpVerb;
  readonly path: string;
  /** 'public' routes have no authorizer; otherwise the roles the handler admits. */
  readonly access: 'public' | readonly Role[];
}

export interface HttpFunctionSpec {
  /** Table access the function needs; omitted = none (least privilege). */
  readonly table?: TableAccess;
  readonly routes: readonly RouteSpec[];
  /** files shipped beside the bundle */
  readonly assets?: readonly BundleAsset[];
  /** gets RECEIPT_SECRET, the key of voucher verification codes */
  readonly receiptSecret?: boolean;
}

// Key = step name = folder under functions/. Events leave through the outbox in the
// same transaction as the change, so no HTTP function needs bus access.
const TABLE_ACCESS: Readonly<Record<string, TableAccess | undefined>> = {
  health: undefined,
  catalog: 'readwrite',
  inventory: 'readwrite',
  'place-order': 'readwrite',
  'get-order': 'read',
  'order-lookup': 'readwrite',
  notifications: 'readwrite',
  'order-actions': 'readwrite',
  settings: 'readwrite',
  receipts: 'read',
  // provider callbacks: the inbox item only (put, update, get); queue and secrets are bound in the API stack
  'payment-webhooks': 'readwrite',
  payments: 'readwrite',
  // fulfilments, shipments (stock commit, tracking record) in one transaction each
  fulfilment: 'readwrite',
  // carrier callbacks: the inbox item only (put, update, get); queue and secrets are bound in the API stack
  'carrier-webhooks': 'readwrite',
  // public tracking: reads the tracking record only
  tracking: 'read',
  // reports: the counter items, and for the inventory report the products, stock levels and ledger window
  reports: 'read',
  // returns and claims: the return, the order's version, stock movements and the refund in one transaction each;
  // feedback: the order (read), its FEEDBACK item, the customer's and products' counters in one transaction
  returns: 'readwrite',
  // outbound webhooks: subscriptions, their deliveries, a redelivery (sends); the pause's outbox event
  integrations: 'readwrite',
};

// What some functions need beyond table access: the receipts function ships the voucher's
// two faces beside its bundle (read from `fonts/` next to index.js) and signs codes with its own key.
const EXTRAS: Readonly<Record<string, Pick<HttpFunctionSpec, 'assets' | 'receiptSecret'>>> = {
  receipts: {
    assets: Object.values(RECEIPT_FONT_FILES).map((f) => ({ from: `node_modules/${f.source}`, to: `fonts/${f.name}` })),
    receiptSecret: true,
  },
};

const routesOf = (step: string): RouteSpec[] =>
  Object.values<RouteDef>(ROUTES)
    .filter((r) => r.fn === step)
    .map((r) => ({ method: r.method, path: r.path, access: r.auth }));

export const HTTP_FUNCTIONS: Readonly<Record<string, HttpFunctionSpec>> = Object.fromEntries(
  Object.entries(TABLE_ACCESS).map(([step, table]) => [step, { ...(table ? { table } : {}), routes: routesOf(step), ...EXTRAS[step] }]),
);

const unserved = Object.values<RouteDef>(ROUTES).filter((r) => !(r.fn in TABLE_ACCESS));
if (unserved.length > 0) {
  throw new Error(`Routes name a function that infra/routes.ts does not declare: ${unserved.map((r) => `${r.method} ${r.path} -> ${r.fn}`).join(', ')}`);
}
