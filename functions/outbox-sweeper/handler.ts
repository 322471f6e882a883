import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { documentClient } from '../../shared/aws';
import { eventBridge } from '../../shared/aws-eventbridge';
import { loadConfig } from '../../shared/config';
import { outboxStore } from '../../shared/store/outbox';
import { makeHandler } from './outbox-sweeper';
import { withRunLogContext } from '../../shared/middleware/logger';

const config = loadConfig();

export const handler = withRunLogContext(makeHandler({
  outbox: outboxStore({ doc: documentClient, tableName: config.TABLE_NAME }),
  bus: { putEvents: (entries) => eventBridge.send(new PutEventsCommand({ Entries: entries })) },
  busName: config.EVENT_BUS_NAME,
  now: () => new Date(),
}));
