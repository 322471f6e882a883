import { importsService } from '../../shared/app/marketplace-import';
import { loadWebhookConfig, webhookService } from '../../shared/app/webhook-service';
import { documentClient } from '../../shared/aws';
import { makeHandler } from './integrations';

const config = loadWebhookConfig();
const table = { doc: documentClient, tableName: config.TABLE_NAME };

export const handler = makeHandler({ webhooks: webhookService(table, config), imports: importsService(table), now: () => new Date() });
