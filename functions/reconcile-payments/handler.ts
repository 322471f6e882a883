import { paymentReconciliation } from '../../shared/app/payment-reconciliation';
import { documentClient } from '../../shared/aws';
import { loadConfig, parseConfig } from '../../shared/config';
import { adapterFor } from '../../shared/payments/registry';
import * as z from 'zod';
import { makeHandler } from './reconcile-payments';
import { withRunLogContext } from '../../shared/middleware/logger';

const config = loadConfig();
const { PAYMENT_PENDING_THRESHOLD_MINUTES } = parseConfig(z.object({ PAYMENT_PENDING_THRESHOLD_MINUTES: z.coerce.number().int().min(1).optional() }));

export const handler = withRunLogContext(makeHandler({
  reconciliation: paymentReconciliation({ doc: documentClient, tableName: config.TABLE_NAME }, adapterFor, PAYMENT_PENDING_THRESHOLD_MINUTES),
  now: () => new Date(),
}));
