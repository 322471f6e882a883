import { SHIPPING_EVENTS } from '../../events/shipping';
import type { ChangeSet, DomainEvent } from '../domain/decision';
import { applyTrackingReport, SIDE_STATUSES } from '../domain/tracking';
import { logger } from '../middleware/logger';
import type { TrackingCallbackSink, TrackingNotification, TrackingRecord } from '../shipping/port';
import type { TableContext } from '../store/table';
import { trackingRepository, type TrackingRepository } from '../store/tracking-repository';
import { ConditionFailed, makeWriter, type Writer } from '../store/writer';
import { stamper } from './events';

/** The events these use cases publish, stamped for the outbox. */
const stamped = stamper(SHIPPING_EVENTS);

// Tracking reports applied to a parcel's record: load it by tracking number, let the
// pure rules decide (shared/domain/tracking.ts), write it conditioned on its version,
// with ShipmentStatusChanged (and ShipmentExceptionReported for EXCEPTION / DELIVERY_FAILED) in
// the same transaction when the status moved. A lost condition (another report of the
// same parcel) is read and decided again; the rules make the end independent of order.

export interface ShipmentTrackingDeps {
  tracking: Pick<TrackingRepository, 'get'>;
  writer: Pick<Writer, 'commit'>;
}

/**
 * Reads and decides again this often when conditions keep failing: each round one
 * writer wins, so a batch of 10 reports of one parcel settles within 10 rounds (a
 * report that still loses throws and its message is delivered again).
 */
const MAX_ATTEMPTS = 10;

export type TrackingOutcome = 'unknown-tracking' | 'unchanged' | 'checkpoints' | 'status-changed';

function statusEvents(before: TrackingRecord, after: TrackingRecord): DomainEvent[] {
  const data = {
    orderId: after.orderId, shipmentId: after.shipmentId, trackingNumber: after.trackingNumber, carrier: after.carrier,
    previousStatus: before.status, status: after.status, at: after.statusAt,
  };
  const changed: DomainEvent = { detailType: 'ShipmentStatusChanged', data };
  return SIDE_STATUSES.has(after.status) ? [changed, { detailType: 'ShipmentExceptionReported', data }] : [changed];
}

/** The record's change as the writer takes it: every field set, conditioned on the version read. */
export function trackingChangeSet(before: TrackingRecord, after: TrackingRecord, statusChanged: boolean, at: Date): ChangeSet {
  const { trackingNumber: _n, ...set } = after;
  return {
    aggregate: { entity: 'tracking', id: after.trackingNumber },
    at: at.toISOString(),
    changes: [{ op: 'update', entity: 'tracking', id: [after.trackingNumber], tag: 'tracking', expect: { equals: { version: before.version } }, set }],
    events: statusChanged ? statusEvents(before, after) : [],
    movements: [],
  };
}

export function makeShipmentTracking(deps: ShipmentTrackingDeps) {
  return {
    /** A parcel's tracking as the public route shows it (the record; the caller picks what is public). */
    get: (trackingNumber: string) => deps.tracking.get(trackingNumber),

    /** A carrier's verified, de-duplicated report (what the callback worker hands over). */
    async apply(n: TrackingNotification, opts: { now: Date; causationId: string }): Promise<{ outcome: TrackingOutcome }> {
      for (let attempt = 1; ; attempt++) {
        const record = await deps.tracking.get(n.trackingNumber);
        if (!record) {
          // a parcel we did not ship (or not yet recorded): acknowledged, never retried forever
          logger.warn('Tracking report for an unknown tracking number', { provider: n.provider, eventKey: n.eventKey, trackingNumber: n.trackingNumber });
          return { outcome: 'unknown-tracking' };
        }
        const d = applyTrackingReport(record, n, opts.now);
        if (!d.changed) return { outcome: 'unchanged' };
        try {
          await deps.writer.commit(stamped(trackingChangeSet(record, d.next, d.statusChanged, opts.now), {
            now: opts.now, correlationId: record.orderId, causationId: opts.causationId,
          }));
          return { outcome: d.statusChanged ? 'status-changed' : 'checkpoints' };
        } catch (err) {
          if (!(err instanceof ConditionFailed) || attempt >= MAX_ATTEMPTS) throw err;
        }
      }
    },
  };
}
export type ShipmentTracking = ReturnType<typeof makeShipmentTracking>;

/** The tracking use cases over one table (the tracking functions carry no other repository). */
export function shipmentTracking(ctx: TableContext): ShipmentTracking & TrackingCallbackSink {
  return makeShipmentTracking({ tracking: trackingRepository(ctx), writer: makeWriter(ctx) });
}
