import { createHash } from 'node:crypto';
import * as z from 'zod';
import type { Checkpoint, ShipmentStatus, TrackingNotification, TrackingProviderAdapter } from '../port';
import { callbackShaped, isoDate, isoTime, jsonPayload, jsonReply, lazyCredentials, mapped, sameBytes, text, type CredentialSource } from './common';
import { lazySchema } from '../../domain/lazy-schema';

// 17TRACK webhooks (API v2.x): header `sign` = lowercase hex SHA-256 of the raw body,
// "/" and the account's security key (a plain hash, not an HMAC). No event id: the
// event is identified by number, latest event time and latest status.

export interface SeventeentrackCredentials {
  securityKey: string;
}

/** `latest_status.status` (and an event's `stage`) in our terms; NotFound is not a parcel yet, Expired not a status. */
export const SEVENTEENTRACK_STATUSES: Readonly<Record<string, ShipmentStatus>> = {
  InfoReceived: 'LABEL_CREATED', PickedUp: 'PICKED_UP', InTransit: 'IN_TRANSIT', OutForDelivery: 'OUT_FOR_DELIVERY',
  AvailableForPickup: 'READY_FOR_PICKUP', DeliveryFailure: 'DELIVERY_FAILED', Exception: 'EXCEPTION', Delivered: 'DELIVERED',
  Returning: 'RETURNING', Returned: 'RETURNED',
};
/** Sub-statuses that say more than their main status. */
const SUB_STATUSES: Readonly<Record<string, ShipmentStatus>> = {
  InTransit_PickedUp: 'PICKED_UP', Exception_Returning: 'RETURNING', Exception_Returned: 'RETURNED',
};

const statusOf = (main: string | null | undefined, sub: string | null | undefined, fallback?: ShipmentStatus) =>
  (sub && SUB_STATUSES[sub]) || (main && SEVENTEENTRACK_STATUSES[main]) || fallback;

const Event = lazySchema(() =>
  z.looseObject({
    time_iso: z.string().nullish(),
    time_utc: z.string().nullish(),
    description: z.string().nullish(),
    location: z.string().nullish(),
    stage: z.string().nullish(),
    sub_status: z.string().nullish(),
  }),
);
const Webhook = lazySchema(() =>
  z.looseObject({
    event: z.string(),
    data: z.looseObject({
      number: z.string().min(1),
      carrier: z.union([z.number(), z.string()]).nullish(),
      track_info: z.looseObject({
        latest_status: z.looseObject({ status: z.string(), sub_status: z.string().nullish() }),
        latest_event: Event.nullish(),
        time_metrics: z.looseObject({ estimated_delivery_date: z.looseObject({ from: z.string().nullish(), to: z.string().nullish() }).nullish() }).nullish(),
        tracking: z.looseObject({ providers: z.array(z.looseObject({ events: z.array(Event).nullish() })).nullish() }).nullish(),
      }).nullish(),
    }),
  }),
);

export function seventeentrackAdapter(opts: { credentials: CredentialSource<SeventeentrackCredentials> }): TrackingProviderAdapter {
  const credentials = lazyCredentials(opts.credentials);
  return {
    provider: '17track',

    async verifyCallback(raw) {
      const sign = raw.headers.sign?.trim().toLowerCase();
      if (!sign) return { ok: false, reason: 'malformed', detail: 'no sign header' };
      const { securityKey } = await credentials();
      const expected = createHash('sha256').update(raw.body).update(`/${securityKey}`, 'utf8').digest();
      if (!/^[0-9a-f]{64}$/.test(sign) || !sameBytes(Buffer.from(sign, 'hex'), expected)) return { ok: false, reason: 'bad-signature', detail: 'sign does not match' };
      return jsonPayload(raw.body);
    },

    normalize(payload): TrackingNotification[] {
      const hook = callbackShaped('a 17TRACK webhook', Webhook, payload);
      const info = hook.data.track_info;
      if (hook.event !== 'TRACKING_UPDATED' || !info) return [];
      const status = statusOf(info.latest_status.status, info.latest_status.sub_status);
      if (!status) return [];
      const checkpoints: Checkpoint[] = (info.tracking?.providers ?? []).flatMap((p) => p.events ?? []).flatMap((e) => {
        const at = isoTime(e.time_utc) ?? isoTime(e.time_iso);
        if (!at) return [];
        const location = text(e.location, 300);
        return [{ at, status: statusOf(e.stage, e.sub_status, mapped(SEVENTEENTRACK_STATUSES, e.sub_status?.split('_')[0], 'IN_TRANSIT'))!, description: text(e.description, 1000) ?? '', ...(location ? { location } : {}) }];
      });
      const latest = info.latest_event;
      const occurredAt = isoTime(latest?.time_utc) ?? isoTime(latest?.time_iso)
        ?? checkpoints.reduce<string | undefined>((m, c) => (!m || Date.parse(c.at) > Date.parse(m) ? c.at : m), undefined);
      if (!occurredAt) return [];
      const edd = info.time_metrics?.estimated_delivery_date;
      const estimatedDelivery = isoDate(edd?.to) ?? isoDate(edd?.from);
      return [{
        provider: '17track', eventKey: `${hook.data.number}|${latest?.time_utc ?? occurredAt}|${info.latest_status.status}`, trackingNumber: hook.data.number,
        status, occurredAt, checkpoints, ...(estimatedDelivery ? { estimatedDelivery } : {}),
        providerEventType: `${hook.event}/${info.latest_status.status}`,
      }];
    },

    reply: jsonReply,
  };
}
