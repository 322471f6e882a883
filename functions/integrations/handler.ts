import { makeImports } from '../../shared/app/marketplace-import';
import { placeOrderSteps } from '../../shared/app/place-order';
import { loadWebhookConfig, webhookService } from '../../shared/app/webhook-service';
import { documentClient } from '../../shared/aws';
import { skuMapRepository } from '../../shared/store/sku-map-repository';
import { makeHandler } from './integrations';

const config = loadWebhookConfig();
const table = { doc: documentClient, tableName: config.TABLE_NAME };

export const handler = makeHandler({
  webhooks: webhookService(table, config),
  imports: makeImports({ skuMaps: skuMapRepository(table), orders: placeOrderSteps(table).orders }),
  now: () => new Date(),
});
