import * as z from 'zod';
import { ErasureRecord, ErasureRequest } from '../domain/erasure';
import { lazySchema } from '../domain/lazy-schema';
import { CustomerResponse } from './schemas-lookup';
import { OrderStoryResponse } from './schemas-customer-service';

// A customer's personal data: the export and the erasure (routes/order-lookup.ts).

export const CustomerExportQuery = lazySchema(() =>
  z.strictObject({
    /** the `nextCursor` of an export that was not complete */
    cursor: z.string().max(2048).optional(),
  }),
);

export const SentCustomerMessage = lazySchema(() =>
  z.object({
    eventId: z.string(), orderId: z.string(), detailType: z.string(), messageId: z.string(), sentAt: z.string(),
  }),
);

export const CustomerExportResponse = lazySchema(() =>
  z.object({
    exportedAt: z.iso.datetime(),
    /** false: the customer has more orders than one answer reads; `nextCursor` reads the next ones */
    complete: z.boolean(),
    nextCursor: z.string().optional(),
    customer: CustomerResponse,
    /** the erasure's audit record, once one was asked for */
    erasure: ErasureRecord.optional(),
    /** each order's whole story, newest first, with the e-mails sent to the customer about it */
    orders: z.array(lazySchema(() => OrderStoryResponse.unwrap().extend({ customerMessages: z.array(SentCustomerMessage) }))),
  }).meta({ id: 'CustomerExport' }),
);

export const CustomerErasureRequest = ErasureRequest.meta({ id: 'CustomerErasureRequest' });
export const CustomerErasureResponse = ErasureRecord.meta({ id: 'CustomerErasure' });
