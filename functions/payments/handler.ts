import { stageProviders } from '../../shared/app/payment-providers';
import { paymentsOver } from '../../shared/app/payments';
import { documentClient } from '../../shared/aws';
import { loadConfig } from '../../shared/config';
import { storeFor } from '../../shared/store';
import { makeHandler } from './payments';

const config = loadConfig();
const store = storeFor({ doc: documentClient, tableName: config.TABLE_NAME });

export const handler = makeHandler({ orders: store.orders, payments: paymentsOver(store, stageProviders()), now: () => new Date() });
