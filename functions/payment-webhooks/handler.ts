import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import { recordCallbackOver } from '../../shared/app/payment-inbox';
import { documentClient } from '../../shared/aws';
import { Config, parseConfig } from '../../shared/config';
import { adapterFor } from '../../shared/payments/registry';
import { makeHandler } from './payment-webhooks';
import { withRequestLogContext } from '../../shared/middleware/logger';

const config = parseConfig(Config.pick({ TABLE_NAME: true }).extend({ PAYMENT_CALLBACKS_QUEUE_URL: z.string().min(1) }));
const sqs = new SQSClient({});
const now = () => new Date();

export const handler = withRequestLogContext(makeHandler({
  adapterFor,
  record: recordCallbackOver({ doc: documentClient, tableName: config.TABLE_NAME }, {
    enqueue: async (message) => {
      await sqs.send(new SendMessageCommand({ QueueUrl: config.PAYMENT_CALLBACKS_QUEUE_URL, MessageBody: JSON.stringify(message) }));
    },
    now,
  }),
  now,
}));
