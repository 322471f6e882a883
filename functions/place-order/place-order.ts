import { randomId } from '../../shared/store/ids';
import { PLACE_ORDER_ROUTES as ROUTES } from '../../shared/api/routes/place-order';
import { channelsFor, routeKey } from '../../shared/api/routes/common';
import { ForbiddenError, ValidationError } from '../../shared/domain/errors';
import { actorLabel, actorOf } from '../../shared/domain/actor';
import { hasRole } from '../../shared/middleware/auth';
import { http, type HttpHandler } from '../../shared/middleware/http';
import { requestHash } from '../../shared/middleware/idempotency';
import { placeOrder, type PlacementSteps } from '../../shared/app/place-order';
import { businessMetrics, COUNTS } from '../../shared/observability/metrics';

export interface PlaceOrderDeps {
  orders: Pick<PlacementSteps, 'readForPlacement' | 'nextOrderSequence' | 'create'>;
  now: () => Date;
  newId?: () => string;
}

export function makeHandler(deps: PlaceOrderDeps): HttpHandler {
  const newId = deps.newId ?? randomId;
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
    const result = await placeOrder(deps.orders, {
      body,
      principal: auth.principal,
      actor: actorLabel(actorOf(auth, ['cs', 'admin'])),
      causationId: requestId,
      now: deps.now(),
      orderId: newId(),
      ...(idempotencyKey ? { retry: { key: idempotencyKey, requestHash: hash } } : {}),
      // Importing the same marketplace order twice yields one order. The reference is
      // unique per caller and channel: another client's use of the same reference is
      // a different order, so nobody learns whether someone else used it.
      externalRefScope: `extref:${body.channel}:${auth.principal}`,
      requestHash: hash,
    });
    if (!result.replayed) businessMetrics.count(COUNTS.ordersPlaced);
    return result.response;
  });
}
