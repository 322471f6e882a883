import * as S from '../schemas-orders';
import { ANY_ROLE } from '../../middleware/auth';
import { type RouteDef } from './common';

// The routes functions/get-order serves (its bundle carries these and no others).
export const GET_ORDER_ROUTES = {
  getOrder: {
    method: 'GET', path: '/orders/{orderId}', fn: 'get-order', summary: 'The whole order', auth: ANY_ROLE, params: S.OrderIdPath,
    responses: { 200: { description: 'The order', schema: S.OrderResponse }, 404: { description: 'No such order (or not yours)' } },
  },
} as const satisfies Record<string, RouteDef>;
