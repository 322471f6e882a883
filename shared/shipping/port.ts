import * as z from 'zod';
import { lazySchema } from '../domain/lazy-schema';

// The contract of shipping: carriers (who create waybills), tracking providers (who
// call back with checkpoints), and one normalized vocabulary of shipment statuses.
// The shipment use cases talk only to these types; each provider's adapter
// (shared/shipping/providers/<name>.ts) implements them with node:crypto and fetch,
// against base URLs from the stage config (the real API in AWS stages, the local
// cloud's sandbox carrier in the local stage).

/** Who a shipment is booked with (API.md): `sandbox` exists in the local stage only by configuration. */
export const CARRIERS = ['aftership', 'easypost', 'kuaidi100', '17track', 'sandbox'] as const;
export const Carrier = z.enum(CARRIERS);
export type Carrier = z.infer<typeof Carrier>;

/** Providers that call back over `POST /webhooks/carriers/{provider}`. */
export const TRACKING_PROVIDERS = ['aftership', 'easypost', 'kuaidi100', '17track'] as const;
export const TrackingProvider = z.enum(TRACKING_PROVIDERS);
export type TrackingProvider = z.infer<typeof TrackingProvider>;

/**
 * Normalized shipment statuses with their rank. A report moves a shipment only
 * forward in rank (DELIVERED never goes back to IN_TRANSIT); side states of lower
 * rank than the current one (EXCEPTION, DELIVERY_FAILED) are taken only when the
 * report is newer by the carrier's event time.
 */
export const SHIPMENT_STATUS_RANK = {
  LABEL_CREATED: 10,
  PICKED_UP: 20,
  IN_TRANSIT: 30,
  EXCEPTION: 40,
  DELIVERY_FAILED: 45,
  OUT_FOR_DELIVERY: 50,
  READY_FOR_PICKUP: 50,
  RETURNING: 80,
  DELIVERED: 90,
  RETURNED: 95,
} as const;
export const SHIPMENT_STATUSES = Object.keys(SHIPMENT_STATUS_RANK) as (keyof typeof SHIPMENT_STATUS_RANK)[];
export const ShipmentStatus = z.enum(SHIPMENT_STATUSES as [keyof typeof SHIPMENT_STATUS_RANK, ...(keyof typeof SHIPMENT_STATUS_RANK)[]]);
export type ShipmentStatus = z.infer<typeof ShipmentStatus>;

/** One scan of a parcel, as the carrier reported it (descriptions kept as sent, 中文 included). */
export const Checkpoint = lazySchema(() =>
  z.strictObject({
    at: z.iso.datetime({ offset: true }),
    status: ShipmentStatus,
    location: z.string().max(300).optional(),
    description: z.string().max(1000),
  }),
);
export type Checkpoint = z.infer<typeof Checkpoint>;

/**
 * One verified tracking report in our terms. `eventKey` is the inbox key: the
 * provider's identity of the event, so a redelivery finds the same key (AfterShip
 * event_id; EasyPost evt_ id; Kuaidi100 nu|ftime of the newest checkpoint|state;
 * 17TRACK number|time_utc of the latest event|status).
 */
export const TrackingNotification = lazySchema(() =>
  z.strictObject({
    provider: TrackingProvider,
    eventKey: z.string().min(1).max(300),
    trackingNumber: z.string().min(1).max(100),
    /** the provider's tracker id where it has one (EasyPost trk_…, AfterShip id) */
    providerRef: z.string().optional(),
    status: ShipmentStatus,
    /** when the carrier says the latest checkpoint happened: orders reports, not arrival time */
    occurredAt: z.iso.datetime({ offset: true }),
    /** every checkpoint the report carries (snapshot providers send the whole history) */
    checkpoints: z.array(Checkpoint).max(500),
    estimatedDelivery: z.iso.date().optional(),
    /** the provider's event type or status as sent (tracking_update/Delivered, tracker.updated, state 3) */
    providerEventType: z.string(),
  }),
);
export type TrackingNotification = z.infer<typeof TrackingNotification>;

