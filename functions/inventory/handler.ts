import { documentClient } from '../../shared/aws';
import { loadConfig } from '../../shared/config';
import { catalogAndStock } from '../../shared/app/catalog-stock';
import { makeHandler } from './inventory';

const config = loadConfig();
const { products, stock, locations } = catalogAndStock({ doc: documentClient, tableName: config.TABLE_NAME });

export const handler = makeHandler({ products, stock, locations, now: () => new Date() });
