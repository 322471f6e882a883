import { INTEGRATIONS_ROUTES as ROUTES } from '../../shared/api/routes/integrations';
import type { Webhooks } from '../../shared/app/webhooks';
import { created, http, ok, router, type HttpHandler } from '../../shared/middleware/http';
import { logger } from '../../shared/middleware/logger';

export interface IntegrationsDeps {
  webhooks: Pick<Webhooks, 'put' | 'list' | 'deliveries' | 'redeliver'>;
}

/** The admin's integrations: outbound webhook subscriptions, their deliveries, a redelivery. */
export function makeHandler(deps: IntegrationsDeps): HttpHandler {
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
  });
}
