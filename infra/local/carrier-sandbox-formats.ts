// The carrier sandbox's wire formats: each tracking provider's callback as the provider
// sends it (body shape, vocabulary, signature), built from a parcel's checkpoints so far.
// Pure functions over the credentials of `.oms/local.json` `providers`.
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { ShipmentStatus, TrackingProvider } from '../../shared/shipping/port';
import type { ProviderCredentials } from './handshake';

/** One scan the sandbox reported, in our terms. */
export interface SandboxCheckpoint {
  at: string;
  status: ShipmentStatus;
  location?: string;
  description: string;
}

/** What a callback is built from: the parcel and every checkpoint so far, oldest first. */
export interface CallbackParcel {
  trackingNumber: string;
  /** EasyPost trk_… / AfterShip tracking id: stable per parcel */
  trackerId: string;
  shipmentRef?: string;
  /** Kuaidi100's company code */
  company: string;
  estimatedDelivery?: string;
  createdAt: string;
}

export interface BuiltCallback {
  eventType: string;
  headers: Record<string, string>;
  body: string;
}

/** A status a provider has no word for (Kuaidi100 pushes no label-created or failed-attempt state). */
export class Unexpressible extends Error {}

const DESCRIPTIONS: Record<ShipmentStatus, [en: string, zh: string]> = {
  LABEL_CREATED: ['Shipping label created', '已下单'],
  PICKED_UP: ['Picked up by the carrier', '快件已揽收'],
  IN_TRANSIT: ['Departed facility', '快件已发往下一站'],
  EXCEPTION: ['Shipment exception', '快件异常，请联系客服'],
  DELIVERY_FAILED: ['Delivery attempted, recipient not available', '派送不成功'],
  OUT_FOR_DELIVERY: ['Out for delivery', '快件正在派送中'],
  READY_FOR_PICKUP: ['Available for pickup', '快件已到达驿站，请凭取件码取件'],
  RETURNING: ['Returning to sender', '快件退回中'],
  DELIVERED: ['Delivered', '快件已签收'],
  RETURNED: ['Returned to sender', '快件已退签'],
};

/** A checkpoint's description when none is given: Chinese with the city in 【】 for Kuaidi100, English otherwise. */
export function defaultDescription(status: ShipmentStatus, via: TrackingProvider, location?: string): string {
  const [en, zh] = DESCRIPTIONS[status];
  return via === 'kuaidi100' ? `【${location ?? '上海市'}】${zh}` : en;
}

const newestFirst = (cps: SandboxCheckpoint[]) => [...cps].sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
const oldestFirst = (cps: SandboxCheckpoint[]) => [...cps].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
const latest = (cps: SandboxCheckpoint[]) => newestFirst(cps)[0]!;
/** `yyyy-MM-dd HH:mm:ss` in China time, as Kuaidi100 writes times. */
export const chinaTime = (iso: string) => new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
const chinaIso = (iso: string) => `${new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 19)}+08:00`;
const utc = (iso: string) => new Date(iso).toISOString();

// --- AfterShip: tracking_update, base64 HMAC-SHA256 of the body in aftership-hmac-sha256 ----

const AFTERSHIP_TAG: Record<ShipmentStatus, [tag: string, subtag: string]> = {
  LABEL_CREATED: ['InfoReceived', 'InfoReceived_001'],
  PICKED_UP: ['InTransit', 'InTransit_002'],
  IN_TRANSIT: ['InTransit', 'InTransit_001'],
  EXCEPTION: ['Exception', 'Exception_001'],
  DELIVERY_FAILED: ['AttemptFail', 'AttemptFail_001'],
  OUT_FOR_DELIVERY: ['OutForDelivery', 'OutForDelivery_001'],
  READY_FOR_PICKUP: ['AvailableForPickup', 'AvailableForPickup_001'],
  RETURNING: ['Exception', 'Exception_010'],
  DELIVERED: ['Delivered', 'Delivered_001'],
  RETURNED: ['Exception', 'Exception_011'],
};

