import { PAYMENTS_ROUTES as ROUTES } from '../../shared/api/routes/payments';
import { routeKey } from '../../shared/api/routes/common';
import type { Payments } from '../../shared/app/payments';
import { actorOf } from '../../shared/domain/actor';
import { NotFoundError } from '../../shared/domain/errors';
import type { OrderRecord } from '../../shared/domain/order';
import { hasRole, type Auth } from '../../shared/middleware/auth';
import { created, http, ok, router, type HttpHandler } from '../../shared/middleware/http';
import { requestHash } from '../../shared/middleware/idempotency';
import { logger } from '../../shared/middleware/logger';
import type { OrderRepository } from '../../shared/store/order-repository';
import { businessMetrics, COUNTS, LATENCIES } from '../../shared/observability/metrics';

export interface PaymentsHandlerDeps {
  orders: Pick<OrderRepository, 'getRecord'>;
  payments: Pick<Payments, 'start' | 'list' | 'confirm' | 'requestRefund' | 'confirmRefund'>;
  now: () => Date;
}

const STAFF = ['ops', 'cs', 'finance', 'admin'] as const;

/** Payments and refunds over HTTP: thin handlers over the payment use cases (rules in shared/domain/payment*.ts). */
export function makeHandler(deps: PaymentsHandlerDeps): HttpHandler {
  /** Staff see every order; a storefront only its own (another's looks absent: 404). */
  async function visibleOrder(orderId: string, auth: Auth): Promise<OrderRecord> {
    const order = await deps.orders.getRecord(orderId);
    if (!order || (!hasRole(auth, STAFF) && order.placedBy !== auth.principal)) throw new NotFoundError(`No order ${orderId}`);
    return order;
  }

  return router({
    'POST /orders/{orderId}/payments': http(ROUTES.startPayment, async ({ params, body, auth, requestId }) => {
      const order = await visibleOrder(params.orderId, auth);
      const payment = await deps.payments.start(order.orderId, body.method, {
        actor: actorOf(auth, ROUTES.startPayment.auth), causationId: requestId, now: deps.now(), read: order,
      });
      logger.info('Payment started', { orderId: order.orderId, paymentId: payment.paymentId, method: payment.method });
      return created(payment, `/orders/${order.orderId}/payments`);
    }),

    'GET /orders/{orderId}/payments': http(ROUTES.listPayments, async ({ params, auth }) => {
      await visibleOrder(params.orderId, auth);
      const { payments, refunds, money } = await deps.payments.list(params.orderId);
      return ok({ items: payments, refunds, money });
    }),

    'POST /orders/{orderId}/payments/{paymentId}/confirm': http(ROUTES.confirmPayment, async ({ params, body, auth, requestId }) => {
      const order = await visibleOrder(params.orderId, auth);
      const now = deps.now();
      const payment = await deps.payments.confirm(params.orderId, params.paymentId, body.reference, {
        actor: actorOf(auth, ROUTES.confirmPayment.auth), causationId: requestId, now,
      });
      businessMetrics.count(COUNTS.paymentsSucceeded);
      businessMetrics.latency(LATENCIES.placedToPaid, order.createdAt, now);
      return ok(payment);
    }),

    'POST /orders/{orderId}/refunds': http(ROUTES.requestRefund, async ({ params, body, auth, idempotencyKey, requestId }) => {
      await visibleOrder(params.orderId, auth);
      // the same key for another order, or another amount, is a different request (409)
      const claim = idempotencyKey
        ? { scope: auth.principal, key: idempotencyKey, requestHash: requestHash(routeKey(ROUTES.requestRefund), { params, body }) }
        : undefined;
      const { response, replayed } = await deps.payments.requestRefund(params.orderId, body, {
        actor: actorOf(auth, ROUTES.requestRefund.auth), causationId: requestId, now: deps.now(), claim,
      });
      logger.info('Refund requested', { orderId: params.orderId, replayed, refund: response.body });
      return response;
    }),

    'POST /orders/{orderId}/refunds/{refundId}/confirm': http(ROUTES.confirmRefund, async ({ params, body, auth, requestId }) => {
      await visibleOrder(params.orderId, auth);
      const refund = await deps.payments.confirmRefund(params.orderId, params.refundId, body.reference, {
        actor: actorOf(auth, ROUTES.confirmRefund.auth), causationId: requestId, now: deps.now(),
      });
      businessMetrics.count(COUNTS.refunds);
      return ok(refund);
    }),
  });
}
