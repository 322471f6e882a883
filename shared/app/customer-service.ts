import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { customerMessageRepository } from '../store/customer-message-repository';
import { customerRepository } from '../store/customer-repository';
import { erasureRepository } from '../store/erasure-repository';
import { notificationRepository } from '../store/notification-repository';
import { orderLookup } from '../store/order-lookup';
import { orderRepository } from '../store/order-repository';
import { outboundRepository } from '../store/outbound-repository';
import { trackingRepository } from '../store/tracking-repository';
import { makeWriter } from '../store/writer';
import { makeCustomerData } from './customer-data';
import { makeCustomerEdits } from './customer-edits';
import { makeAddNote } from './notes';
import { makeOrderStory } from './order-story';

/**
 * Customer service's use cases over one table: the order's story and staff edits of a
 * customer. Apart from the application (index.ts) so that functions which never tell
 * an order's story do not carry the tracking and story modules.
 */
export function customerServiceOver(doc: DynamoDBDocumentClient, tableName: string) {
  const ctx = { doc, tableName };
  const orders = orderRepository(ctx);
  const customers = customerRepository(ctx);
  const writer = makeWriter(ctx);
  const story = makeOrderStory({ orders, tracking: trackingRepository(ctx), notifications: notificationRepository(ctx) });
  return {
    /** the staff look-ups (functions/order-lookup carries these and no other use case) */
    lookup: orderLookup(ctx, customers),
    orders: { get: orders.get, addNote: makeAddNote(writer) },
    customers,
    /** orders by a shipment's tracking number */
    tracking: { ordersByTracking: outboundRepository(ctx).ordersByTracking },
    story,
    editCustomer: makeCustomerEdits({ customers, writer }),
    /** a customer's personal data: export and erasure */
    customerData: makeCustomerData({
      customers, erasures: erasureRepository(ctx), orders, story, messages: customerMessageRepository(ctx), writer,
    }),
  };
}
