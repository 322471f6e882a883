import {
  SHIPMENT_STATUS_RANK, type Checkpoint, type ShipmentStatus, type TrackingNotification, type TrackingRecord,
} from '../shipping/port';

// How a tracking report moves a parcel's tracking record. Carriers report late,
// repeatedly and out of order, so the outcome must not depend on arrival order: the
// record keeps what its status is derived from (`basis`), and each part is a maximum
// over every report seen, which no order or repetition can change.
//
// - Main line (LABEL_CREATED, PICKED_UP, IN_TRANSIT, OUT_FOR_DELIVERY, READY_FOR_PICKUP,
//   RETURNING, DELIVERED, RETURNED): the best report by rank, then by event time. A
//   higher-rank report wins even when its event time is older (DELIVERED whose callback
//   came before OUT_FOR_DELIVERY's); a lower-rank one never does (DELIVERED never goes
//   back to IN_TRANSIT). RETURNED outranks DELIVERED: a parcel refused or sent back
//   after a delivery scan ends RETURNED; DELIVERED never follows RETURNED.
// - Side states (EXCEPTION, DELIVERY_FAILED): the newest by event time. One shows only
//   while it is newer than the main-line report and the parcel is not DELIVERED or
//   RETURNED: a customs hold after IN_TRANSIT shows until a newer scan, a failed
//   attempt after OUT_FOR_DELIVERY shows until the next attempt.
// - Checkpoints: the union of every report's, one per (instant, status, description),
//   oldest first, descriptions kept as sent.
// - Estimated delivery: from the newest report (by event time) that has one.

/** Side states: shown only while newer than the main line. */
export const SIDE_STATUSES: ReadonlySet<ShipmentStatus> = new Set(['EXCEPTION', 'DELIVERY_FAILED']);
/** The main line stops here: no side state shows after them. */
export const FINAL_STATUSES: ReadonlySet<ShipmentStatus> = new Set(['DELIVERED', 'RETURNED']);

/** A record keeps at most this many checkpoints (the newest), far below DynamoDB's item size. */
export const MAX_CHECKPOINTS = 500;

interface Report {
  status: ShipmentStatus;
  at: string;
}

const instant = (at: string) => Date.parse(at);
const rank = (s: ShipmentStatus) => SHIPMENT_STATUS_RANK[s];

/** Main line: rank, then event time, then name (a total order, so ties end the same whatever the order). */
function betterProgress(a: Report, b: Report): boolean {
  return compare([rank(a.status), instant(a.at)], [rank(b.status), instant(b.at)], a.status, b.status) > 0;
}

/** Side states: event time, then rank, then name. */
function betterSide(a: Report, b: Report | undefined): boolean {
  if (!b) return true;
  return compare([instant(a.at), rank(a.status)], [instant(b.at), rank(b.status)], a.status, b.status) > 0;
}

function compare(a: readonly number[], b: readonly number[], aName: string, bName: string): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return aName < bName ? -1 : aName > bName ? 1 : 0;
}

/** The status the basis says: the side state while it is newer than a main line that is not final. */
export function derivedStatus(progress: Report, side: Report | undefined): Report {
  if (side && !FINAL_STATUSES.has(progress.status) && instant(side.at) > instant(progress.at)) return side;
  return progress;
}

const checkpointId = (c: Checkpoint) => `${instant(c.at)}\n${c.status}\n${c.description}`;

/** Of two reports of one checkpoint: the one with a location, else the first by text (any order picks the same). */
function preferred(a: Checkpoint, b: Checkpoint): Checkpoint {
  if ((a.location === undefined) !== (b.location === undefined)) return a.location !== undefined ? a : b;
  return `${a.at}\n${a.location ?? ''}` <= `${b.at}\n${b.location ?? ''}` ? a : b;
}

/** Every checkpoint of both lists, once each, oldest first (ties by rank, then description), at most MAX_CHECKPOINTS (the newest). */
export function mergeCheckpoints(a: readonly Checkpoint[], b: readonly Checkpoint[]): Checkpoint[] {
  const byId = new Map<string, Checkpoint>();
  for (const c of [...a, ...b]) {
    const id = checkpointId(c);
    const seen = byId.get(id);
    byId.set(id, seen ? preferred(seen, c) : c);
  }
  const sorted = [...byId.values()].sort(
    (x, y) => instant(x.at) - instant(y.at) || rank(x.status) - rank(y.status) || (x.description < y.description ? -1 : x.description > y.description ? 1 : 0),
  );
  return sorted.slice(-MAX_CHECKPOINTS);
}

