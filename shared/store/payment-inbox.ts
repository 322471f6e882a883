import type { ProviderNotification } from '../payments/port';
import * as keys from './keys';
import { ENTITY } from './keys';
import type { TableContext } from './table';
import { webhookInbox } from './webhook-inbox';

// The inbox of payment provider callbacks (shared/store/webhook-inbox.ts), kept 7 days:
// longer than every provider's retry window (Stripe 3 days, Alipay about 25 hours,
// WeChat Pay 24 h 4 min).

export { INBOX_CLAIM_MS, INBOX_TTL_SECONDS, type InboxTake } from './webhook-inbox';

export const paymentInbox = (ctx: TableContext) =>
  webhookInbox<ProviderNotification>(ctx, { type: ENTITY.paymentInbox, key: (n) => keys.paymentInbox(n.provider, n.eventKey) });
export type PaymentInbox = ReturnType<typeof paymentInbox>;
