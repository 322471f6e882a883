import { join } from 'node:path';
import * as z from 'zod';
import { documentClient } from '../../shared/aws';
import { loadConfig, parseConfig } from '../../shared/config';
import { DEFAULT_WORKFLOW_SETTINGS, WorkflowSettings } from '../../shared/domain/workflow-settings';
import { receiptCodes } from '../../shared/payments/receipt';
import { loadReceiptFonts, type ReceiptFonts } from '../../shared/payments/receipt-pdf';
import { storeFor } from '../../shared/store';
import { makeHandler, type ReceiptPayments } from './receipts';

const config = loadConfig();
const { RECEIPT_SECRET } = parseConfig(z.object({ RECEIPT_SECRET: z.string().min(32) }));
const store = storeFor({ doc: documentClient, tableName: config.TABLE_NAME });

// Payment attempts are read through the payment store (its `orderOf` and `money`).
const payments: ReceiptPayments = store.payments;

// The faces ship beside the bundle (infra/routes.ts): read once, on the first PDF.
let fonts: ReceiptFonts | undefined;

export const handler = makeHandler({
  orders: store.orders,
  payments,
  codes: receiptCodes(RECEIPT_SECRET),
  timeZone: async () => (await store.settings.get('workflow', WorkflowSettings, DEFAULT_WORKFLOW_SETTINGS)).timeZone,
  fonts: () => (fonts ??= loadReceiptFonts(join(__dirname, 'fonts'))),
});
