import { documentClient } from '../../shared/aws';
import { loadConfig } from '../../shared/config';
import { application } from '../../shared/app';
import { makeHandler } from './place-order';

const config = loadConfig();
const { orders } = application(documentClient, config.TABLE_NAME);

export const handler = makeHandler({ orders, now: () => new Date() });
