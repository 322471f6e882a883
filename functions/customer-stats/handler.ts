import * as z from 'zod';
import { application } from '../../shared/app';
import { documentClient } from '../../shared/aws';
import { retrySoonerOn } from '../../shared/aws-sqs-retry';
import { Config, parseConfig } from '../../shared/config';
import { makeHandler } from './customer-stats';

/** QUEUE_URL: the queue this function consumes (set by infra for steps that retry sooner) */
const config = parseConfig(Config.extend({ QUEUE_URL: z.string().min(1).optional() }));
const { orders, customers } = application(documentClient, config.TABLE_NAME);

export const handler = makeHandler({
  orders,
  customers,
  now: () => new Date(),
  ...(config.QUEUE_URL ? { retrySooner: retrySoonerOn(config.QUEUE_URL) } : {}),
});
