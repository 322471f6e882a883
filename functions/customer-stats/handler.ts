import { application } from '../../shared/app';
import { documentClient } from '../../shared/aws';
import { loadConfig } from '../../shared/config';
import { makeHandler } from './customer-stats';

const config = loadConfig();
const { orders, customers } = application(documentClient, config.TABLE_NAME);

export const handler = makeHandler({ orders, customers, now: () => new Date() });
