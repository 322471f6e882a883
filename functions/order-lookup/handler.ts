import { documentClient } from '../../shared/aws';
import { loadConfig } from '../../shared/config';
import { repositories } from '../../shared/store';
import { customerRepository } from '../../shared/store/customer-repository';
import { orderLookup } from '../../shared/store/order-lookup';
import { makeHandler } from './order-lookup';

const config = loadConfig();
const ctx = { doc: documentClient, tableName: config.TABLE_NAME };
const { orders } = repositories(documentClient, config.TABLE_NAME);

export const handler = makeHandler({ lookup: orderLookup(ctx), orders, customers: customerRepository(ctx), now: () => new Date() });
