import { customerServiceOver } from '../../shared/app/customer-service';
import { documentClient } from '../../shared/aws';
import { loadConfig } from '../../shared/config';
import { makeHandler } from './order-lookup';

const config = loadConfig();
const { lookup, orders, customers, tracking, story, editCustomer, customerData } = customerServiceOver(documentClient, config.TABLE_NAME);

export const handler = makeHandler({ lookup, orders, customers, tracking, story, editCustomer, customerData, now: () => new Date() });
