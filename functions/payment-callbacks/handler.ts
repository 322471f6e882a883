import { paymentCallbacks } from '../../shared/app/payments';
import { documentClient } from '../../shared/aws';
import { loadConfig } from '../../shared/config';
import { makeHandler } from './payment-callbacks';

// Each verified, recorded provider notification is applied by the payment use cases
// (shared/app/payments.ts): idempotent and independent of order and count.
const config = loadConfig();

export const handler = makeHandler({ sink: paymentCallbacks({ doc: documentClient, tableName: config.TABLE_NAME }), now: () => new Date() });
