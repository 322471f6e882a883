import * as S from '../schemas-place-order';
import { PLACED_CHANNELS } from '../../domain/order-number';
import { STAFF_CHANNELS, type RouteDef } from './common';

// The routes functions/place-order serves (its bundle carries these and no others).
export const PLACE_ORDER_ROUTES = {
  placeOrder: {
    method: 'POST', path: '/orders', fn: 'place-order', summary: 'Place an order (stock is reserved asynchronously)',
    auth: ['storefront', 'cs', 'admin'], channels: { storefront: PLACED_CHANNELS, admin: PLACED_CHANNELS, cs: STAFF_CHANNELS }, body: S.PlaceOrderBody,
    headers: [{ name: 'Idempotency-Key', required: false, description: 'Required for storefront clients. Same key + same body replays the first response; same key + different body is 409.' }],
    responses: {
      202: { description: 'Accepted', schema: S.PlaceOrderResponse, headers: ['location'] },
      403: { description: 'The channel is not one the role places orders on (customer service: phone, email, store)' },
      409: { description: 'Idempotency-Key or externalRef reused with a different request' },
      422: { description: 'Unknown SKUs, mixed currencies or too many SKUs' },
    },
  },
} as const satisfies Record<string, RouteDef>;
