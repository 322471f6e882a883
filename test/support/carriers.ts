import { createHash, createHmac } from 'node:crypto';
import EasyPost from '@easypost/api';
import type { TrackingProvider } from '../../shared/shipping/port';

// Carrier callbacks as each provider documents them, signed here with node:crypto
// (EasyPost's checked by its own library), independently of the adapters' verifiers.

export const carrierCredentials = {
  aftership: { webhookSecret: 'as-webhook-secret-0123' },
  // a secret that NFKD changes (ﬁ ligature, full-width digits): the signer must normalize it as EasyPost does
  easypost: { apiKey: 'EZTK-test', webhookSecret: 'ﬁre-secret-１２３' },
  kuaidi100: { key: 'kd-key', customer: 'kd-customer', salt: 'kdSalt0123456789' },
  '17track': { securityKey: '17t-security-key-abcdef' },
} as const;

export interface SignedCallback {
  body: string;
  headers: Record<string, string>;
}

export function aftershipCallback(payload: unknown, secret: string = carrierCredentials.aftership.webhookSecret): SignedCallback {
  const body = JSON.stringify(payload);
  return { body, headers: { 'content-type': 'application/json', 'aftership-hmac-sha256': createHmac('sha256', secret).update(body, 'utf8').digest('base64') } };
}

export function easypostCallback(payload: unknown, secret: string = carrierCredentials.easypost.webhookSecret): SignedCallback {
  const body = JSON.stringify(payload);
  const sig = `hmac-sha256-hex=${createHmac('sha256', Buffer.from(secret.normalize('NFKD'), 'utf8')).update(body, 'utf8').digest('hex')}`;
  // EasyPost's own helper must accept what we signed (it throws otherwise); fixtures use decimal weights (its integer-weight rewrite)
  new EasyPost('test_key').Utils.validateWebhook(Buffer.from(body), { 'x-hmac-signature': sig }, secret);
  return { body, headers: { 'content-type': 'application/json', 'x-hmac-signature': sig } };
}

export function kuaidi100Callback(param: unknown, salt: string = carrierCredentials.kuaidi100.salt): SignedCallback {
  const text = JSON.stringify(param);
  const sign = createHash('md5').update(text + salt, 'utf8').digest('hex').toUpperCase();
  return { body: new URLSearchParams({ param: text, sign }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } };
}

export function seventeentrackCallback(payload: unknown, key: string = carrierCredentials['17track'].securityKey): SignedCallback {
  const body = JSON.stringify(payload);
  return { body, headers: { 'content-type': 'application/json', sign: createHash('sha256').update(`${body}/${key}`, 'utf8').digest('hex') } };
}

// --- payloads in each provider's documented shape --------------------------------------

export const aftershipPayload = (eventId: string, trackingNumber: string, tag: string, checkpoints: { time: string; tag: string; message: string; location?: string }[]) => ({
  event_id: eventId, event: 'tracking_update', is_tracking_first_tag: false, ts: 1764500000,
  msg: {
    id: 'as-trk-1', tracking_number: trackingNumber, slug: 'usps', tag, subtag: `${tag}_001`, title: 'Order', expected_delivery: '2026-12-04',
    checkpoints: checkpoints.map((c) => ({ checkpoint_time: c.time, tag: c.tag, message: c.message, ...(c.location ? { location: c.location } : {}) })),
  },
});

export const easypostPayload = (eventId: string, trackingCode: string, status: string, details: { at: string; status: string; message: string; city?: string }[]) => ({
  id: eventId, object: 'Event', mode: 'test', description: 'tracker.updated', previous_attributes: { status: 'pre_transit' },
  created_at: '2026-11-30T10:00:00Z', updated_at: '2026-11-30T10:00:00Z', pending_urls: [], completed_urls: [],
  result: {
    id: 'trk_0123', object: 'Tracker', tracking_code: trackingCode, carrier: 'USPS', status, weight: 17.5, est_delivery_date: '2026-12-03T00:00:00Z',
    tracking_details: details.map((d) => ({ object: 'TrackingDetail', status: d.status, message: d.message, datetime: d.at, tracking_location: { city: d.city ?? null, state: null, country: 'US', zip: null } })),
  },
});

/** Kuaidi100's `param`: the whole history, newest first, times in China time. */
export const kuaidi100Param = (nu: string, state: string, data: { ftime: string; context: string; status?: string; areaName?: string }[], status = 'polling') => ({
  status, billstatus: 'got', message: '', autoCheck: '0', comOld: '', comNew: '',
  lastResult: { message: 'ok', state, status: '200', condition: 'F00', ischeck: state === '3' ? '1' : '0', com: 'shunfeng', nu, data: data.map((d) => ({ ...d, time: d.ftime })) },
});

export const seventeentrackPayload = (number: string, status: string, events: { timeUtc: string; description: string; stage?: string; location?: string }[]) => ({
  event: 'TRACKING_UPDATED',
  data: {
    number, carrier: 3011, param: null, tag: null,
    track_info: {
      latest_status: { status, sub_status: `${status}_Other` },
      latest_event: events[0] ? { time_utc: events[0].timeUtc, time_iso: events[0].timeUtc, description: events[0].description, location: events[0].location ?? null, stage: events[0].stage ?? null } : null,
      time_metrics: { estimated_delivery_date: { source: '17TRACK', from: '2026-12-02T00:00:00+08:00', to: '2026-12-04T00:00:00+08:00' } },
      tracking: { providers: [{ provider: { key: 3011, name: 'China Post' }, events: events.map((e) => ({ time_utc: e.timeUtc, time_iso: e.timeUtc, description: e.description, location: e.location ?? null, stage: e.stage ?? null, sub_status: null })) }] },
    },
  },
});

export const CALLBACK_OF: Record<TrackingProvider, (p: unknown) => SignedCallback> = {
  aftership: aftershipCallback, easypost: easypostCallback, kuaidi100: kuaidi100Callback, '17track': seventeentrackCallback,
};
