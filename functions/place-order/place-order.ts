import { ulid } from 'ulid';
import { PLACE_ORDER_ROUTES as ROUTES } from '../../shared/api/routes/place-order';
import { channelsFor, routeKey } from '../../shared/api/routes/common';
import type { PlaceOrderResponse } from '../../shared/api/schemas';
import { ForbiddenError, ValidationError } from '../../shared/domain/errors';
import { newOrder, priceOrder } from '../../shared/domain/order';
import { formatOrderNumber, orderDay } from '../../shared/domain/order-number';
import { actorLabel, actorOf } from '../../shared/domain/actor';
import { hasRole } from '../../shared/middleware/auth';
import { http, type HttpHandler } from '../../shared/middleware/http';
import { appendLogContext } from '../../shared/middleware/logger';
import { requestHash } from '../../shared/middleware/idempotency';
import type { OrdersApp } from '../../shared/app';
import type { IdempotencyClaim, StoredResponse } from '../../shared/store/idempotency';
import { businessMetrics, COUNTS } from '../../shared/observability/metrics';

export interface PlaceOrderDeps {
  orders: Pick<OrdersApp, 'readForPlacement' | 'nextOrderSequence' | 'create'>;
  now: () => Date;
  newId?: () => string;
}

export function makeHandler(deps: PlaceOrderDeps): HttpHandler {
  const newId = deps.newId ?? (() => ulid());
  return http(ROUTES.placeOrder, async ({ body, auth, idempotencyKey, requestId }) => {
    // staff tools may omit the key; a storefront retrying over a flaky network must not
    if (!idempotencyKey && !hasRole(auth, ['cs', 'admin'])) {
      throw new ValidationError('The Idempotency-Key header is required', [
        { path: 'headers.idempotency-key', message: 'is required' },
      ]);
    }
    if (!channelsFor(ROUTES.placeOrder, auth.roles).has(body.channel)) {
      throw new ForbiddenError(`Your role does not place ${body.channel} orders`);
    }
    const hash = requestHash(routeKey(ROUTES.placeOrder), body);
    const claims: IdempotencyClaim[] = [
      ...(idempotencyKey ? [{ scope: auth.principal, key: idempotencyKey, requestHash: hash }] : []),
      // Importing the same marketplace order twice yields one order. The reference is
      // unique per caller and channel: another client's use of the same reference is
      // a different order, so nobody learns whether someone else used it.
      ...(body.externalRef ? [{ scope: `extref:${body.channel}:${auth.principal}`, key: body.externalRef, requestHash: hash }] : []),
    ];
    const now = deps.now();
    // One read for the replay check, the products and the customer's email claim.
    const read = await deps.orders.readForPlacement({ claims, skus: body.lines.map((l) => l.sku), email: body.customer.email, now });
    if (read.replay) return read.replay;

    const catalog = read.products;
    const priced = priceOrder(body, catalog);
    const sequence = await deps.orders.nextOrderSequence(orderDay(now));
    const order = newOrder(body, priced, {
      orderId: newId(),
      orderNumber: formatOrderNumber(body.channel, now, sequence),
      placedBy: auth.principal,
      now,
    });
    appendLogContext({ orderId: order.orderId });
    const answer: PlaceOrderResponse = { orderId: order.orderId, orderNumber: order.orderNumber, status: 'PENDING' };
    const response: StoredResponse = { statusCode: 202, body: answer, headers: { location: `/orders/${order.orderId}` } };
    const result = await deps.orders.create(order, {
      claims,
      response,
      actor: actorLabel(actorOf(auth, ['cs', 'admin'])),
      causationId: requestId,
      now,
      existingCustomerId: read.existingCustomerId,
    });
    if (!result.replayed) businessMetrics.count(COUNTS.ordersPlaced);
    return result.response;
  });
}
