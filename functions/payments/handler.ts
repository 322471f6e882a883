import { stageProviders } from '../../shared/app/payment-providers';
import { paymentSteps } from '../../shared/app/payments';
import { documentClient } from '../../shared/aws';
import { loadConfig } from '../../shared/config';
import { makeHandler } from './payments';

const config = loadConfig();
const { orders, payments } = paymentSteps({ doc: documentClient, tableName: config.TABLE_NAME }, stageProviders());

export const handler = makeHandler({ orders, payments, now: () => new Date() });
