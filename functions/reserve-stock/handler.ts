import { documentClient } from '../../shared/aws';
import { loadConfig } from '../../shared/config';
import { application } from '../../shared/app';
import { makeHandler } from './reserve-stock';

const config = loadConfig();
const { orders, stock } = application(documentClient, config.TABLE_NAME);

export const handler = makeHandler({ orders, stock, now: () => new Date() });
