import { reportsOver } from '../../shared/app/reports';
import { documentClient } from '../../shared/aws';
import { loadConfig } from '../../shared/config';
import { makeHandler } from './reports';

const config = loadConfig();

export const handler = makeHandler({ reports: reportsOver({ doc: documentClient, tableName: config.TABLE_NAME }), now: () => new Date() });
