import { FULFILMENT_ROUTES as ROUTES } from '../../shared/api/routes/fulfilment';
import { routeKey, type RouteDef } from '../../shared/api/routes/common';
import type { Outbound } from '../../shared/app/outbound';
import { actorOf } from '../../shared/domain/actor';
import type { Fulfilment } from '../../shared/domain/fulfilment';
import type { OrderRecord } from '../../shared/domain/order';
import type { Auth } from '../../shared/middleware/auth';
import { created, http, ok, router, type HttpHandler } from '../../shared/middleware/http';
import { requestHash } from '../../shared/middleware/idempotency';
import { logger } from '../../shared/middleware/logger';
import { pickListHtml } from '../../shared/shipping/pick-list-html';
import { businessMetrics, COUNTS } from '../../shared/observability/metrics';

export interface FulfilmentDeps {
  outbound: Pick<Outbound, 'createFulfilment' | 'fulfilment' | 'pack' | 'cancelFulfilment' | 'createShipment'>;
  now: () => Date;
}

/** Whether the caller prefers the printable page: text/html listed before (or instead of) JSON. */
function wantsHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  const types = accept.split(',').map((p) => {
    const [type = '', ...params] = p.trim().toLowerCase().split(';');
    const q = params.map((x) => x.trim()).find((x) => x.startsWith('q='));
    return { type: type.trim(), q: q ? Number(q.slice(2)) : 1 };
  }).filter((t) => t.q > 0);
  const rank = (t: string) => Math.max(-1, ...types.filter((x) => x.type === t).map((x) => x.q));
  return rank('text/html') > Math.max(rank('application/json'), rank('*/*'));
}

/** The Idempotency-Key claim of a create (the same key for another order or body is another request: 409). */
function claimOf(route: RouteDef, auth: Auth, key: string | undefined, request: unknown) {
  return key ? { scope: auth.principal, key, requestHash: requestHash(routeKey(route), request) } : undefined;
}

function pickList(f: Fulfilment, order: OrderRecord) {
  return {
    fulfillmentId: f.fulfillmentId, orderId: f.orderId, orderNumber: f.orderNumber, status: f.status,
    shipTo: { name: order.customer.name, city: order.shippingAddress.city, country: order.shippingAddress.country },
    lines: f.lines.map((l) => ({ sku: l.sku, name: l.name, quantity: l.quantity, location: l.locationId })),
  };
}

/** Outbound over HTTP (ops, admin): thin handlers over the outbound use cases (rules in shared/domain/fulfilment.ts, shipment.ts). */
export function makeHandler(deps: FulfilmentDeps): HttpHandler {
  return router({
    'POST /orders/{orderId}/fulfillments': http(ROUTES.createFulfilment, async ({ params, body, auth, requestId, idempotencyKey }) => {
      const f = await deps.outbound.createFulfilment(params.orderId, body.lines, {
        actor: actorOf(auth, ROUTES.createFulfilment.auth), causationId: requestId, now: deps.now(),
        claim: claimOf(ROUTES.createFulfilment, auth, idempotencyKey, { params, body }),
      });
      logger.info('Fulfilment opened', { orderId: params.orderId, fulfillmentId: f.fulfillmentId });
      return created(f, `/fulfillments/${f.fulfillmentId}/pick-list`);
    }),

    'GET /fulfillments/{fulfillmentId}/pick-list': http(ROUTES.pickList, async ({ params, event }) => {
      const { fulfilment, order } = await deps.outbound.fulfilment(params.fulfillmentId);
      const list = pickList(fulfilment, order);
      const headers = { vary: 'Accept' };
      if (!wantsHtml(event.headers?.accept)) return { ...ok(list), headers };
      return {
        statusCode: 200,
        headers: { ...headers, 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'" },
        raw: { contentType: 'text/html; charset=utf-8', data: pickListHtml(list) },
      };
    }),

    'POST /fulfillments/{fulfillmentId}/packed': http(ROUTES.packFulfilment, async ({ params, auth, requestId }) =>
      ok(await deps.outbound.pack(params.fulfillmentId, { actor: actorOf(auth, ROUTES.packFulfilment.auth), causationId: requestId, now: deps.now() }))),

    'POST /fulfillments/{fulfillmentId}/cancel': http(ROUTES.cancelFulfilment, async ({ params, auth, requestId }) =>
      ok(await deps.outbound.cancelFulfilment(params.fulfillmentId, { actor: actorOf(auth, ROUTES.cancelFulfilment.auth), causationId: requestId, now: deps.now() }))),

    'POST /orders/{orderId}/shipments': http(ROUTES.createShipment, async ({ params, body, auth, requestId, idempotencyKey }) => {
      const s = await deps.outbound.createShipment(params.orderId, body, {
        actor: actorOf(auth, ROUTES.createShipment.auth), causationId: requestId, now: deps.now(),
        claim: claimOf(ROUTES.createShipment, auth, idempotencyKey, { params, body }),
      });
      logger.info('Shipment created', { orderId: params.orderId, shipmentId: s.shipmentId, carrier: s.carrier, trackingNumber: s.trackingNumber });
      businessMetrics.count(COUNTS.shipments);
      return created(s, `/orders/${params.orderId}`);
    }),
  });
}
