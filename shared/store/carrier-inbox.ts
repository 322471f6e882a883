import type { TrackingNotification } from '../shipping/port';
import * as keys from './keys';
import { ENTITY } from './keys';
import type { TableContext } from './table';
import { webhookInbox } from './webhook-inbox';

// The inbox of carrier tracking callbacks (shared/store/webhook-inbox.ts), kept 7 days:
// longer than every carrier's retry window (AfterShip about 68 hours, EasyPost about 24
// hours, Kuaidi100 3 x 35 minutes). The item names its tracking number too.

export { INBOX_CLAIM_MS, INBOX_TTL_SECONDS, type InboxTake } from './webhook-inbox';

export const carrierInbox = (ctx: TableContext) =>
  webhookInbox<TrackingNotification>(ctx, {
    type: ENTITY.carrierInbox,
    key: (n) => keys.carrierInbox(n.provider, n.eventKey),
    attributes: (n) => ({ trackingNumber: n.trackingNumber }),
  });
export type CarrierInbox = ReturnType<typeof carrierInbox>;
