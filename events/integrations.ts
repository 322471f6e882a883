import * as z from 'zod';
import { defineEvent } from './define-event';

// --- Integrations (outbound webhooks) ------------------------------------------------
export const INTEGRATIONS_SOURCE = 'oms.integrations';

/** A subscription whose partner kept failing was paused: nothing more is sent until an admin activates it again. */
export const WebhookPaused = defineEvent({
  source: INTEGRATIONS_SOURCE,
  detailType: 'WebhookPaused',
  version: 1,
  data: () => z.object({
    webhookId: z.string(),
    url: z.string(),
    consecutiveFailures: z.int().min(1),
    lastError: z.string().optional(),
    lastResponseStatus: z.int().optional(),
  }),
});

export const INTEGRATION_EVENTS = [WebhookPaused] as const;