export function aftershipCallback(p: CallbackParcel, cps: SandboxCheckpoint[], c: ProviderCredentials, now = new Date()): BuiltCallback {
  const last = latest(cps);
  const [tag, subtag] = AFTERSHIP_TAG[last.status];
  const tagsBefore = oldestFirst(cps).slice(0, -1).map((x) => AFTERSHIP_TAG[x.status][0]);
  const event = {
    event_id: randomUUID(),
    event: 'tracking_update',
    is_tracking_first_tag: !tagsBefore.includes(tag),
    ts: Math.floor(now.getTime() / 1000),
    msg: {
      id: p.trackerId,
      tracking_number: p.trackingNumber,
      slug: 'sf-express',
      active: tag !== 'Delivered',
      tag,
      subtag,
      subtag_message: DESCRIPTIONS[last.status][0],
      title: p.trackingNumber,
      expected_delivery: p.estimatedDelivery ?? null,
      created_at: p.createdAt,
      updated_at: now.toISOString(),
      checkpoints: oldestFirst(cps).map((x) => ({
        slug: 'sf-express',
        checkpoint_time: utc(x.at),
        tag: AFTERSHIP_TAG[x.status][0],
        subtag: AFTERSHIP_TAG[x.status][1],
        subtag_message: DESCRIPTIONS[x.status][0],
        message: x.description,
        location: x.location ?? null,
        city: x.location ?? null,
        country_iso3: 'CHN',
      })),
    },
  };
  const body = JSON.stringify(event);
  const signature = createHmac('sha256', c.aftership.webhookSecret).update(body, 'utf8').digest('base64');
  return { eventType: `tracking_update/${tag}`, headers: { 'content-type': 'application/json', 'aftership-hmac-sha256': signature }, body };
}

// --- EasyPost: Event tracker.updated, x-hmac-signature: hmac-sha256-hex=… (NFKD secret) ----

const EASYPOST_STATUS: Record<ShipmentStatus, [status: string, detail: string]> = {
  LABEL_CREATED: ['pre_transit', 'label_created'],
  PICKED_UP: ['in_transit', 'received_at_origin_facility'],
  IN_TRANSIT: ['in_transit', 'departed_facility'],
  EXCEPTION: ['error', 'unknown'],
  DELIVERY_FAILED: ['failure', 'delivery_failed'],
  OUT_FOR_DELIVERY: ['out_for_delivery', 'out_for_delivery'],
  READY_FOR_PICKUP: ['available_for_pickup', 'available_for_pickup'],
  RETURNING: ['return_to_sender', 'return'],
  DELIVERED: ['delivered', 'arrived_at_destination'],
  RETURNED: ['return_to_sender', 'return'],
};

export function easypostSignature(body: string, webhookSecret: string): string {
  return `hmac-sha256-hex=${createHmac('sha256', Buffer.from(webhookSecret.normalize('NFKD'), 'utf8')).update(body, 'utf8').digest('hex')}`;
}

export function easypostCallback(p: CallbackParcel, cps: SandboxCheckpoint[], c: ProviderCredentials, url: string, now = new Date()): BuiltCallback {
  const ordered = oldestFirst(cps);
  const last = ordered[ordered.length - 1]!;
  const previous = ordered[ordered.length - 2];
  const [status, detail] = EASYPOST_STATUS[last.status];
  const event = {
    id: `evt_${randomBytes(16).toString('hex')}`,
    object: 'Event',
    mode: 'test',
    description: 'tracker.updated',
    previous_attributes: previous ? { status: EASYPOST_STATUS[previous.status][0] } : {},
    created_at: now.toISOString(),
    updated_at: now.toISOString(),
    pending_urls: [url],
    completed_urls: [],
    status: 'pending',
    result: {
      id: p.trackerId,
      object: 'Tracker',
      mode: 'test',
      tracking_code: p.trackingNumber,
      status,
      status_detail: detail,
      created_at: p.createdAt,
      updated_at: now.toISOString(),
      signed_by: last.status === 'DELIVERED' ? 'RECIPIENT' : null,
      // EasyPost signs weights as floats (136.0), which JSON.stringify cannot write: none here
      weight: null,
      est_delivery_date: p.estimatedDelivery ? `${p.estimatedDelivery}T00:00:00Z` : null,
      shipment_id: p.shipmentRef ?? null,
      carrier: 'USPS',
      tracking_details: ordered.map((x) => ({
        object: 'TrackingDetail',
        message: x.description,
        description: '',
        status: EASYPOST_STATUS[x.status][0],
        status_detail: EASYPOST_STATUS[x.status][1],
        datetime: utc(x.at),
        source: 'USPS',
        tracking_location: { object: 'TrackingLocation', city: x.location ?? null, state: null, country: null, zip: null },
      })),
      carrier_detail: null,
      public_url: `https://track.easypost.com/${p.trackerId}`,
      fees: [],
    },
  };
  const body = JSON.stringify(event);
  return {
    eventType: `tracker.updated/${status}`,
    headers: { 'content-type': 'application/json', 'x-hmac-signature': easypostSignature(body, c.easypost.webhookSecret) },
    body,
  };
}

// --- Kuaidi100: form param + sign = uppercase MD5(param + salt), a full snapshot ------------

