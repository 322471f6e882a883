import { orderLifecycle } from '../../shared/app/order-lifecycle';
import { documentClient } from '../../shared/aws';
import { loadConfig } from '../../shared/config';
import { makeHandler } from './expire-unpaid';
import { withRunLogContext } from '../../shared/middleware/logger';

const config = loadConfig();

export const handler = withRunLogContext(makeHandler({ lifecycle: orderLifecycle({ doc: documentClient, tableName: config.TABLE_NAME }), now: () => new Date() }));
