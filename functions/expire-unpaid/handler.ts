import { application } from '../../shared/app';
import { documentClient } from '../../shared/aws';
import { loadConfig } from '../../shared/config';
import { makeHandler } from './expire-unpaid';

const config = loadConfig();

export const handler = makeHandler({ lifecycle: application(documentClient, config.TABLE_NAME).lifecycle, now: () => new Date() });
