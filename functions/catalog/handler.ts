import { documentClient } from '../../shared/aws';
import { loadConfig } from '../../shared/config';
import { application } from '../../shared/app';
import { makeHandler } from './catalog';

const config = loadConfig();
const { products, stock } = application(documentClient, config.TABLE_NAME);

export const handler = makeHandler({ products, stock, now: () => new Date() });
