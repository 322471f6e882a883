import * as z from 'zod';
import { CallbackProvider, ProviderNotification } from './port';

// What the webhook receiver puts on the payment-callbacks queue and the callback
// worker reads: one verified, normalized notification and the inbox item it came from.

export const PaymentCallbackMessage = z.strictObject({
  inbox: z.strictObject({ provider: CallbackProvider, eventKey: z.string().min(1) }),
  notification: ProviderNotification,
});
export type PaymentCallbackMessage = z.infer<typeof PaymentCallbackMessage>;

export const callbackMessage = (n: ProviderNotification): PaymentCallbackMessage => ({
  inbox: { provider: n.provider, eventKey: n.eventKey },
  notification: n,
});
