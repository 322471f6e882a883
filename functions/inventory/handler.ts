import { documentClient } from '../../shared/aws';
import { loadConfig } from '../../shared/config';
import { application } from '../../shared/app';
import { makeHandler } from './inventory';

const config = loadConfig();
const { products, stock, locations } = application(documentClient, config.TABLE_NAME);

export const handler = makeHandler({ products, stock, locations, now: () => new Date() });
