import { documentClient } from '../../shared/aws';
import { loadConfig } from '../../shared/config';
import { orderReads } from '../../shared/app/order-reads';
import { makeHandler } from './get-order';

const config = loadConfig();

export const handler = makeHandler({ orders: orderReads({ doc: documentClient, tableName: config.TABLE_NAME }) });
