import { shipmentTracking } from '../../shared/app/shipment-tracking';
import { documentClient } from '../../shared/aws';
import { loadConfig } from '../../shared/config';
import { makeHandler } from './carrier-callbacks';

// Each verified, recorded carrier report is applied by the tracking use cases
// (shared/app/shipment-tracking.ts): idempotent and independent of order and count.
const config = loadConfig();

export const handler = makeHandler({ sink: shipmentTracking({ doc: documentClient, tableName: config.TABLE_NAME }), now: () => new Date() });
