import { documentClient } from '../../shared/aws';
import { loadConfig } from '../../shared/config';
import { repositories } from '../../shared/store';
import { makeHandler } from './catalog';

const config = loadConfig();
const { products, stock } = repositories(documentClient, config.TABLE_NAME);

export const handler = makeHandler({ products, stock, now: () => new Date() });
