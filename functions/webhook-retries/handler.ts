import { loadWebhookConfig, webhookService } from '../../shared/app/webhook-service';
import { documentClient } from '../../shared/aws';
import { withRunLogContext } from '../../shared/middleware/logger';
import { businessMetrics } from '../../shared/observability/metrics';
import { makeHandler } from './webhook-retries';

const config = loadWebhookConfig();

export const handler = withRunLogContext(makeHandler({ webhooks: webhookService({ doc: documentClient, tableName: config.TABLE_NAME }, config), metrics: businessMetrics }));
