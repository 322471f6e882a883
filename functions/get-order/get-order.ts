import { GET_ORDER_ROUTES as ROUTES } from '../../shared/api/routes/get-order';
import { NotFoundError } from '../../shared/domain/errors';
import { withoutLineCosts } from '../../shared/domain/order';
import { hasRole } from '../../shared/middleware/auth';
import { http, ok, type HttpHandler } from '../../shared/middleware/http';
import type { OrderRepository } from '../../shared/store/order-repository';
import { withOutbound } from '../../shared/store/outbound-repository';

export interface GetOrderDeps {
  orders: Pick<OrderRepository, 'get'>;
}

/** Staff see every order; a storefront client only those it placed (others look absent: 404, not 403). */
export function makeHandler(deps: GetOrderDeps): HttpHandler {
  return http(ROUTES.getOrder, async ({ params, auth }) => {
    const found = await deps.orders.get(params.orderId);
    const staff = hasRole(auth, ['ops', 'cs', 'finance', 'admin']);
    if (!found || (!staff && found.placedBy !== auth.principal)) {
      throw new NotFoundError(`No order ${params.orderId}`);
    }
    const { placedBy: _placedBy, ...order } = found;
    return ok(withOutbound(staff ? order : withoutLineCosts(order)));
  });
}
