import { outboundSteps } from '../../shared/app/outbound';
import { documentClient } from '../../shared/aws';
import { loadConfig } from '../../shared/config';
import { withRunLogContext } from '../../shared/middleware/logger';
import { makeHandler } from './complete-orders';

const config = loadConfig();
const { outbound } = outboundSteps({ doc: documentClient, tableName: config.TABLE_NAME });

export const handler = withRunLogContext(makeHandler({ outbound, now: () => new Date() }));
