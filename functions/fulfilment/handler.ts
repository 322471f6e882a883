import { outboundSteps } from '../../shared/app/outbound';
import { documentClient } from '../../shared/aws';
import { loadConfig } from '../../shared/config';
import { waybillCarrierFor } from '../../shared/shipping/carriers/registry';
import { makeHandler } from './fulfilment';

const config = loadConfig();
const { outbound } = outboundSteps({ doc: documentClient, tableName: config.TABLE_NAME }, { waybillCarrierFor });

export const handler = makeHandler({ outbound, now: () => new Date() });
