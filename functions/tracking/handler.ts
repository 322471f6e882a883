import { documentClient } from '../../shared/aws';
import { loadConfig } from '../../shared/config';
import { trackingRepository } from '../../shared/store/tracking-repository';
import { makeHandler } from './tracking';

const config = loadConfig();

export const handler = makeHandler({ tracking: trackingRepository({ doc: documentClient, tableName: config.TABLE_NAME }) });
