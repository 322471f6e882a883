import { join } from 'node:path';
import * as z from 'zod';
import { receiptReads } from '../../shared/app/receipts';
import { documentClient } from '../../shared/aws';
import { loadConfig, parseConfig } from '../../shared/config';
import { receiptCodes } from '../../shared/payments/receipt';
import { loadReceiptFonts, type ReceiptFonts } from '../../shared/payments/receipt-pdf';
import { makeHandler } from './receipts';

const config = loadConfig();
const { RECEIPT_SECRET } = parseConfig(z.object({ RECEIPT_SECRET: z.string().min(32) }));
const reads = receiptReads({ doc: documentClient, tableName: config.TABLE_NAME });

// The faces ship beside the bundle (infra/routes.ts): read once, on the first PDF.
let fonts: ReceiptFonts | undefined;

export const handler = makeHandler({
  orders: reads.orders,
  payments: reads.payments,
  codes: receiptCodes(RECEIPT_SECRET),
  timeZone: reads.timeZone,
  fonts: () => (fonts ??= loadReceiptFonts(join(__dirname, 'fonts'))),
});
