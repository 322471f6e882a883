import { ORDER_LOOKUP_ROUTES as ROUTES } from '../../shared/api/routes/order-lookup';
import { NotFoundError } from '../../shared/domain/errors';
import { actorLabel, actorOf } from '../../shared/domain/actor';
import { created, http, ok, router, type HttpHandler } from '../../shared/middleware/http';
import type { CustomerRepository } from '../../shared/store/customer-repository';
import type { OrderLookup } from '../../shared/store/order-lookup';
import { withOutbound, type OutboundRepository } from '../../shared/store/outbound-repository';
import type { OrdersApp } from '../../shared/app';
import type { makeCustomerEdits } from '../../shared/app/customer-edits';
import type { OrderStory } from '../../shared/app/order-story';
import type { CustomerData } from '../../shared/app/customer-data';
import { etag, replacedVersion } from '../../shared/middleware/if-match';

export interface OrderLookupDeps {
  lookup: Pick<OrderLookup, 'search' | 'idForNumber' | 'ordersById' | 'idsForPhone' | 'idsForPaymentRef'>;
  orders: Pick<OrdersApp, 'get' | 'addNote'>;
  customers: Pick<CustomerRepository, 'get' | 'orderIds'>;
  /** orders by a shipment's tracking number (an index Query) */
  tracking: Pick<OutboundRepository, 'ordersByTracking'>;
  /** the order's whole story (bounded reads) */
  story: (orderId: string) => Promise<OrderStory | undefined>;
  editCustomer: ReturnType<typeof makeCustomerEdits>;
  /** a customer's personal data: export and erasure */
  customerData: CustomerData;
  now: () => Date;
}

/** Staff look-ups (every one a Query on an index or a GetItem) and staff notes. */
export function makeHandler(deps: OrderLookupDeps): HttpHandler {
  return router({
    'GET /orders': http(ROUTES.listOrders, async ({ query }) => {
      const { cursor, limit, trackingNumber, phone, paymentRef, ...filter } = query;
      if (trackingNumber !== undefined) return ok({ items: await deps.lookup.ordersById(await deps.tracking.ordersByTracking(trackingNumber, limit)) });
      if (paymentRef !== undefined) return ok({ items: await deps.lookup.ordersById(await deps.lookup.idsForPaymentRef(paymentRef, limit)) });
      if (phone !== undefined) {
        const page = await deps.lookup.idsForPhone(phone, { limit, ...(cursor !== undefined ? { cursor } : {}) });
        return ok({ items: await deps.lookup.ordersById(page.items), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) });
      }
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

    'GET /orders/{orderId}/story': http(ROUTES.orderStory, async ({ params }) => {
      const story = await deps.story(params.orderId);
      if (!story) throw new NotFoundError(`Order ${params.orderId} not found`);
      return ok(story);
    }),

    'GET /customers/{customerId}': http(ROUTES.getCustomer, async ({ params }) => {
      const customer = await deps.customers.get(params.customerId);
      if (!customer) throw new NotFoundError(`No customer ${params.customerId}`);
      return { ...ok(customer), headers: etag(customer.version) };
    }),

    'PATCH /customers/{customerId}': http(ROUTES.patchCustomer, async ({ params, body, event }) => {
      const { version: bodyVersion, ...patch } = body;
      const customer = await deps.editCustomer(params.customerId, patch, replacedVersion(event, bodyVersion), deps.now());
      return { ...ok(customer), headers: etag(customer.version) };
    }),

    'GET /customers/{customerId}/export': http(ROUTES.exportCustomer, async ({ params, query }) =>
      ok(await deps.customerData.exportCustomer(params.customerId, { cursor: query.cursor, now: deps.now() }))),

    'POST /customers/{customerId}/erase': http(ROUTES.eraseCustomer, async ({ params, body, auth, requestId }) => {
      const actor = actorLabel(actorOf(auth, ROUTES.eraseCustomer.auth));
      const record = await deps.customerData.erase(params.customerId, { reason: body.reason, actor, now: deps.now(), causationId: requestId });
      return { statusCode: record.status === 'COMPLETE' ? 200 : 202, body: record };
    }),

    'GET /customers/{customerId}/orders': http(ROUTES.customerOrders, async ({ params, query }) => {
      const page = await deps.customers.orderIds(params.customerId, query);
      return ok({ items: await deps.lookup.ordersById(page.items), nextCursor: page.nextCursor });
    }),
  });
}
