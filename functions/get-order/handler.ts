import { documentClient } from '../../shared/aws';
import { loadConfig } from '../../shared/config';
import { application } from '../../shared/app';
import { makeHandler } from './get-order';

const config = loadConfig();
const { orders } = application(documentClient, config.TABLE_NAME);

export const handler = makeHandler({ orders });
