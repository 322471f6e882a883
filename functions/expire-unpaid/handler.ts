import { documentClient } from '../../shared/aws';
import { loadConfig } from '../../shared/config';
import { orderLifecycle } from '../../shared/store/order-lifecycle';
import { makeHandler } from './expire-unpaid';

const config = loadConfig();

export const handler = makeHandler({
  lifecycle: orderLifecycle({ doc: documentClient, tableName: config.TABLE_NAME }),
  now: () => new Date(),
});
