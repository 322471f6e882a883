import { documentClient } from '../../shared/aws';
import { loadConfig } from '../../shared/config';
import { orderLifecycle } from '../../shared/store/order-lifecycle';
import { orderRepository } from '../../shared/store/order-repository';
import { settingsRepository } from '../../shared/store/settings-repository';
import { makeHandler } from './order-actions';

const config = loadConfig();
const ctx = { doc: documentClient, tableName: config.TABLE_NAME };

export const handler = makeHandler({
  orders: orderRepository(ctx),
  lifecycle: orderLifecycle(ctx),
  settings: settingsRepository(ctx),
  now: () => new Date(),
});
