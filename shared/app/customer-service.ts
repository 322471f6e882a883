import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { storeFor } from '../store';
import { trackingRepository } from '../store/tracking-repository';
import { makeCustomerEdits } from './customer-edits';
import { makeOrderStory } from './order-story';

/**
 * Customer service's use cases over one table: the order's story and staff edits of a
 * customer. Apart from the application (index.ts) so that functions which never tell
 * an order's story do not carry the tracking and story modules.
 */
export function customerServiceOver(doc: DynamoDBDocumentClient, tableName: string) {
  const ctx = { doc, tableName };
  const store = storeFor(ctx);
  return {
    story: makeOrderStory({ orders: store.orders, tracking: trackingRepository(ctx), notifications: store.notifications }),
    editCustomer: makeCustomerEdits({ customers: store.customers, writer: store.writer }),
  };
}
