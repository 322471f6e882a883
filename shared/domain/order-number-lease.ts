// Order numbers handed out from a lease (the "hi/lo" pattern): a container takes a range
// of the day's sequence with one counter update and hands its numbers out in order, one
// per placement, instead of one counter update per order.
//
// The lease is adaptive, so a quiet shop sees no change: it is one number unless this
// container handed numbers out within the last second, and then as many as it handed out
// in that second (it roughly doubles while a burst uses each lease up), at most MAX_LEASE.
// A range belongs to its UTC day: when the day changes, what is left of it is dropped.
// What that costs, written down in order-number.ts: a container that ends with numbers
// left leaves a gap (at most one lease), and two containers placing orders in the same
// second may number them out of placement order. Numbers stay unique: two containers
// never share a range.

/** How far back a container's recent placements count towards its next lease. */
export const LEASE_WINDOW_MS = 1_000;
/** The most numbers one lease takes (and so the largest gap a container can leave). */
export const MAX_LEASE = 32;

export interface SequenceRange {
  /** the UTC day (yyyymmdd) whose sequence the range is of */
  day: string;
  /** the next number to hand out */
  next: number;
  /** the range's last number */
  last: number;
}

export interface LeaseState {
  range?: SequenceRange;
  /** when (ms) this container last handed numbers out: oldest first, at most MAX_LEASE */
  handedOut: readonly number[];
}

export const emptyLease: LeaseState = { handedOut: [] };

/** How many numbers the next lease takes: the numbers handed out in the last second, at least 1, at most MAX_LEASE. */
export function leaseSize(state: LeaseState, nowMs: number): number {
  const recent = state.handedOut.filter((at) => nowMs - at < LEASE_WINDOW_MS).length;
  return Math.min(MAX_LEASE, Math.max(1, recent));
}

export type LeaseStep =
  | { sequence: number; state: LeaseState }
  /** the lease has no number for this day: take a range of `take` numbers of its sequence */
  | { take: number };

/** The next number of `day` from the lease, or how many numbers to take for it. */
export function nextFromLease(state: LeaseState, day: string, nowMs: number): LeaseStep {
  const { range } = state;
  if (!range || range.day !== day || range.next > range.last) return { take: leaseSize(state, nowMs) };
  const handedOut = [...state.handedOut.filter((at) => nowMs - at < LEASE_WINDOW_MS), nowMs].slice(-MAX_LEASE);
  return { sequence: range.next, state: { range: { ...range, next: range.next + 1 }, handedOut } };
}

/** The lease once a range of `count` numbers of `day`'s sequence ending at `last` was taken (the rest of any other is dropped). */
export function withRange(state: LeaseState, day: string, last: number, count: number): LeaseState {
  if (!Number.isSafeInteger(last) || !Number.isSafeInteger(count) || count < 1 || last < count) {
    throw new RangeError(`not a range of the order sequence: ${count} ending at ${last}`);
  }
  return { ...state, range: { day, next: last - count + 1, last } };
}
