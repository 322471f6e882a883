import * as S from '../schemas';
import { type RouteDef } from './common';

// The routes functions/payment-webhooks serves (its bundle carries these and no others).
export const PAYMENT_WEBHOOKS_ROUTES = {
  // --- Payment provider callbacks: public, authenticated by the provider's signature on the raw body ---
  paymentWebhook: {
    method: 'POST', path: '/webhooks/payments/{provider}', fn: 'payment-webhooks',
    summary: 'A payment provider reports a payment or refund (signed in its own format; answered in its own format)',
    auth: 'public', params: S.PaymentProviderPath,
    responses: {
      200: { description: 'Recorded (Stripe: JSON; Alipay: plain text `success`)' },
      204: { description: 'Recorded (WeChat Pay)' },
      400: { description: 'Signature, freshness or content refused; nothing recorded (Alipay: `fail`; WeChat Pay: `{"code":"FAIL","message":…}`)' },
      404: { description: 'No such provider' },
      500: { description: 'Verified but not recorded yet: the provider delivers again' },
    },
  },
} as const satisfies Record<string, RouteDef>;
