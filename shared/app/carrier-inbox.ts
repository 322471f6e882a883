import { logger } from '../middleware/logger';
import { carrierCallbackMessage, type CarrierCallbackMessage } from '../shipping/callback-message';
import type { TrackingNotification } from '../shipping/port';
import { carrierInbox, type InboxTake } from '../store/carrier-inbox';
import type { TableContext } from '../store/table';

// Recording a verified carrier notification: once in the inbox, once on the
// carrier-callbacks queue, whatever the number of deliveries and however they race
// (the payment inbox's scheme: an `enqueued` mark, a short claim while one delivery
// sends, and a release when the send fails so the carrier's next delivery sends it).

export interface CarrierInboxStore {
  take(n: TrackingNotification, now: Date): Promise<InboxTake>;
  enqueued(n: TrackingNotification, now: Date): Promise<void>;
  release(n: TrackingNotification): Promise<void>;
}

export interface RecordCarrierCallbackDeps {
  inbox: CarrierInboxStore;
  /** sends one message to the carrier-callbacks queue */
  enqueue(message: CarrierCallbackMessage): Promise<void>;
  now: () => Date;
  /** pause between looks at an item another delivery is sending */
  wait?: (ms: number) => Promise<void>;
}

const BUSY_WAIT_MS = 200;
const BUSY_LOOKS = 15;

/** Whether the notification is now (or was already) on the queue; false = answer so the carrier delivers again. */
export function makeRecordCarrierCallback(deps: RecordCarrierCallbackDeps) {
  const wait = deps.wait ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  return async function recordCarrierCallback(n: TrackingNotification): Promise<boolean> {
    const facts = { provider: n.provider, eventKey: n.eventKey, trackingNumber: n.trackingNumber, status: n.status };
    for (let look = 0; look < BUSY_LOOKS; look++) {
      const take = await deps.inbox.take(n, deps.now());
      if (take === 'done') return true;
      if (take === 'send') {
        try {
          await deps.enqueue(carrierCallbackMessage(n));
        } catch (err) {
          logger.error('Carrier callback not queued', { ...facts, error: err instanceof Error ? err.message : String(err) });
          await deps.inbox.release(n).catch(() => undefined);
          return false;
        }
        await deps.inbox.enqueued(n, deps.now());
        logger.info('Carrier callback queued', facts);
        return true;
      }
      await wait(BUSY_WAIT_MS);
    }
    logger.warn('Carrier callback still being queued by another delivery', facts);
    return false;
  };
}

/** The use case over the table's carrier inbox. */
export const recordCarrierCallbackOver = (ctx: TableContext, deps: Omit<RecordCarrierCallbackDeps, 'inbox'>) =>
  makeRecordCarrierCallback({ ...deps, inbox: carrierInbox(ctx) });
