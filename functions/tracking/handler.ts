import { trackingReads } from '../../shared/app/tracking-reads';
import { documentClient } from '../../shared/aws';
import { loadConfig } from '../../shared/config';
import { makeHandler } from './tracking';

const config = loadConfig();

export const handler = makeHandler({ tracking: trackingReads({ doc: documentClient, tableName: config.TABLE_NAME }) });
