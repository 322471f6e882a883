import { FEEDBACK_ROUTES } from '../../shared/api/routes/feedback';
import { RETURNS_ROUTES as ROUTES } from '../../shared/api/routes/returns';
import type { FeedbackApp } from '../../shared/app/feedback';
import type { Returns } from '../../shared/app/returns';
import { actorOf } from '../../shared/domain/actor';
import { NotFoundError } from '../../shared/domain/errors';
import type { OrderRecord } from '../../shared/domain/order';
import { returnView } from '../../shared/domain/returns';
import { hasRole, type Auth } from '../../shared/middleware/auth';
import { created, http, ok, router, type HttpHandler } from '../../shared/middleware/http';
import { requestHash } from '../../shared/middleware/idempotency';
import { routeKey } from '../../shared/api/routes/common';
import { logger } from '../../shared/middleware/logger';

export interface ReturnsHandlerDeps {
  returns: Pick<Returns, 'requestOnce' | 'get' | 'ofOrder' | 'inStatus' | 'approve' | 'reject' | 'receive' | 'close'>;
  feedback: Pick<FeedbackApp, 'give'>;
  now: () => Date;
}

const STAFF = ['ops', 'cs', 'finance', 'admin'] as const;

/** A storefront sees only its own orders' returns (another's look absent: 404); staff see all. */
const storefrontOf = (auth: Auth): string | undefined => (hasRole(auth, STAFF) ? undefined : auth.principal);

function visible(order: OrderRecord, auth: Auth, what: string): void {
  const own = storefrontOf(auth);
  if (own !== undefined && order.placedBy !== own) throw new NotFoundError(`No ${what}`);
}

/** After-sales over HTTP: thin handlers over the return use cases (rules in shared/domain/returns.ts). */
export function makeHandler(deps: ReturnsHandlerDeps): HttpHandler {
  const opts = (auth: Auth, allowed: readonly string[], requestId: string) => ({ actor: actorOf(auth, allowed), causationId: requestId, now: deps.now() });

  return router({
    'POST /orders/{orderId}/returns': http(ROUTES.createReturn, async ({ params, body, auth, requestId, idempotencyKey }) => {
      const claim = idempotencyKey
        ? { scope: auth.principal, key: idempotencyKey, requestHash: requestHash(`${routeKey(ROUTES.createReturn)} ${params.orderId}`, body) }
        : undefined;
      const { r, response, replayed } = await deps.returns.requestOnce(params.orderId, body, { ...opts(auth, ROUTES.createReturn.auth, requestId), storefront: storefrontOf(auth), claim });
      logger.info('Return requested', { orderId: params.orderId, returnId: r?.returnId, type: r?.kind, status: r?.status, replayed });
      return response;
    }),

    'GET /orders/{orderId}/returns': http(ROUTES.listOrderReturns, async ({ params, auth }) => {
      const { order, returns } = await deps.returns.ofOrder(params.orderId);
      visible(order, auth, `order ${params.orderId}`);
      return ok({ items: returns.map(returnView) });
    }),

    'GET /returns': http(ROUTES.listReturns, async ({ query }) => {
      const { status, ...page } = query;
      const { items, nextCursor } = await deps.returns.inStatus(status, page);
      return ok({ items: items.map(returnView), ...(nextCursor ? { nextCursor } : {}) });
    }),

    'GET /returns/{returnId}': http(ROUTES.getReturn, async ({ params, auth }) => {
      const { order, r } = await deps.returns.get(params.returnId);
      visible(order, auth, `return ${params.returnId}`);
      return ok(returnView(r));
    }),

    'POST /returns/{returnId}/approve': http(ROUTES.approveReturn, async ({ params, auth, requestId }) =>
      ok(returnView(await deps.returns.approve(params.returnId, opts(auth, ROUTES.approveReturn.auth, requestId))))),

    'POST /returns/{returnId}/reject': http(ROUTES.rejectReturn, async ({ params, body, auth, requestId }) =>
      ok(returnView(await deps.returns.reject(params.returnId, body.reason, opts(auth, ROUTES.rejectReturn.auth, requestId))))),

    'POST /returns/{returnId}/receive': http(ROUTES.receiveReturn, async ({ params, body, auth, requestId }) => {
      const r = await deps.returns.receive(params.returnId, body.lines, body.locationId, opts(auth, ROUTES.receiveReturn.auth, requestId));
      logger.info('Return received', { orderId: r.orderId, returnId: r.returnId, status: r.status, refundId: r.refund?.refundId });
      return ok(returnView(r));
    }),

    // feedback (rules in shared/domain/feedback.ts): the order's own storefront, once it is delivered
    'POST /orders/{orderId}/feedback': http(FEEDBACK_ROUTES.createFeedback, async ({ params, body, auth, requestId }) => {
      const feedback = await deps.feedback.give(params.orderId, body, {
        actor: actorOf(auth, FEEDBACK_ROUTES.createFeedback.auth), storefront: auth.principal, causationId: requestId, now: deps.now(),
      });
      logger.info('Feedback', { orderId: params.orderId, rating: feedback.rating });
      return created(feedback);
    }),

    'POST /returns/{returnId}/close': http(ROUTES.closeReturn, async ({ params, auth, requestId }) =>
      ok(returnView(await deps.returns.close(params.returnId, opts(auth, ROUTES.closeReturn.auth, requestId))))),
  });
}
