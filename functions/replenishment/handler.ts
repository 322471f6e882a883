import { stockChecks } from '../../shared/app/stock-checks';
import { documentClient } from '../../shared/aws';
import { loadConfig } from '../../shared/config';
import { makeHandler } from './replenishment';

const config = loadConfig();

export const handler = makeHandler({ checks: stockChecks({ doc: documentClient, tableName: config.TABLE_NAME }), now: () => new Date() });
