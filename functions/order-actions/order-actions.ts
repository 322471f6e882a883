import { ORDER_ACTIONS_ROUTES as ROUTES } from '../../shared/api/routes/order-actions';
import { actorOf } from '../../shared/domain/actor';
import { NotFoundError } from '../../shared/domain/errors';
import { issuersOf, type Actor, type CommandType } from '../../shared/domain/lifecycle';
import { withoutLineCosts } from '../../shared/domain/order';
import { defaultWorkflowSettings, WorkflowSettings } from '../../shared/domain/workflow-settings';
import type { Auth } from '../../shared/middleware/auth';
import { http, ok, router, type HttpEvent, type HttpHandler } from '../../shared/middleware/http';
import { ifMatchVersion } from '../../shared/middleware/if-match';
import { logger } from '../../shared/middleware/logger';
import type { OrderLifecycle } from '../../shared/app/order-lifecycle';
import type { OrderRepository } from '../../shared/store/order-repository';
import type { Settings } from '../../shared/app/settings';
import { withOutbound } from '../../shared/store/outbound-repository';
import { businessMetrics, COUNTS } from '../../shared/observability/metrics';

export interface OrderActionsDeps {
  orders: Pick<OrderRepository, 'get' | 'getRecord'>;
  lifecycle: Pick<OrderLifecycle, 'transition'>;
  settings: Pick<Settings, 'get'>;
  now: () => Date;
}

/** The capacity the caller acts in: a staff role that may issue the command, else the storefront. */
export function actorFor(auth: Auth, command: CommandType): Actor {
  return actorOf(auth, issuersOf(command));
}

/** Approve, reject and cancel: thin HTTP over the lifecycle transition (rules in lifecycle.ts). */
export function makeHandler(deps: OrderActionsDeps): HttpHandler {
  const act = async (
    command: CommandType, orderId: string, auth: Auth, reason: string | undefined, event: HttpEvent, requestId: string,
  ) => {
    const actor = actorFor(auth, command);
    if (actor.kind === 'storefront') {
      // another client's order does not exist for this one: 404, never 403
      const order = await deps.orders.getRecord(orderId);
      if (!order || order.placedBy !== auth.principal) throw new NotFoundError(`No order ${orderId}`);
    }
    const paymentDeadlineMinutes = command === 'approve'
      ? (await deps.settings.get('workflow', WorkflowSettings, defaultWorkflowSettings())).paymentDeadlineMinutes
      : undefined;
    const version = ifMatchVersion(event);
    const { decision } = await deps.lifecycle.transition(
      orderId,
      { type: command, actor, ...(reason !== undefined ? { reason } : {}), ...(version !== undefined ? { expectedVersion: version } : {}) },
      { causationId: requestId, now: deps.now(), ...(paymentDeadlineMinutes !== undefined ? { paymentDeadlineMinutes } : {}) },
    );
    logger.info('Order transition', { orderId, command, from: decision.previousStatus, to: decision.status, stock: decision.stock });
    if (command === 'approve') businessMetrics.count(COUNTS.ordersApproved);
    const view = await deps.orders.get(orderId);
    if (!view) throw new NotFoundError(`No order ${orderId}`);
    const { placedBy: _placedBy, ...order } = view;
    return ok(withOutbound(actor.kind === 'storefront' ? withoutLineCosts(order) : order));
  };

  return router({
    'POST /orders/{orderId}/approve': http(ROUTES.approveOrder, ({ params, auth, event, requestId }) =>
      act('approve', params.orderId, auth, undefined, event, requestId)),
    'POST /orders/{orderId}/reject': http(ROUTES.rejectOrder, ({ params, body, auth, event, requestId }) =>
      act('reject', params.orderId, auth, body.reason, event, requestId)),
    'POST /orders/{orderId}/cancel': http(ROUTES.cancelOrder, ({ params, body, auth, event, requestId }) =>
      act('cancel', params.orderId, auth, body.reason, event, requestId)),
  });
}
