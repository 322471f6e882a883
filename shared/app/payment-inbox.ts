import { logger } from '../middleware/logger';
import { callbackMessage, type PaymentCallbackMessage } from '../payments/callback-message';
import type { ProviderNotification } from '../payments/port';
import { paymentInbox, type InboxTake } from '../store/payment-inbox';
import type { TableContext } from '../store/table';

// Recording a verified provider notification: once in the inbox, once on the
// payment-callbacks queue, whatever the number of deliveries and however they race.
//
// Why an `enqueued` mark instead of the outbox: the receiver must answer the provider
// only once the notification is safe, and the queue send is one call; when it fails
// the receiver answers 500, the provider delivers again, and the inbox item (without
// `enqueuedAt`) is sent then. A short claim stops concurrent deliveries from sending
// twice: they wait for the sender and answer as it did.

export interface InboxStore {
  take(n: ProviderNotification, now: Date): Promise<InboxTake>;
  enqueued(n: ProviderNotification, now: Date): Promise<void>;
  release(n: ProviderNotification): Promise<void>;
}

export interface RecordCallbackDeps {
  inbox: InboxStore;
  /** sends one message to the payment-callbacks queue */
  enqueue(message: PaymentCallbackMessage): Promise<void>;
  now: () => Date;
  /** pause between looks at an item another delivery is sending */
  wait?: (ms: number) => Promise<void>;
}

/** How long a redelivery waits for a concurrent delivery of the same event to finish sending it. */
const BUSY_WAIT_MS = 200;
const BUSY_LOOKS = 15;

/** Whether the notification is now (or was already) on the queue; false = answer so the provider delivers again. */
export function makeRecordCallback(deps: RecordCallbackDeps) {
  const wait = deps.wait ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  return async function recordCallback(n: ProviderNotification): Promise<boolean> {
    for (let look = 0; look < BUSY_LOOKS; look++) {
      const take = await deps.inbox.take(n, deps.now());
      if (take === 'done') return true;
      if (take === 'send') {
        try {
          await deps.enqueue(callbackMessage(n));
        } catch (err) {
          logger.error('Callback not queued', { provider: n.provider, eventKey: n.eventKey, error: err instanceof Error ? err.message : String(err) });
          await deps.inbox.release(n).catch(() => undefined);
          return false;
        }
        await deps.inbox.enqueued(n, deps.now());
        logger.info('Callback queued', { provider: n.provider, eventKey: n.eventKey, kind: n.kind, status: n.status, paymentId: n.paymentId });
        return true;
      }
      await wait(BUSY_WAIT_MS);
    }
    logger.warn('Callback still being queued by another delivery', { provider: n.provider, eventKey: n.eventKey });
    return false;
  };
}

/** The use case over the table's inbox. */
export const recordCallbackOver = (ctx: TableContext, deps: Omit<RecordCallbackDeps, 'inbox'>) =>
  makeRecordCallback({ ...deps, inbox: paymentInbox(ctx) });
