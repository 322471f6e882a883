import { ORDER_LOOKUP_ROUTES as ROUTES } from '../../shared/api/routes/order-lookup';
import { NotFoundError } from '../../shared/domain/errors';
import { actorLabel, actorOf } from '../../shared/domain/actor';
import { created, http, ok, router, type HttpHandler } from '../../shared/middleware/http';
import type { CustomerRepository } from '../../shared/store/customer-repository';
import type { OrderLookup } from '../../shared/store/order-lookup';
import { withOutbound, type OutboundRepository } from '../../shared/store/outbound-repository';
import type { OrdersApp } from '../../shared/app';

export interface OrderLookupDeps {
  lookup: Pick<OrderLookup, 'search' | 'idForNumber' | 'ordersById'>;
  orders: Pick<OrdersApp, 'get' | 'addNote'>;
  customers: Pick<CustomerRepository, 'get' | 'orderIds'>;
  /** orders by a shipment's tracking number (an index Query) */
  tracking: Pick<OutboundRepository, 'ordersByTracking'>;
  now: () => Date;
}

/** Staff look-ups (every one a Query on an index or a GetItem) and staff notes. */
export function makeHandler(deps: OrderLookupDeps): HttpHandler {
  return router({
    'GET /orders': http(ROUTES.listOrders, async ({ query }) => {
      const { cursor, limit, trackingNumber, ...filter } = query;
      if (trackingNumber !== undefined) return ok({ items: await deps.lookup.ordersById(await deps.tracking.ordersByTracking(trackingNumber, limit)) });
      return ok(await deps.lookup.search(filter, { cursor, limit, now: deps.now() }));
    }),

    'GET /orders/by-number/{orderNumber}': http(ROUTES.getOrderByNumber, async ({ params }) => {
      const orderId = await deps.lookup.idForNumber(params.orderNumber);
      const found = orderId ? await deps.orders.get(orderId) : undefined;
      if (!found) throw new NotFoundError(`No order numbered ${params.orderNumber}`);
      const { placedBy: _placedBy, ...order } = found;
      return ok(withOutbound(order));
    }),

    'POST /orders/{orderId}/notes': http(ROUTES.addOrderNote, async ({ params, body, auth }) => {
      const entry = await deps.orders.addNote(params.orderId, body.text, actorLabel(actorOf(auth)), deps.now());
      return created(entry);
    }),

    'GET /customers/{customerId}': http(ROUTES.getCustomer, async ({ params }) => {
      const customer = await deps.customers.get(params.customerId);
      if (!customer) throw new NotFoundError(`No customer ${params.customerId}`);
      return ok(customer);
    }),

    'GET /customers/{customerId}/orders': http(ROUTES.customerOrders, async ({ params, query }) => {
      const page = await deps.customers.orderIds(params.customerId, query);
      return ok({ items: await deps.lookup.ordersById(page.items), nextCursor: page.nextCursor });
    }),
  });
}
