import { SNSClient } from '@aws-sdk/client-sns';
import * as z from 'zod';
import { notificationService } from '../../shared/app/notifications';
import { documentClient } from '../../shared/aws';
import { Config, parseConfig } from '../../shared/config';
import { makeHandler, publishInBatches } from './notify';

const config = parseConfig(
  Config.extend({
    /** JSON map department -> SNS topic ARN, one topic per department of the stage */
    DEPARTMENT_TOPICS: z.string().default('{}').transform((s) => z.record(z.string(), z.string()).parse(JSON.parse(s))),
  }),
);

export const handler = makeHandler({
  notifications: notificationService({ doc: documentClient, tableName: config.TABLE_NAME }),
  topics: config.DEPARTMENT_TOPICS,
  publish: publishInBatches(new SNSClient({})),
  now: () => new Date(),
});
