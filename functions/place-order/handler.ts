import { documentClient } from '../../shared/aws';
import { loadConfig } from '../../shared/config';
import { repositories } from '../../shared/store';
import { makeHandler } from './place-order';

const config = loadConfig();
const { products, orders } = repositories(documentClient, config.TABLE_NAME);

export const handler = makeHandler({ products, orders, now: () => new Date() });
