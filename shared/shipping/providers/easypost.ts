import { createHmac } from 'node:crypto';
import * as z from 'zod';
import type { Checkpoint, ShipmentStatus, TrackingNotification, TrackingProviderAdapter } from '../port';
import { callbackShaped, isoDate, isoTime, jsonPayload, jsonReply, lazyCredentials, mapped, sameBytes, text, type CredentialSource } from './common';
import { lazySchema } from '../../domain/lazy-schema';

// EasyPost tracker events: `x-hmac-signature: hmac-sha256-hex=<hex>` = HMAC-SHA256 of
// the raw body keyed with the webhook secret NFKD-normalized (UTF-8); the Event's `id`
// (evt_…) identifies it; `result` is the Tracker with its tracking_details so far.

export interface EasypostCredentials {
  apiKey: string;
  webhookSecret: string;
}

/** EasyPost's tracker `status` in our terms; `cancelled` is not acted on. */
export const EASYPOST_STATUSES: Readonly<Record<string, ShipmentStatus>> = {
  unknown: 'LABEL_CREATED', pre_transit: 'LABEL_CREATED', in_transit: 'IN_TRANSIT', out_for_delivery: 'OUT_FOR_DELIVERY',
  available_for_pickup: 'READY_FOR_PICKUP', delivered: 'DELIVERED', return_to_sender: 'RETURNING', failure: 'DELIVERY_FAILED', error: 'EXCEPTION',
};

const PREFIX = 'hmac-sha256-hex=';

const Detail = lazySchema(() =>
  z.looseObject({
    status: z.string().nullish(),
    message: z.string().nullish(),
    description: z.string().nullish(),
    datetime: z.string().nullish(),
    tracking_location: z.looseObject({ city: z.string().nullish(), state: z.string().nullish(), country: z.string().nullish(), zip: z.string().nullish() }).nullish(),
  }),
);
const EasypostEvent = lazySchema(() =>
  z.looseObject({
    id: z.string().min(1),
    description: z.string(),
    created_at: z.string().nullish(),
    result: z.looseObject({
      id: z.string().nullish(),
      object: z.string().nullish(),
      tracking_code: z.string().nullish(),
      status: z.string().nullish(),
      updated_at: z.string().nullish(),
      est_delivery_date: z.string().nullish(),
      tracking_details: z.array(Detail).nullish(),
    }),
  }),
);

export function easypostAdapter(opts: { credentials: CredentialSource<EasypostCredentials> }): TrackingProviderAdapter {
  const credentials = lazyCredentials(opts.credentials);
  return {
    provider: 'easypost',

    async verifyCallback(raw) {
      const header = raw.headers['x-hmac-signature']?.trim();
      if (!header?.startsWith(PREFIX)) return { ok: false, reason: 'malformed', detail: 'no x-hmac-signature: hmac-sha256-hex=… header' };
      const { webhookSecret } = await credentials();
      const expected = createHmac('sha256', Buffer.from(webhookSecret.normalize('NFKD'), 'utf8')).update(raw.body).digest();
      const hex = header.slice(PREFIX.length);
      if (!/^[0-9a-f]+$/i.test(hex) || !sameBytes(Buffer.from(hex, 'hex'), expected)) return { ok: false, reason: 'bad-signature', detail: 'HMAC does not match' };
      return jsonPayload(raw.body);
    },

    normalize(payload): TrackingNotification[] {
      const event = callbackShaped('an EasyPost event', EasypostEvent, payload);
      const tracker = event.result;
      const status = tracker.status ? EASYPOST_STATUSES[tracker.status] : undefined;
      if (!event.description.startsWith('tracker.') || !tracker.tracking_code || !status) return [];
      const checkpoints: Checkpoint[] = (tracker.tracking_details ?? []).flatMap((d) => {
        const at = isoTime(d.datetime);
        if (!at) return [];
        const l = d.tracking_location;
        const location = text([l?.city, l?.state, l?.country].filter(Boolean).join(', '), 300);
        return [{ at, status: mapped(EASYPOST_STATUSES, d.status, 'IN_TRANSIT'), description: text(d.message ?? d.description, 1000) ?? d.status ?? '', ...(location ? { location } : {}) }];
      });
      const newest = checkpoints.reduce<string | undefined>((m, c) => (!m || Date.parse(c.at) > Date.parse(m) ? c.at : m), undefined);
      const occurredAt = newest ?? isoTime(tracker.updated_at) ?? isoTime(event.created_at);
      if (!occurredAt) return [];
      const estimatedDelivery = isoDate(tracker.est_delivery_date);
      return [{
        provider: 'easypost', eventKey: event.id, trackingNumber: tracker.tracking_code,
        ...(tracker.id ? { providerRef: tracker.id } : {}),
        status, occurredAt, checkpoints, ...(estimatedDelivery ? { estimatedDelivery } : {}),
        providerEventType: `${event.description}/${tracker.status}`,
      }];
    },

    reply: jsonReply,
  };
}
