import { placeOrderSteps } from '../../shared/app/place-order';
import { documentClient } from '../../shared/aws';
import { loadConfig } from '../../shared/config';
import { makeHandler } from './place-order';

const config = loadConfig();
const { orders } = placeOrderSteps({ doc: documentClient, tableName: config.TABLE_NAME });

export const handler = makeHandler({ orders, now: () => new Date() });
