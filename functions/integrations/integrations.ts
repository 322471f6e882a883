import { INTEGRATIONS_ROUTES as ROUTES } from '../../shared/api/routes/integrations';
import { randomId } from '../../shared/store/ids';
import { routeKey } from '../../shared/api/routes/common';
import type { Imports } from '../../shared/app/marketplace-import';
import type { Webhooks } from '../../shared/app/webhooks';
import { actorLabel, actorOf } from '../../shared/domain/actor';
import { hasRole } from '../../shared/middleware/auth';
import { created, http, ok, router, type HttpHandler } from '../../shared/middleware/http';
import { requestHash } from '../../shared/middleware/idempotency';
import { businessMetrics, COUNTS } from '../../shared/observability/metrics';
import { logger } from '../../shared/middleware/logger';

export interface IntegrationsDeps {
  webhooks: Pick<Webhooks, 'put' | 'list' | 'deliveries' | 'redeliver'>;
  imports: Pick<Imports, 'putSkuMap' | 'importOrder'>;
  now: () => Date;
  newId?: () => string;
}

/** The admin's integrations (outbound webhook subscriptions, their deliveries, a redelivery, SKU maps) and marketplace imports. */
export function makeHandler(deps: IntegrationsDeps): HttpHandler {
  const newId = deps.newId ?? randomId;
  return router({
    'PUT /integrations/webhooks/{id}': http(ROUTES.putWebhook, async ({ params, body, auth }) => {
      const { webhook, created: isNew, secret } = await deps.webhooks.put(params.id, body, auth.principal);
      logger.info('Webhook subscription stored', { webhookId: webhook.id, version: webhook.version, active: webhook.active, events: webhook.events, by: auth.principal });
      const reply = { ...webhook, ...(secret ? { secret } : {}) };
      return isNew ? created(reply, `/integrations/webhooks/${webhook.id}`) : ok(reply);
    }),

    'GET /integrations/webhooks': http(ROUTES.listWebhooks, async () => ok({ items: await deps.webhooks.list() })),

    'GET /integrations/webhooks/{id}/deliveries': http(ROUTES.webhookDeliveries, async ({ params, query }) =>
      ok(await deps.webhooks.deliveries(params.id, { limit: query.limit, ...(query.cursor !== undefined ? { cursor: query.cursor } : {}) })),
    ),

    'POST /integrations/webhooks/{id}/redeliver': http(ROUTES.redeliverWebhook, async ({ params, body, auth }) => {
      const delivery = await deps.webhooks.redeliver(params.id, body.eventId);
      logger.info('Webhook delivery sent again', { webhookId: params.id, eventId: body.eventId, status: delivery.status, by: auth.principal });
      return ok(delivery);
    }),

    'PUT /integrations/channels/{channel}/sku-map': http(ROUTES.putSkuMap, async ({ params, body, auth }) => {
      const { map, created: isNew } = await deps.imports.putSkuMap(params.channel, body, auth.principal, deps.now());
      logger.info('SKU map stored', { channel: map.channel, version: map.version, skus: Object.keys(map.skus).length, clients: map.clients.length, by: auth.principal });
      return isNew ? created(map) : ok(map);
    }),

    'POST /integrations/orders/{channel}': http(ROUTES.importOrder, async ({ params, body, auth, requestId }) => {
      const result = await deps.imports.importOrder(params.channel, body, {
        principal: auth.principal, isAdmin: hasRole(auth, ['admin']), actor: actorLabel(actorOf(auth, ['storefront', 'admin'])),
      }, { orderId: newId(), requestHash: requestHash(routeKey(ROUTES.importOrder), { channel: params.channel, ...body }), causationId: requestId, now: deps.now() });
      if (!result.replayed) businessMetrics.count(COUNTS.ordersPlaced);
      const { replayed: _r, ...response } = result;
      return response;
    }),
  });
}
