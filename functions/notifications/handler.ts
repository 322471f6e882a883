import { notificationService } from '../../shared/app/notifications';
import { documentClient } from '../../shared/aws';
import { loadConfig } from '../../shared/config';
import { makeHandler } from './notifications';

const config = loadConfig();

export const handler = makeHandler({ notifications: notificationService({ doc: documentClient, tableName: config.TABLE_NAME }), now: () => new Date() });
