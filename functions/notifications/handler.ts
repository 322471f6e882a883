import { application } from '../../shared/app';
import { documentClient } from '../../shared/aws';
import { loadConfig } from '../../shared/config';
import { makeHandler } from './notifications';

const config = loadConfig();

export const handler = makeHandler({ notifications: application(documentClient, config.TABLE_NAME).notifications, now: () => new Date() });
