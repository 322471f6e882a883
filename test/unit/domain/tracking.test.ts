import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyTrackingReport, mergeCheckpoints } from '../../../shared/domain/tracking';
import { SHIPMENT_STATUSES, type Checkpoint, type ShipmentStatus, type TrackingNotification, type TrackingRecord } from '../../../shared/shipping/port';

const now = new Date('2026-12-01T00:00:00.000Z');

const record = (over: Partial<TrackingRecord> = {}): TrackingRecord => ({
  trackingNumber: 'SF1001', carrier: 'kuaidi100', orderId: 'ord-1', shipmentId: 'shp-1',
  status: 'LABEL_CREATED', statusAt: '2026-11-28T00:00:00.000Z', checkpoints: [],
  createdAt: '2026-11-28T00:00:00.000Z', updatedAt: '2026-11-28T00:00:00.000Z', version: 1, ...over,
});

const cp = (at: string, status: ShipmentStatus, description: string, location?: string): Checkpoint => ({ at, status, description, ...(location ? { location } : {}) });

/** A report whose newest checkpoint is its status (as carriers send them). */
function report(status: ShipmentStatus, at: string, checkpoints: Checkpoint[] = [cp(at, status, `${status} scan`)], over: Partial<TrackingNotification> = {}): TrackingNotification {
  return {
    provider: 'kuaidi100', eventKey: `SF1001|${at}|${status}`, trackingNumber: 'SF1001', status, occurredAt: at, checkpoints,
    providerEventType: status, ...over,
  };
}

const applyAll = (start: TrackingRecord, reports: TrackingNotification[]) =>
  reports.reduce((r, n) => applyTrackingReport(r, n, now).next, start);

describe('tracking reports', () => {
  it('moves along the main line and publishes each move once', () => {
    const r1 = applyTrackingReport(record(), report('PICKED_UP', '2026-11-28T09:00:00+08:00'), now);
    expect(r1).toMatchObject({ statusChanged: true, previousStatus: 'LABEL_CREATED', next: { status: 'PICKED_UP', statusAt: '2026-11-28T09:00:00+08:00', version: 2 } });
    const again = applyTrackingReport(r1.next, report('PICKED_UP', '2026-11-28T09:00:00+08:00'), now);
    expect(again).toMatchObject({ changed: false, statusChanged: false });
    expect(again.next).toBe(r1.next);
  });

  it('never goes back from DELIVERED to IN_TRANSIT, even for a newer report', () => {
    const delivered = applyAll(record(), [report('DELIVERED', '2026-11-29T15:00:00Z')]);
    const late = applyTrackingReport(delivered, report('IN_TRANSIT', '2026-11-29T18:00:00Z'), now);
    expect(late.statusChanged).toBe(false);
    expect(late.next.status).toBe('DELIVERED');
    // its checkpoint is still kept
    expect(late.next.checkpoints.map((c) => c.status)).toEqual(['DELIVERED', 'IN_TRANSIT']);
  });

  it('takes a higher-rank report older than the current one (DELIVERED whose callback came before OUT_FOR_DELIVERY\'s)', () => {
    const ofd = applyAll(record(), [report('OUT_FOR_DELIVERY', '2026-11-29T09:00:00Z')]);
    expect(applyTrackingReport(ofd, report('DELIVERED', '2026-11-29T08:59:00Z'), now).next.status).toBe('DELIVERED');
    const delivered = applyAll(record(), [report('DELIVERED', '2026-11-29T15:00:00Z')]);
    expect(applyTrackingReport(delivered, report('OUT_FOR_DELIVERY', '2026-11-29T09:00:00Z'), now).statusChanged).toBe(false);
  });

  it('shows a side state only while it is newer than the main line', () => {
    const transit = applyAll(record(), [report('IN_TRANSIT', '2026-11-29T08:00:00Z')]);
    const held = applyTrackingReport(transit, report('EXCEPTION', '2026-11-29T09:00:00Z'), now);
    expect(held).toMatchObject({ statusChanged: true, next: { status: 'EXCEPTION' } });
    // released: a newer scan on the main line, even of lower rank
    expect(applyTrackingReport(held.next, report('IN_TRANSIT', '2026-11-29T10:00:00Z'), now).next.status).toBe('IN_TRANSIT');
    // a stale exception arriving after the newer scan changes nothing
    const released = applyAll(record(), [report('IN_TRANSIT', '2026-11-29T10:00:00Z')]);
    expect(applyTrackingReport(released, report('EXCEPTION', '2026-11-29T09:00:00Z'), now).statusChanged).toBe(false);
    // a failed attempt after OUT_FOR_DELIVERY (lower rank) shows because it is newer; never after DELIVERED
    const ofd = applyAll(record(), [report('OUT_FOR_DELIVERY', '2026-11-29T09:00:00Z')]);
    expect(applyTrackingReport(ofd, report('DELIVERY_FAILED', '2026-11-29T14:00:00Z'), now).next.status).toBe('DELIVERY_FAILED');
    const delivered = applyAll(record(), [report('DELIVERED', '2026-11-29T15:00:00Z')]);
    expect(applyTrackingReport(delivered, report('DELIVERY_FAILED', '2026-11-29T16:00:00Z'), now).next.status).toBe('DELIVERED');
  });

  it('ends RETURNED after DELIVERED, and never DELIVERED after RETURNED', () => {
    const delivered = applyAll(record(), [report('DELIVERED', '2026-11-29T15:00:00Z')]);
    expect(applyTrackingReport(delivered, report('RETURNED', '2026-12-02T15:00:00Z'), now).next.status).toBe('RETURNED');
    const returned = applyAll(record(), [report('RETURNED', '2026-12-02T15:00:00Z')]);
    expect(applyTrackingReport(returned, report('DELIVERED', '2026-12-03T15:00:00Z'), now).statusChanged).toBe(false);
  });

  it('merges checkpoints: one per instant, status and description, oldest first, 中文 kept as sent', () => {
    const a = [cp('2026-11-28T10:00:00+08:00', 'PICKED_UP', '【深圳市】顺丰速运 已收取快件'), cp('2026-11-28T20:00:00+08:00', 'IN_TRANSIT', '快件已发车')];
    const b = [cp('2026-11-28T12:00:00Z', 'IN_TRANSIT', '快件已发车', '深圳'), cp('2026-11-28T02:00:00Z', 'PICKED_UP', '【深圳市】顺丰速运 已收取快件')];
    const merged = mergeCheckpoints(a, b);
    expect(merged).toEqual([b[1], b[0]]);
    expect(mergeCheckpoints(b, a)).toEqual(merged);
  });

  it('keeps the estimated delivery of the newest report that has one', () => {
    const r = applyAll(record(), [
      report('IN_TRANSIT', '2026-11-29T10:00:00Z', [], { estimatedDelivery: '2026-12-03' }),
      report('IN_TRANSIT', '2026-11-29T08:00:00Z', [], { estimatedDelivery: '2026-12-05' }),
      report('OUT_FOR_DELIVERY', '2026-11-30T08:00:00Z', []),
    ]);
    expect(r.estimatedDelivery).toBe('2026-12-03');
  });
});

