import * as z from 'zod';
import { subscriptionReads } from '../../shared/app/carrier-subscriptions';
import { documentClient } from '../../shared/aws';
import { loadConfig, parseConfig } from '../../shared/config';
import { trackingSubscriber } from '../../shared/shipping/carriers/registry';
import { makeHandler } from './carrier-subscriptions';

const config = loadConfig();
const { PUBLIC_API_URL } = parseConfig(z.object({ PUBLIC_API_URL: z.url().optional() }), process.env);
const { phoneOf } = subscriptionReads({ doc: documentClient, tableName: config.TABLE_NAME });

export const handler = makeHandler({
  subscriber: trackingSubscriber,
  phoneOf,
  publicApiUrl: PUBLIC_API_URL,
});
