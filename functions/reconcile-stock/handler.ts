import { stockChecks } from '../../shared/app/stock-checks';
import { documentClient } from '../../shared/aws';
import { loadConfig } from '../../shared/config';
import { makeHandler } from './reconcile-stock';
import { withRunLogContext } from '../../shared/middleware/logger';

const config = loadConfig();

export const handler = withRunLogContext(makeHandler({ checks: stockChecks({ doc: documentClient, tableName: config.TABLE_NAME }), now: () => new Date() }));
