import { documentClient } from '../../shared/aws';
import { loadConfig } from '../../shared/config';
import { repositories } from '../../shared/store';
import { makeHandler } from './catalog';

const config = loadConfig();
const { products } = repositories(documentClient, config.TABLE_NAME);

export const handler = makeHandler({ products, now: () => new Date() });
