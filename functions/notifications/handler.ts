import { documentClient } from '../../shared/aws';
import { loadConfig } from '../../shared/config';
import { notificationRepository } from '../../shared/store/notification-repository';
import { makeHandler } from './notifications';

const config = loadConfig();

export const handler = makeHandler({
  notifications: notificationRepository({ doc: documentClient, tableName: config.TABLE_NAME }),
  now: () => new Date(),
});