/** The record's basis, or the one its own status stands for (a record no report has moved yet). */
function basisOf(record: TrackingRecord): { progress: Report; side?: Report; estimatedDeliveryAt?: string } {
  if (record.basis?.progress) return { ...record.basis, progress: record.basis.progress };
  const own = { status: record.status, at: record.statusAt };
  if (!SIDE_STATUSES.has(own.status)) return { ...record.basis, progress: own };
  return { ...record.basis, progress: { status: 'LABEL_CREATED', at: record.createdAt }, side: own };
}

const sameReport = (a: Report | undefined, b: Report | undefined) => a?.status === b?.status && a?.at === b?.at;
const sameBasis = (a: TrackingRecord['basis'], b: TrackingRecord['basis']) =>
  sameReport(a?.progress, b?.progress) && sameReport(a?.side, b?.side) && a?.estimatedDeliveryAt === b?.estimatedDeliveryAt;
// field by field: a stored map comes back with its keys in any order
const sameCheckpoints = (a: readonly Checkpoint[], b: readonly Checkpoint[]) =>
  a.length === b.length && a.every((c, i) => c.at === b[i]!.at && c.status === b[i]!.status && c.description === b[i]!.description && c.location === b[i]!.location);

export interface TrackingChange {
  /** the record as it should be stored (version and updatedAt moved when anything changed) */
  next: TrackingRecord;
  /** the report changed the record at all (checkpoints, estimated delivery, status) */
  changed: boolean;
  /** the status moved: the change is published (ShipmentStatusChanged) */
  statusChanged: boolean;
  previousStatus: ShipmentStatus;
}

/** One tracking report applied to a parcel's record (pure; the caller writes `next` conditioned on the read version). */
export function applyTrackingReport(record: TrackingRecord, n: TrackingNotification, now: Date): TrackingChange {
  const report: Report = { status: n.status, at: n.occurredAt };
  const basis = basisOf(record);
  let { progress, side } = basis;
  if (SIDE_STATUSES.has(report.status)) {
    if (betterSide(report, side)) side = report;
  } else if (betterProgress(report, progress)) {
    progress = report;
  }
  const shown = derivedStatus(progress, side);

  let estimatedDelivery = record.estimatedDelivery;
  let estimatedDeliveryAt = basis.estimatedDeliveryAt;
  if (n.estimatedDelivery) {
    const newer = !estimatedDelivery || !estimatedDeliveryAt
      || compare([instant(report.at)], [instant(estimatedDeliveryAt)], n.estimatedDelivery, estimatedDelivery) > 0;
    if (newer) {
      estimatedDelivery = n.estimatedDelivery;
      estimatedDeliveryAt = report.at;
    }
  }

  const checkpoints = mergeCheckpoints(record.checkpoints, n.checkpoints);
  const nextBasis = {
    progress,
    ...(side ? { side } : {}),
    ...(estimatedDeliveryAt ? { estimatedDeliveryAt } : {}),
  };
  const candidate: TrackingRecord = {
    ...record,
    status: shown.status,
    statusAt: shown.at,
    checkpoints,
    ...(estimatedDelivery ? { estimatedDelivery } : {}),
    ...(record.providerRef ?? n.providerRef ? { providerRef: record.providerRef ?? n.providerRef } : {}),
    basis: nextBasis,
  };
  const changed = candidate.status !== record.status || candidate.statusAt !== record.statusAt
    || candidate.estimatedDelivery !== record.estimatedDelivery || candidate.providerRef !== record.providerRef
    || !sameCheckpoints(candidate.checkpoints, record.checkpoints) || !sameBasis(nextBasis, record.basis);
  return {
    next: changed ? { ...candidate, version: record.version + 1, updatedAt: now.toISOString() } : record,
    changed,
    statusChanged: candidate.status !== record.status,
    previousStatus: record.status,
  };
}
