import * as S from '../schemas-tracking';
import { type RouteDef } from './common';

// The routes functions/tracking serves (its bundle carries these and no others).
export const TRACKING_ROUTES = {
  getTracking: {
    method: 'GET', path: '/tracking/{trackingNumber}', fn: 'tracking', auth: 'public', params: S.TrackingNumberPath,
    summary: 'A parcel\'s carrier, normalized status, checkpoints and estimated delivery, without personal data',
    responses: {
      200: { description: 'The parcel\'s tracking', schema: S.PublicTracking },
      404: { description: 'No parcel has this tracking number' },
    },
  },
} as const satisfies Record<string, RouteDef>;
