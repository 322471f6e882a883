import { stageProviders } from '../../shared/app/payment-providers';
import { paymentsOver } from '../../shared/app/payments';
import { documentClient } from '../../shared/aws';
import { loadConfig } from '../../shared/config';
import { storeFor } from '../../shared/store';
import { makeHandler } from './payment-refunds';

const config = loadConfig();

export const handler = makeHandler({
  payments: paymentsOver(storeFor({ doc: documentClient, tableName: config.TABLE_NAME }), stageProviders()),
  now: () => new Date(),
});
