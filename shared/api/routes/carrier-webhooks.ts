import * as S from '../schemas';
import type { RouteDef } from './common';

// The routes functions/carrier-webhooks serves (its bundle carries these and no others).
export const CARRIER_WEBHOOKS_ROUTES = {
  // --- carriers' tracking callbacks: public, authenticated by their signature on the raw body ---
  carrierWebhook: {
    method: 'POST', path: '/webhooks/carriers/{provider}', fn: 'carrier-webhooks',
    summary: 'A tracking provider reports a parcel\'s progress (signed in its own format; answered in its own format)',
    auth: 'public', params: S.CarrierProviderPath,
    responses: {
      200: { description: 'Recorded (AfterShip, EasyPost, 17TRACK: JSON; Kuaidi100: `{"result":true,"returnCode":"200","message":"成功"}`)' },
      400: { description: 'Signature or content refused; nothing recorded (Kuaidi100: `{"result":false,"returnCode":"500",…}`)' },
      404: { description: 'No such provider' },
      500: { description: 'Verified but not recorded yet: the provider delivers again' },
    },
  },
} as const satisfies Record<string, RouteDef>;
