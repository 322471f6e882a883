import { createHmac } from 'node:crypto';
import * as z from 'zod';
import type { Checkpoint, ShipmentStatus, TrackingNotification, TrackingProviderAdapter } from '../port';
import { callbackShaped, isoDate, isoTime, jsonPayload, jsonReply, lazyCredentials, mapped, sameBytes, text, type CredentialSource } from './common';
import { lazySchema } from '../../domain/lazy-schema';

// AfterShip Tracking webhooks: `aftership-hmac-sha256` = base64 HMAC-SHA256 of the raw
// body with the webhook secret; `event_id` identifies the event; `msg` is the whole
// tracking (tag, checkpoints, expected delivery).

export interface AftershipCredentials {
  webhookSecret: string;
}

/** AfterShip's `tag` (delivery status) in our terms; Expired is not a parcel status and is not acted on. */
export const AFTERSHIP_TAGS: Readonly<Record<string, ShipmentStatus>> = {
  Pending: 'LABEL_CREATED', InfoReceived: 'LABEL_CREATED', InTransit: 'IN_TRANSIT', OutForDelivery: 'OUT_FOR_DELIVERY',
  AvailableForPickup: 'READY_FOR_PICKUP', AttemptFail: 'DELIVERY_FAILED', Exception: 'EXCEPTION', Delivered: 'DELIVERED',
};

const AftershipCheckpoint = lazySchema(() =>
  z.looseObject({
    checkpoint_time: z.string().nullish(),
    tag: z.string().nullish(),
    message: z.string().nullish(),
    location: z.string().nullish(),
    city: z.string().nullish(),
    country_iso3: z.string().nullish(),
  }),
);
const AftershipEvent = lazySchema(() =>
  z.looseObject({
    event_id: z.string().min(1),
    event: z.string(),
    ts: z.number().optional(),
    msg: z.looseObject({
      id: z.string().nullish(),
      tracking_number: z.string().min(1),
      tag: z.string(),
      updated_at: z.string().nullish(),
      expected_delivery: z.string().nullish(),
      aftership_estimated_delivery_date: z.union([z.string(), z.looseObject({ estimated_delivery_date: z.string().nullish() })]).nullish(),
      checkpoints: z.array(AftershipCheckpoint).nullish(),
    }),
  }),
);

const EVENTS = new Set(['tracking_update', 'edd_revise']);

export function aftershipAdapter(opts: { credentials: CredentialSource<AftershipCredentials> }): TrackingProviderAdapter {
  const credentials = lazyCredentials(opts.credentials);
  return {
    provider: 'aftership',

    async verifyCallback(raw) {
      const header = raw.headers['aftership-hmac-sha256'];
      if (!header) return { ok: false, reason: 'malformed', detail: 'no aftership-hmac-sha256 header' };
      const { webhookSecret } = await credentials();
      const expected = createHmac('sha256', webhookSecret).update(raw.body).digest();
      if (!sameBytes(Buffer.from(header.trim(), 'base64'), expected)) return { ok: false, reason: 'bad-signature', detail: 'HMAC does not match' };
      return jsonPayload(raw.body);
    },

    normalize(payload): TrackingNotification[] {
      const event = callbackShaped('an AfterShip webhook', AftershipEvent, payload);
      const status = AFTERSHIP_TAGS[event.msg.tag];
      if (!EVENTS.has(event.event) || !status) return [];
      const checkpoints: Checkpoint[] = (event.msg.checkpoints ?? []).flatMap((c) => {
        const at = isoTime(c.checkpoint_time);
        if (!at) return [];
        const location = text(c.location ?? [c.city, c.country_iso3].filter(Boolean).join(', '), 300);
        return [{ at, status: mapped(AFTERSHIP_TAGS, c.tag, 'IN_TRANSIT'), description: text(c.message, 1000) ?? c.tag ?? '', ...(location ? { location } : {}) }];
      });
      const newest = checkpoints.reduce<string | undefined>((m, c) => (!m || Date.parse(c.at) > Date.parse(m) ? c.at : m), undefined);
      const occurredAt = newest ?? isoTime(event.msg.updated_at) ?? new Date((event.ts ?? 0) * 1000).toISOString();
      const edd = event.msg.aftership_estimated_delivery_date;
      const estimatedDelivery = isoDate(event.msg.expected_delivery) ?? isoDate(typeof edd === 'string' ? edd : edd?.estimated_delivery_date);
      return [{
        provider: 'aftership', eventKey: event.event_id, trackingNumber: event.msg.tracking_number,
        ...(event.msg.id ? { providerRef: event.msg.id } : {}),
        status, occurredAt, checkpoints, ...(estimatedDelivery ? { estimatedDelivery } : {}),
        providerEventType: `${event.event}/${event.msg.tag}`,
      }];
    },

    reply: jsonReply,
  };
}
