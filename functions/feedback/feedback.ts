import { FEEDBACK_ROUTES as ROUTES } from '../../shared/api/routes/feedback';
import type { FeedbackApp } from '../../shared/app/feedback';
import { actorOf } from '../../shared/domain/actor';
import { created, http, router, type HttpHandler } from '../../shared/middleware/http';
import { logger } from '../../shared/middleware/logger';

export interface FeedbackHandlerDeps {
  feedback: Pick<FeedbackApp, 'give'>;
  now: () => Date;
}

/** Feedback over HTTP: a thin handler over the feedback use case (rules in shared/domain/feedback.ts). */
export function makeHandler(deps: FeedbackHandlerDeps): HttpHandler {
  return router({
    'POST /orders/{orderId}/feedback': http(ROUTES.createFeedback, async ({ params, body, auth, requestId }) => {
      const feedback = await deps.feedback.give(params.orderId, body, {
        actor: actorOf(auth, ROUTES.createFeedback.auth), storefront: auth.principal, causationId: requestId, now: deps.now(),
      });
      logger.info('Feedback', { orderId: params.orderId, rating: feedback.rating });
      return created(feedback);
    }),
  });
}
