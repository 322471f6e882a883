import { lifecycleSteps } from '../../shared/app/order-lifecycle';
import { documentClient } from '../../shared/aws';
import { loadConfig } from '../../shared/config';
import { makeHandler } from './order-actions';

const config = loadConfig();
const { orders, lifecycle, settings } = lifecycleSteps({ doc: documentClient, tableName: config.TABLE_NAME });

export const handler = makeHandler({ orders, lifecycle, settings, now: () => new Date() });
