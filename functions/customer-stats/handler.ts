import { documentClient } from '../../shared/aws';
import { loadConfig } from '../../shared/config';
import { repositories } from '../../shared/store';
import { customerRepository } from '../../shared/store/customer-repository';
import { makeHandler } from './customer-stats';

const config = loadConfig();
const { orders } = repositories(documentClient, config.TABLE_NAME);

export const handler = makeHandler({
  orders,
  customers: customerRepository({ doc: documentClient, tableName: config.TABLE_NAME }),
  now: () => new Date(),
});
