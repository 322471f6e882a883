import * as S from '../schemas-integrations';
import type { RouteDef } from './common';

// The routes functions/integrations serves (its bundle carries these and no others).
// Integrations are the admin's: who hears of our events, and where.
const ADMIN = ['admin'] as const;

export const INTEGRATIONS_ROUTES = {
  putWebhook: {
    method: 'PUT', path: '/integrations/webhooks/{id}', fn: 'integrations', summary: 'Create or replace an outbound webhook subscription (events take it up within 2 s)',
    auth: ADMIN, params: S.WebhookParams, body: S.WebhookRequest,
    responses: {
      200: { description: 'Replaced; a new `secret` starts signing, the previous one keeps signing for the rotation period', schema: S.WebhookPutResponse },
      201: { description: 'Created; without a `secret` in the request one is generated and answered this once', schema: S.WebhookPutResponse },
      409: { description: 'Changed by someone else meanwhile' },
    },
  },
  listWebhooks: {
    method: 'GET', path: '/integrations/webhooks', fn: 'integrations', summary: 'Every webhook subscription (secrets as hints only)',
    auth: ADMIN,
    responses: { 200: { description: 'The subscriptions', schema: S.WebhookList } },
  },
  webhookDeliveries: {
    method: 'GET', path: '/integrations/webhooks/{id}/deliveries', fn: 'integrations', summary: 'A subscription\'s deliveries, newest first: status, attempts, last response',
    auth: ADMIN, params: S.WebhookParams, query: S.WebhookDeliveriesQuery,
    responses: { 200: { description: 'A page of deliveries', schema: S.WebhookDeliveryList }, 404: { description: 'No such subscription' } },
  },
  redeliverWebhook: {
    method: 'POST', path: '/integrations/webhooks/{id}/redeliver', fn: 'integrations', summary: 'Send one event to a subscription again, now',
    auth: ADMIN, params: S.WebhookParams, body: S.RedeliverRequest,
    responses: {
      200: { description: 'Sent again: the delivery as it stands after the attempt', schema: S.WebhookDelivery },
      404: { description: 'No such subscription, or no delivery of that event to it' },
      409: { description: 'An attempt of this delivery is under way' },
      422: { description: 'The subscription is paused' },
    },
  },
  importOrder: {
    method: 'POST', path: '/integrations/orders/{channel}', fn: 'integrations', summary: 'Import a marketplace order (generic import shape; the marketplace\'s SKUs through the channel\'s SKU map)',
    // a marketplace's machine client (a storefront-role client listed in the channel's SKU map), or an admin
    auth: ['storefront', 'admin'], params: S.ChannelParams, body: S.ImportOrderRequest,
    responses: {
      202: { description: 'Accepted (the same externalRef again: the first order)', schema: S.ImportOrderResponse, headers: ['location'] },
      403: { description: 'The client is not one the channel lists' },
      409: { description: 'The same externalRef with a different order' },
      422: { description: 'SKUs the channel\'s map does not know (`skus` lists them), or that our catalog does not; nothing is created' },
    },
  },
  putSkuMap: {
    method: 'PUT', path: '/integrations/channels/{channel}/sku-map', fn: 'integrations', summary: 'Replace a marketplace channel\'s SKU map and the clients that import its orders',
    auth: ADMIN, params: S.ChannelParams, body: S.SkuMapRequest,
    responses: { 200: { description: 'Replaced', schema: S.SkuMapResponse }, 201: { description: 'Created', schema: S.SkuMapResponse }, 409: { description: 'Changed meanwhile' } },
  },
} as const satisfies Record<string, RouteDef>;
