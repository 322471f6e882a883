import { settingsService } from '../../shared/app/settings';
import { documentClient } from '../../shared/aws';
import { loadConfig } from '../../shared/config';
import { makeHandler } from './settings';

const config = loadConfig();

export const handler = makeHandler({ settings: settingsService({ doc: documentClient, tableName: config.TABLE_NAME }), now: () => new Date() });
