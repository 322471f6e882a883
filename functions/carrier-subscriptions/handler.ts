import * as z from 'zod';
import { documentClient } from '../../shared/aws';
import { loadConfig, parseConfig } from '../../shared/config';
import { trackingSubscriber } from '../../shared/shipping/carriers/registry';
import { orderRepository } from '../../shared/store/order-repository';
import { makeHandler } from './carrier-subscriptions';

const config = loadConfig();
const { PUBLIC_API_URL } = parseConfig(z.object({ PUBLIC_API_URL: z.url().optional() }), process.env);
const orders = orderRepository({ doc: documentClient, tableName: config.TABLE_NAME });

export const handler = makeHandler({
  subscriber: trackingSubscriber,
  phoneOf: async (orderId) => (await orders.getRecord(orderId))?.customer.phone,
  publicApiUrl: PUBLIC_API_URL,
});
