import * as z from 'zod';
import { defineEvent } from './define-event';
import { ORDERS_SOURCE } from './orders';

// Personal data: a customer's erasure. Names the customer by id only: consumers that keep
// copies of personal data (a CRM, a mailing list) erase theirs for that id.
export const CustomerErased = defineEvent({
  source: ORDERS_SOURCE,
  detailType: 'CustomerErased',
  version: 1,
  data: () => z.object({ customerId: z.string(), erasedAt: z.iso.datetime(), actor: z.string() }),
});

export const CUSTOMER_DATA_EVENTS = [CustomerErased] as const;
