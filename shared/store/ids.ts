import { monotonicFactory } from 'ulid';

// ULIDs sort by time; the monotonic factory keeps ids made within the same
// millisecond in creation order, so ledger and timeline entries written with the
// same timestamp still list in the order they happened.
const next = monotonicFactory();

export const newId = (at?: Date): string => next(at?.getTime());
