import { deliverySteps } from '../../shared/app/shipment-progress';
import { documentClient } from '../../shared/aws';
import { loadConfig } from '../../shared/config';
import { makeHandler } from './shipment-progress';

const config = loadConfig();
const { outbound } = deliverySteps({ doc: documentClient, tableName: config.TABLE_NAME });

export const handler = makeHandler({ outbound, now: () => new Date() });
