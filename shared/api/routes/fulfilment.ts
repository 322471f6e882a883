import * as S from '../schemas-outbound';
import { OUTBOUND, RETRY_KEY, type RouteDef } from './common';

// The routes functions/fulfilment serves (its bundle carries these and no others).
export const FULFILMENT_ROUTES = {
  // --- outbound: fulfilments (出庫) and shipments (發貨); ops and admin ---
  createFulfilment: {
    method: 'POST', path: '/orders/{orderId}/fulfillments', fn: 'fulfilment', summary: 'Open pick/pack work',
    auth: OUTBOUND, params: S.OrderIdPath, body: S.CreateFulfilmentRequest, headers: [RETRY_KEY],
    responses: {
      201: { description: 'The OPEN fulfilment', schema: S.FulfilmentView, headers: ['location'] },
      404: { description: 'No such order' },
      409: { description: 'Not PAID; more than is left' },
      422: { description: 'No line of that SKU' },
    },
  },
  pickList: {
    method: 'GET', path: '/fulfillments/{fulfillmentId}/pick-list', fn: 'fulfilment', summary: 'Pick list (JSON, or text/html to print)',
    auth: OUTBOUND, params: S.FulfilmentPath,
    responses: { 200: { description: 'The pick list', schema: S.PickList }, 404: { description: 'No such fulfilment' } },
  },
  packFulfilment: {
    method: 'POST', path: '/fulfillments/{fulfillmentId}/packed', fn: 'fulfilment', summary: 'Picked and packed',
    auth: OUTBOUND, params: S.FulfilmentPath,
    responses: { 200: { description: 'The PACKED fulfilment', schema: S.FulfilmentView }, 404: { description: 'No such fulfilment' }, 409: { description: 'Not OPEN' } },
  },
  cancelFulfilment: {
    method: 'POST', path: '/fulfillments/{fulfillmentId}/cancel', fn: 'fulfilment', summary: 'Cancel before shipping',
    auth: OUTBOUND, params: S.FulfilmentPath,
    responses: { 200: { description: 'The CANCELLED fulfilment', schema: S.FulfilmentView }, 404: { description: 'No such fulfilment' }, 409: { description: 'Shipped or cancelled' } },
  },
  createShipment: {
    method: 'POST', path: '/orders/{orderId}/shipments', fn: 'fulfilment', summary: 'Ship packed units',
    auth: OUTBOUND, params: S.OrderIdPath, body: S.CreateShipmentRequest, headers: [RETRY_KEY],
    responses: {
      201: { description: 'The shipment', schema: S.ShipmentView, headers: ['location'] },
      404: { description: 'No such order' },
      409: { description: 'Not packed; tracking number in use' },
      422: { description: 'Carrier cannot book; over 20 SKUs' },
      502: { description: 'Carrier did not book' },
    },
  },
} as const satisfies Record<string, RouteDef>;
