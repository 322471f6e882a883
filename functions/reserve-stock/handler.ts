import { documentClient } from '../../shared/aws';
import { loadConfig } from '../../shared/config';
import { repositories } from '../../shared/store';
import { makeHandler } from './reserve-stock';

const config = loadConfig();
const { orders, stock } = repositories(documentClient, config.TABLE_NAME);

export const handler = makeHandler({ orders, stock, now: () => new Date() });
