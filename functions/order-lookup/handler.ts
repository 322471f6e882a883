import { applicationFor } from '../../shared/app';
import { makeCustomerEdits } from '../../shared/app/customer-edits';
import { makeOrderStory } from '../../shared/app/order-story';
import { documentClient } from '../../shared/aws';
import { loadConfig } from '../../shared/config';
import { storeFor } from '../../shared/store';
import { trackingRepository } from '../../shared/store/tracking-repository';
import { makeHandler } from './order-lookup';

const config = loadConfig();
const ctx = { doc: documentClient, tableName: config.TABLE_NAME };
const store = storeFor(ctx);
const { lookup, orders, customers, tracking } = applicationFor(store);

export const handler = makeHandler({
  lookup, orders, customers, tracking,
  story: makeOrderStory({ orders: store.orders, tracking: trackingRepository(ctx), notifications: store.notifications }),
  editCustomer: makeCustomerEdits({ customers: store.customers, writer: store.writer }),
  now: () => new Date(),
});