// --- any order, any repetition: the same end ------------------------------------------

/** A parcel's history: checkpoints at increasing times, statuses drawn from every status. */
const history = fc.array(fc.record({ status: fc.constantFrom(...SHIPMENT_STATUSES), minutes: fc.integer({ min: 1, max: 600 }), edd: fc.option(fc.integer({ min: 1, max: 9 })) }), { minLength: 1, maxLength: 8 })
  .map((steps) => {
    let t = Date.parse('2026-11-28T00:00:00Z');
    const checkpoints: Checkpoint[] = [];
    return steps.map((s, i) => {
      t += s.minutes * 60_000;
      // the same instant written in China time or UTC, as different providers do
      const at = i % 2 ? new Date(t).toISOString() : new Date(t + 8 * 3600_000).toISOString().replace('Z', '+08:00').replace(/\.\d{3}/, '');
      checkpoints.push(cp(new Date(t).toISOString(), s.status, `第${i + 1}站 scan ${s.status}`, i % 3 ? 'Shenzhen 深圳' : undefined));
      // snapshot providers send the whole history so far; others only the newest checkpoint
      return report(s.status, at, i % 2 ? [...checkpoints] : [checkpoints.at(-1)!], s.edd === null ? {} : { estimatedDelivery: `2026-12-0${s.edd}` });
    });
  });

describe('tracking reports in any order', () => {
  it('end in the same status, checkpoints and estimated delivery whatever the order and repetition', () => {
    fc.assert(
      fc.property(
        history.chain((reports) => fc.tuple(
          fc.constant(reports),
          fc.shuffledSubarray(reports, { minLength: reports.length, maxLength: reports.length }),
          fc.array(fc.integer({ min: 0, max: reports.length - 1 }), { maxLength: 10 }),
        )),
        ([reports, shuffled, repeats]) => {
          const inOrder = applyAll(record(), reports);
          const mixed = applyAll(record(), [...shuffled, ...repeats.map((i) => shuffled[i]!)]);
          const twiceEach = applyAll(applyAll(record(), [...shuffled].reverse()), reports);
          for (const other of [mixed, twiceEach]) {
            expect(other.status).toBe(inOrder.status);
            expect(other.statusAt).toBe(inOrder.statusAt);
            expect(other.checkpoints).toEqual(inOrder.checkpoints);
            expect(other.estimatedDelivery).toBe(inOrder.estimatedDelivery);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('in time order, never leaves DELIVERED for the main line below it', () => {
    fc.assert(
      fc.property(history, (reports) => {
        let r = record();
        let delivered = false;
        for (const n of reports) {
          r = applyTrackingReport(r, n, now).next;
          if (r.status === 'DELIVERED') delivered = true;
          else if (delivered) expect(r.status).toBe('RETURNED');
        }
      }),
    );
  });
});
