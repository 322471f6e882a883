import { loadConfig } from '../../shared/config';
import { logger } from '../../shared/middleware/logger';
import type { PaymentCallbackSink } from '../../shared/payments/port';
import { makeHandler } from './payment-callbacks';

// The sink is the payment use cases' `paymentCallbacks(store)` (shared/app/payments.ts).
// Until that is wired here, every message fails and stays on the queue (then its DLQ):
// nothing is acknowledged that was not applied.
loadConfig();

const sink: PaymentCallbackSink = {
  apply: async (n) => {
    logger.error('Payment callbacks are not wired to the payment use cases', { provider: n.provider, eventKey: n.eventKey });
    throw new Error('payment callback sink not wired');
  },
};

export const handler = makeHandler({ sink, now: () => new Date() });
