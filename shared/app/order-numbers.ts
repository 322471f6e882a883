import { emptyLease, nextFromLease, withRange, type LeaseState } from '../domain/order-number-lease';

/** Takes `count` numbers of the day's order sequence at once (one counter update): the range's last number. */
export type TakeOrderSequences = (day: string, count: number) => Promise<number>;
/** The next number of the day's order sequence. */
export type NextOrderSequence = (day: string) => Promise<number>;

/**
 * This container's order numbers, handed out from a lease of the day's sequence
 * (`shared/domain/order-number-lease.ts`). Made once per container, where its use case is
 * wired: the lease lives as long as the container. Calls that overlap wait for one range
 * together; a failed counter update fails the calls waiting for it, and the next call
 * tries again.
 */
export function orderNumberLease(take: TakeOrderSequences, clock: () => number = Date.now): NextOrderSequence {
  let state: LeaseState = emptyLease;
  let taking: Promise<void> | undefined;
  return async function nextOrderSequence(day: string): Promise<number> {
    for (;;) {
      const step = nextFromLease(state, day, clock());
      if ('sequence' in step) {
        state = step.state;
        return step.sequence;
      }
      taking ??= take(day, step.take)
        .then((last) => {
          state = withRange(state, day, last, step.take);
        })
        .finally(() => {
          taking = undefined;
        });
      await taking;
    }
  };
}
