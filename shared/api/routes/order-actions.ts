import * as S from '../schemas-orders';
import { IF_MATCH_ORDER, type RouteDef } from './common';

// The routes functions/order-actions serves (its bundle carries these and no others).
export const ORDER_ACTIONS_ROUTES = {
  approveOrder: {
    method: 'POST', path: '/orders/{orderId}/approve', fn: 'order-actions', summary: 'Approve an order waiting for review',
    auth: ['ops', 'admin'], params: S.OrderIdPath, headers: [IF_MATCH_ORDER],
    responses: {
      200: { description: 'Approved: AWAITING_PAYMENT until its payment deadline', schema: S.OrderResponse },
      404: { description: 'No such order' },
      409: { description: 'Not IN_REVIEW (or changed since If-Match); the problem names the current status' },
    },
  },
  rejectOrder: {
    method: 'POST', path: '/orders/{orderId}/reject', fn: 'order-actions', summary: 'Reject an order waiting for review (releases its stock)',
    auth: ['ops', 'admin'], params: S.OrderIdPath, body: S.ReasonRequest, headers: [IF_MATCH_ORDER],
    responses: {
      200: { description: 'Rejected; its stock is available again', schema: S.OrderResponse },
      404: { description: 'No such order' },
      409: { description: 'Not IN_REVIEW (or changed since If-Match); the problem names the current status' },
    },
  },
  cancelOrder: {
    method: 'POST', path: '/orders/{orderId}/cancel', fn: 'order-actions',
    summary: 'Cancel an order (releases its stock); a storefront only its own, before payment',
    auth: ['storefront', 'cs', 'admin'], params: S.OrderIdPath, body: S.ReasonRequest, headers: [IF_MATCH_ORDER],
    responses: {
      200: { description: 'Cancelled; its stock is available again', schema: S.OrderResponse },
      403: { description: 'A storefront after payment (customer service cancels and refunds)' },
      404: { description: 'No such order (or not yours)' },
      409: { description: 'Cannot be cancelled from its status (or changed since If-Match); the problem names the current status' },
    },
  },
} as const satisfies Record<string, RouteDef>;
