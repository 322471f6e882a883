import { documentClient } from '../../shared/aws';
import { loadConfig } from '../../shared/config';
import { repositories } from '../../shared/store';
import { makeHandler } from './reserve-stock';

const config = loadConfig();
const { orders } = repositories(documentClient, config.TABLE_NAME);

export const handler = makeHandler({ orders, now: () => new Date() });
