import { application } from '../../shared/app';
import { documentClient } from '../../shared/aws';
import { loadConfig } from '../../shared/config';
import { makeHandler } from './order-actions';

const config = loadConfig();
const { orders, lifecycle, settings } = application(documentClient, config.TABLE_NAME);

export const handler = makeHandler({ orders, lifecycle, settings, now: () => new Date() });
