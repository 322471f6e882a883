import { stageProviders } from '../../shared/app/payment-providers';
import { paymentSteps } from '../../shared/app/payments';
import { documentClient } from '../../shared/aws';
import { loadConfig } from '../../shared/config';
import { makeHandler } from './payment-refunds';

const config = loadConfig();
const { payments } = paymentSteps({ doc: documentClient, tableName: config.TABLE_NAME }, stageProviders());

export const handler = makeHandler({ payments, now: () => new Date() });
