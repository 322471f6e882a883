import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import * as z from 'zod';
import { notificationService } from '../../shared/app/notifications';
import { documentClient } from '../../shared/aws';
import { Config, parseConfig } from '../../shared/config';
import { makeHandler } from './notify';

const config = parseConfig(
  Config.extend({
    /** JSON map department -> SNS topic ARN, one topic per department of the stage */
    DEPARTMENT_TOPICS: z.string().default('{}').transform((s) => z.record(z.string(), z.string()).parse(JSON.parse(s))),
  }),
);
const sns = new SNSClient({});

export const handler = makeHandler({
  notifications: notificationService({ doc: documentClient, tableName: config.TABLE_NAME }),
  topics: config.DEPARTMENT_TOPICS,
  publish: async (topicArn, subject, message) => {
    await sns.send(new PublishCommand({ TopicArn: topicArn, Subject: subject, Message: message }));
  },
  now: () => new Date(),
});
