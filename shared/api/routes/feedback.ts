import * as S from '../schemas-common';
import { FeedbackRequest, FeedbackResponse } from '../schemas-feedback';
import type { RouteDef } from './common';

// Feedback routes, served by functions/returns with the other after-sales routes (a function
// of its own would take the API stack past CloudFormation's 500 resources; move it once the
// stack is split).
export const FEEDBACK_ROUTES = {
  createFeedback: {
    method: 'POST', path: '/orders/{orderId}/feedback', fn: 'returns',
    summary: "Rate a delivered order, once (its own storefront): counted into the customer's and each product's rating; 1-2 reaches customer service",
    auth: ['storefront'], params: S.OrderIdPath, body: FeedbackRequest,
    responses: {
      201: { description: "The feedback as recorded (the order's story shows it)", schema: FeedbackResponse },
      404: { description: 'No such order (or not yours)' },
      409: { description: 'Not delivered; rated already' },
    },
  },
} as const satisfies Record<string, RouteDef>;
