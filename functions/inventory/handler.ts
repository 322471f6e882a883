import { documentClient } from '../../shared/aws';
import { loadConfig } from '../../shared/config';
import { repositories } from '../../shared/store';
import { makeHandler } from './inventory';

const config = loadConfig();
const { products, stock, locations } = repositories(documentClient, config.TABLE_NAME);

export const handler = makeHandler({ products, stock, locations, now: () => new Date() });
