import * as S from '../schemas';
import { FeedbackRequest, FeedbackResponse } from '../schemas-feedback';
import type { RouteDef } from './common';

// The routes functions/feedback serves (its bundle carries these and no others).
export const FEEDBACK_ROUTES = {
  createFeedback: {
    method: 'POST', path: '/orders/{orderId}/feedback', fn: 'feedback',
    summary: "Rate a delivered order, once (its own storefront): counted into the customer's and each product's rating; 1-2 reaches customer service",
    auth: ['storefront'], params: S.OrderIdPath, body: FeedbackRequest,
    responses: {
      201: { description: "The feedback as recorded (the order's story shows it)", schema: FeedbackResponse },
      404: { description: 'No such order (or not yours)' },
      409: { description: 'Not delivered; rated already' },
    },
  },
} as const satisfies Record<string, RouteDef>;