/** A callback exactly as it arrived: header names lower-cased, the body's raw bytes. */
export interface RawCarrierCallback {
  headers: Readonly<Record<string, string | undefined>>;
  body: Buffer;
  receivedAt: Date;
}

export type CarrierVerifyResult =
  | { ok: true; payload: unknown }
  | { ok: false; reason: 'bad-signature' | 'malformed' | 'unknown-key'; detail: string };

export interface CarrierCallbackReply {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** A tracking provider's callbacks: verify on raw bytes, normalize, and answer as it expects. */
export interface TrackingProviderAdapter {
  readonly provider: TrackingProvider;
  verifyCallback(raw: RawCarrierCallback): Promise<CarrierVerifyResult>;
  /** The verified payload as notifications (none for event types we do not act on). */
  normalize(payload: unknown): TrackingNotification[];
  reply(outcome: 'accepted' | 'rejected', message?: string): CarrierCallbackReply;
}

export interface WaybillInput {
  shipmentId: string;
  orderNumber: string;
  /** sent to the carrier so a retried booking makes one waybill: derived from the shipment */
  idempotencyKey: string;
  parcel: { lines: { sku: string; quantity: number }[] };
  to: { name: string; phone?: string; line1: string; line2?: string; city: string; region?: string; postalCode: string; country: string };
  /** where the carrier's tracking callbacks go: `${publicApiUrl}/webhooks/carriers/<provider>` */
  notifyUrl: string;
}

export interface WaybillResult {
  trackingNumber: string;
  /** the carrier's shipment or tracker id (EasyPost shp_/trk_, Kuaidi100 taskId) */
  providerRef?: string;
  labelUrl?: string;
  estimatedDelivery?: string;
}

/** A carrier that books waybills (EasyPost, Kuaidi100, the local sandbox). */
export interface WaybillCarrier {
  readonly carrier: Carrier;
  createWaybill(input: WaybillInput): Promise<WaybillResult>;
}

/**
 * What the tracking callback worker hands to the shipment use cases, once per inbox
 * record; redeliveries and reordering must not change the outcome.
 */
export interface TrackingCallbackSink {
  apply(notification: TrackingNotification, opts: { now: Date; causationId: string }): Promise<{ outcome: string }>;
}

/**
 * A parcel's tracking as stored under `keys.tracking(trackingNumber)`: written with the
 * shipment (LABEL_CREATED, no checkpoints), then moved only by tracking reports through
 * the pure rules in shared/domain/tracking.ts. No personal data: the public
 * `GET /tracking/{trackingNumber}` answers from it.
 */
export const TrackingRecord = lazySchema(() =>
  z.strictObject({
    trackingNumber: z.string().min(1).max(100),
    carrier: Carrier,
    orderId: z.string(),
    shipmentId: z.string(),
    status: ShipmentStatus,
    /** the carrier's event time of the report that set `status` (createdAt until the first report) */
    statusAt: z.iso.datetime({ offset: true }),
    checkpoints: z.array(Checkpoint),
    estimatedDelivery: z.iso.date().optional(),
    providerRef: z.string().optional(),
    /**
     * What `status` is derived from (shared/domain/tracking.ts), so reports applied in any
     * order end the same: the best main-line report (by rank, then event time), the newest
     * side report (EXCEPTION, DELIVERY_FAILED), and the event time of the report that gave
     * `estimatedDelivery`. Absent on a record no report has moved yet.
     */
    basis: z.strictObject({
      progress: z.strictObject({ status: ShipmentStatus, at: z.iso.datetime({ offset: true }) }).optional(),
      side: z.strictObject({ status: ShipmentStatus, at: z.iso.datetime({ offset: true }) }).optional(),
      estimatedDeliveryAt: z.iso.datetime({ offset: true }).optional(),
    }).optional(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    version: z.int().min(1),
  }),
);
export type TrackingRecord = z.infer<typeof TrackingRecord>;