const KUAIDI100_STATE: Partial<Record<ShipmentStatus, [state: string, word: string]>> = {
  PICKED_UP: ['1', '揽收'],
  IN_TRANSIT: ['0', '在途'],
  EXCEPTION: ['2', '疑难'],
  OUT_FOR_DELIVERY: ['5', '派件'],
  READY_FOR_PICKUP: ['5', '派件'],
  RETURNING: ['6', '退回'],
  DELIVERED: ['3', '签收'],
  RETURNED: ['4', '退签'],
};

export function kuaidi100Sign(param: string, salt: string): string {
  return createHash('md5').update(param + salt, 'utf8').digest('hex').toUpperCase();
}

export function kuaidi100Callback(p: CallbackParcel, cps: SandboxCheckpoint[], salt: string): BuiltCallback {
  const state = (s: ShipmentStatus) => {
    const v = KUAIDI100_STATE[s];
    if (!v) throw new Unexpressible(`Kuaidi100 pushes no state for ${s}`);
    return v;
  };
  const ordered = newestFirst(cps);
  const [st] = state(ordered[0]!.status);
  const signed = st === '3';
  const param = JSON.stringify({
    status: signed ? 'shutdown' : 'polling',
    billstatus: 'got',
    message: '',
    autoCheck: '0',
    comOld: '',
    comNew: '',
    lastResult: {
      message: 'ok',
      nu: p.trackingNumber,
      ischeck: signed ? '1' : '0',
      condition: 'F00',
      com: p.company,
      status: '200',
      state: st,
      data: ordered.map((x) => ({
        time: chinaTime(x.at),
        ftime: chinaTime(x.at),
        context: x.description,
        status: state(x.status)[1],
        ...(x.location ? { areaName: x.location } : {}),
      })),
    },
  });
  return {
    eventType: `state ${st}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: new URLSearchParams({ param, sign: kuaidi100Sign(param, salt) }).toString(),
  };
}

// --- 17TRACK: TRACKING_UPDATED, header sign = SHA-256 hex of body + "/" + security key ------

const SEVENTEEN_STATUS: Record<ShipmentStatus, [status: string, sub: string, stage: string]> = {
  LABEL_CREATED: ['InfoReceived', 'InfoReceived', 'InfoReceived'],
  PICKED_UP: ['InTransit', 'InTransit_PickedUp', 'PickedUp'],
  IN_TRANSIT: ['InTransit', 'InTransit_Other', 'Departure'],
  EXCEPTION: ['Exception', 'Exception_Other', ''],
  DELIVERY_FAILED: ['DeliveryFailure', 'DeliveryFailure_Other', 'DeliveryFailure'],
  OUT_FOR_DELIVERY: ['OutForDelivery', 'OutForDelivery_Other', 'OutForDelivery'],
  READY_FOR_PICKUP: ['AvailableForPickup', 'AvailableForPickup_Other', 'AvailableForPickup'],
  RETURNING: ['Exception', 'Exception_Returning', 'Returning'],
  DELIVERED: ['Delivered', 'Delivered_Other', 'Delivered'],
  RETURNED: ['Exception', 'Exception_Returned', 'Returned'],
};
/** 17TRACK's numeric carrier code the sandbox reports parcels under (China Post). */
const SEVENTEEN_CARRIER = 3011;

export function seventeenTrackSign(body: string, securityKey: string): string {
  return createHash('sha256').update(`${body}/${securityKey}`, 'utf8').digest('hex');
}

export function seventeenTrackCallback(p: CallbackParcel, cps: SandboxCheckpoint[], c: ProviderCredentials): BuiltCallback {
  const events = newestFirst(cps).map((x) => ({
    time_iso: chinaIso(x.at),
    time_utc: utc(x.at),
    description: x.description,
    location: x.location ?? null,
    stage: SEVENTEEN_STATUS[x.status][2] || null,
    sub_status: SEVENTEEN_STATUS[x.status][1],
    address: { country: 'CN', state: null, city: x.location ?? null, street: null, postal_code: null, coordinates: null },
  }));
  const [status, sub] = SEVENTEEN_STATUS[latest(cps).status];
  const body = JSON.stringify({
    event: 'TRACKING_UPDATED',
    data: {
      number: p.trackingNumber,
      carrier: SEVENTEEN_CARRIER,
      param: null,
      tag: null,
      track_info: {
        latest_status: { status, sub_status: sub, sub_status_descr: null },
        latest_event: events[0],
        time_metrics: { estimated_delivery_date: { source: null, from: p.estimatedDelivery ?? null, to: p.estimatedDelivery ?? null } },
        tracking: { providers: [{ provider: { key: SEVENTEEN_CARRIER, name: 'China Post', country: 'CN' }, latest_sync_status: 'Success', events }] },
      },
    },
  });
  return { eventType: `TRACKING_UPDATED/${status}`, headers: { 'content-type': 'application/json', sign: seventeenTrackSign(body, c['17track'].securityKey) }, body };
}
