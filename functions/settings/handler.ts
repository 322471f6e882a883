import { application } from '../../shared/app';
import { documentClient } from '../../shared/aws';
import { loadConfig } from '../../shared/config';
import { makeHandler } from './settings';

const config = loadConfig();

export const handler = makeHandler({ settings: application(documentClient, config.TABLE_NAME).settings, now: () => new Date() });
