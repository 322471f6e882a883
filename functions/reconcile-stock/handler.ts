import { documentClient } from '../../shared/aws';
import { loadConfig } from '../../shared/config';
import { stockChecks } from '../../shared/store/stock-reconciliation';
import { makeHandler } from './reconcile-stock';

const config = loadConfig();

export const handler = makeHandler({ checks: stockChecks({ doc: documentClient, tableName: config.TABLE_NAME }), now: () => new Date() });
