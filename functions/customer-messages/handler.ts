import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import * as z from 'zod';
import { customerMessages } from '../../shared/app/customer-messages';
import { documentClient } from '../../shared/aws';
import { Config, parseConfig } from '../../shared/config';
import { makeHandler } from './customer-messages';

const config = parseConfig(
  Config.pick({ TABLE_NAME: true, STAGE: true }).extend({
    /** The stage's verified sender (infra/config.ts customerMail.from) */
    MAIL_FROM: z.string().min(3),
    /** Base URL of the public tracking route (the API's public URL) */
    PUBLIC_TRACKING_URL: z.url(),
  }),
);
const ses = new SESv2Client({});

export const handler = makeHandler({
  messages: customerMessages({ doc: documentClient, tableName: config.TABLE_NAME }),
  send: async (m) => {
    const utf8 = (Data: string) => ({ Data, Charset: 'UTF-8' });
    const res = await ses.send(
      new SendEmailCommand({
        FromEmailAddress: config.MAIL_FROM,
        Destination: { ToAddresses: [m.to] },
        Content: { Simple: { Subject: utf8(m.subject), Body: { Text: utf8(m.text) } } },
      }),
    );
    return res.MessageId ?? '';
  },
  trackingBaseUrl: config.PUBLIC_TRACKING_URL,
  now: () => new Date(),
});
