import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import { recordCarrierCallbackOver } from '../../shared/app/carrier-inbox';
import { documentClient } from '../../shared/aws';
import { Config, parseConfig } from '../../shared/config';
import { trackingAdapterFor } from '../../shared/shipping/registry';
import { makeHandler } from './carrier-webhooks';
import { withRequestLogContext } from '../../shared/middleware/logger';

const config = parseConfig(Config.pick({ TABLE_NAME: true }).extend({ CARRIER_CALLBACKS_QUEUE_URL: z.string().min(1) }));
const sqs = new SQSClient({});
const now = () => new Date();

export const handler = withRequestLogContext(makeHandler({
  adapterFor: trackingAdapterFor,
  record: recordCarrierCallbackOver({ doc: documentClient, tableName: config.TABLE_NAME }, {
    enqueue: async (message) => {
      await sqs.send(new SendMessageCommand({ QueueUrl: config.CARRIER_CALLBACKS_QUEUE_URL, MessageBody: JSON.stringify(message) }));
    },
    now,
  }),
  now,
}));
