import { application } from '../../shared/app';
import { documentClient } from '../../shared/aws';
import { loadConfig } from '../../shared/config';
import { makeHandler } from './reconcile-stock';

const config = loadConfig();

export const handler = makeHandler({ checks: application(documentClient, config.TABLE_NAME).checks, now: () => new Date() });
