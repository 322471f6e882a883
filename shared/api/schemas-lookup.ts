import * as z from 'zod';
import { Customer } from '../domain/customer';
import { TimelineEntry } from '../domain/order';
import { ORDER_LOOKUP_FIELDS, OrderSummary, rangeInOrder } from '../domain/order-lookup';
import { humanText } from '../domain/text';
import { ListQuery, OrderIdPath } from './schemas-common';
import { lazySchema } from '../domain/lazy-schema';

// --- staff look-up: orders by filter, notes, customers (re-exported by schemas.ts; routes/order-lookup.ts imports this module) ---

export { ListQuery, OrderIdPath };
export { OrderResponse } from './schemas-orders';
export const OrderListQuery = lazySchema(() =>
  z
    .strictObject({
      ...ORDER_LOOKUP_FIELDS,
      ...ListQuery.shape,
      trackingNumber: z.string().regex(/^[A-Za-z0-9-]{1,100}$/, 'is not a tracking number').optional(),
      phone: z.string().regex(/^\+?[0-9 ().-]{1,40}$/, 'is not a phone number').refine((p) => p.replace(/\D/g, '').length >= 4, 'needs at least 4 digits')
        .optional().meta({ description: 'The phone the order was placed with; only its digits count (newest first)' }),
      paymentRef: z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'is not a payment reference').optional()
        .meta({ description: "The provider's payment reference, or our paymentId" }),
    })
    .refine(rangeInOrder, { path: ['from'], message: 'must not be after to' })
    .refine((q) => q.trackingNumber === undefined || Object.keys(q).every((k) => k === 'trackingNumber' || k === 'limit'), {
      path: ['trackingNumber'], message: 'is a look-up of its own: no other filter or cursor',
    })
    .refine((q) => q.paymentRef === undefined || Object.keys(q).every((k) => k === 'paymentRef' || k === 'limit'), {
      path: ['paymentRef'], message: 'is a look-up of its own: no other filter or cursor',
    })
    .refine((q) => q.phone === undefined || Object.keys(q).every((k) => k === 'phone' || k === 'limit' || k === 'cursor'), {
      path: ['phone'], message: 'is a look-up of its own: no other filter',
    }),
);
export const OrderSummaryList = lazySchema(() =>
  z.object({ items: z.array(OrderSummary.meta({ id: 'OrderSummary' })), nextCursor: z.string().optional() }),
);
export const OrderNumberPath = lazySchema(() =>
  z.strictObject({ orderNumber: z.string().regex(/^[A-Za-z0-9-]{1,40}$/, 'is not an order number') }),
);
export const NoteRequest = lazySchema(() =>
  z.strictObject({ text: humanText({ max: 2000, multiline: true }) }).meta({ id: 'NoteInput' }),
);
export const NoteResponse = TimelineEntry.meta({ id: 'TimelineEntry' });
export const CustomerIdPath = lazySchema(() =>
  z.strictObject({ customerId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'is not a customer id') }),
);
export const CustomerResponse = Customer.meta({ id: 'Customer' });
