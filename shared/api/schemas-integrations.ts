import * as z from 'zod';
import { ImportOrder, MarketplaceChannel, SkuMapInput } from '../domain/marketplace-import';
import { DELIVERY_STATUSES, WebhookId, WebhookInput } from '../domain/webhooks';
import { ListQuery } from './schemas-common';
import { lazySchema } from '../domain/lazy-schema';

// The integrations routes' schemas (routes/integrations.ts imports this module, so no
// other function carries them).

export const WebhookParams = lazySchema(() =>
  z.strictObject({ id: WebhookId }),
);
export const WebhookRequest = WebhookInput.meta({ id: 'WebhookRequest' });

export const WebhookResponse = lazySchema(() =>
  z.object({
    id: z.string(),
    url: z.string(),
    events: z.array(z.string()),
    active: z.boolean(),
    description: z.string().optional(),
    /** the secrets that sign now, newest first: a hint of each, never the secret */
    secrets: z.array(z.object({ hint: z.string(), createdAt: z.string(), retiresAt: z.string().optional() })),
    consecutiveFailures: z.int(),
    pausedAt: z.string().optional(),
    pausedReason: z.string().optional(),
    version: z.int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  }).meta({ id: 'Webhook' }),
);

export const WebhookPutResponse = lazySchema(() =>
  WebhookResponse.unwrap().extend({
    /** the generated signing secret of a subscription created without one: shown this once */
    secret: z.string().optional(),
  }).meta({ id: 'WebhookPut' }),
);

export const WebhookList = lazySchema(() =>
  z.object({ items: z.array(WebhookResponse) }).meta({ id: 'WebhookList' }),
);

export const WebhookDelivery = lazySchema(() =>
  z.object({
    eventId: z.string(),
    eventType: z.string(),
    status: z.enum(DELIVERY_STATUSES),
    attempts: z.int(),
    createdAt: z.string(),
    firstAttemptAt: z.string(),
    nextAttemptAt: z.string().optional(),
    lastAttemptAt: z.string().optional(),
    lastResponseStatus: z.int().optional(),
    lastError: z.string().optional(),
    deliveredAt: z.string().optional(),
    failedAt: z.string().optional(),
    redeliveredAt: z.string().optional(),
  }).meta({ id: 'WebhookDelivery' }),
);

export const WebhookDeliveryList = lazySchema(() =>
  z.object({ items: z.array(WebhookDelivery), nextCursor: z.string().optional() }).meta({ id: 'WebhookDeliveryList' }),
);
export const WebhookDeliveriesQuery = ListQuery;
export const RedeliverRequest = lazySchema(() =>
  z.strictObject({ eventId: z.string().min(1).max(64) }).meta({ id: 'RedeliverRequest' }),
);

// --- marketplace imports -------------------------------------------------------------
export const ChannelParams = lazySchema(() =>
  z.strictObject({ channel: MarketplaceChannel }),
);
export const ImportOrderRequest = ImportOrder.meta({ id: 'ImportOrderRequest' });
export const ImportOrderResponse = lazySchema(() =>
  z.object({ orderId: z.string(), orderNumber: z.string(), status: z.literal('PENDING') }).meta({ id: 'ImportOrderResponse' }),
);
export const SkuMapRequest = SkuMapInput.meta({ id: 'SkuMapRequest' });
export const SkuMapResponse = lazySchema(() =>
  z.object({
    channel: z.string(), skus: z.record(z.string(), z.string()), clients: z.array(z.string()), version: z.int(), updatedAt: z.string(), updatedBy: z.string(),
  }).meta({ id: 'SkuMap' }),
);
