import { documentClient } from '../../shared/aws';
import { loadConfig } from '../../shared/config';
import { repositories } from '../../shared/store';
import { makeHandler } from './get-order';

const config = loadConfig();
const { orders } = repositories(documentClient, config.TABLE_NAME);

export const handler = makeHandler({ orders });
