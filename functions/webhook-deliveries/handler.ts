import { loadWebhookConfig, webhookService } from '../../shared/app/webhook-service';
import { documentClient } from '../../shared/aws';
import { SUBSCRIPTIONS_TTL_MS, makeHandler } from './webhook-deliveries';

const config = loadWebhookConfig();

export const handler = makeHandler({ webhooks: webhookService({ doc: documentClient, tableName: config.TABLE_NAME }, config, { subscriptionsTtlMs: SUBSCRIPTIONS_TTL_MS }) });
