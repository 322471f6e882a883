import type { RouteDef } from './common';
import { HEALTH_ROUTES } from './health';
import { CATALOG_ROUTES } from './catalog';
import { INVENTORY_ROUTES } from './inventory';
import { PLACE_ORDER_ROUTES } from './place-order';
import { GET_ORDER_ROUTES } from './get-order';
import { ORDER_LOOKUP_ROUTES } from './order-lookup';
import { NOTIFICATIONS_ROUTES } from './notifications';
import { ORDER_ACTIONS_ROUTES } from './order-actions';
import { SETTINGS_ROUTES } from './settings';
import { RECEIPTS_ROUTES } from './receipts';
import { PAYMENT_WEBHOOKS_ROUTES } from './payment-webhooks';
import { PAYMENTS_ROUTES } from './payments';
import { FULFILMENT_ROUTES } from './fulfilment';
import { CARRIER_WEBHOOKS_ROUTES } from './carrier-webhooks';
import { TRACKING_ROUTES } from './tracking';
import { REPORTS_ROUTES } from './reports';
import { RETURNS_ROUTES } from './returns';
import { INTEGRATIONS_ROUTES } from './integrations';
import { FEEDBACK_ROUTES } from './feedback';

export { COST_READERS, STAFF_CHANNELS, channelsFor, routeKey, type RouteDef } from './common';

// Every route of the HTTP API, with who may call it and what goes in and out, assembled
// from each function's own table (a function imports only its own: ./<function>.ts).
export const ROUTES = {
  ...HEALTH_ROUTES,
  ...CATALOG_ROUTES,
  ...INVENTORY_ROUTES,
  ...PLACE_ORDER_ROUTES,
  ...GET_ORDER_ROUTES,
  ...ORDER_LOOKUP_ROUTES,
  ...NOTIFICATIONS_ROUTES,
  ...ORDER_ACTIONS_ROUTES,
  ...SETTINGS_ROUTES,
  ...RECEIPTS_ROUTES,
  ...PAYMENT_WEBHOOKS_ROUTES,
  ...PAYMENTS_ROUTES,
  ...FULFILMENT_ROUTES,
  ...CARRIER_WEBHOOKS_ROUTES,
  ...TRACKING_ROUTES,
  ...REPORTS_ROUTES,
  ...RETURNS_ROUTES,
  ...INTEGRATIONS_ROUTES,
  ...FEEDBACK_ROUTES,
} as const satisfies Record<string, RouteDef>;

export type RouteName = keyof typeof ROUTES;
