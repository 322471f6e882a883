import { describe, expect, it } from 'vitest';
import { emptyLease, leaseSize, MAX_LEASE, nextFromLease, withRange, type LeaseState } from '../../../shared/domain/order-number-lease';

const DAY = '20261127';

/** Hands out `n` numbers of `day` at the given times (ms), taking ranges from `counter` as the lease asks. */
function handOut(state: LeaseState, day: string, times: number[], counter: { seq: number; takes: number[] }) {
  const numbers: number[] = [];
  for (const t of times) {
    let step = nextFromLease(state, day, t);
    if ('take' in step) {
      counter.seq += step.take;
      counter.takes.push(step.take);
      state = withRange(state, day, counter.seq, step.take);
      step = nextFromLease(state, day, t);
    }
    if (!('sequence' in step)) throw new Error('a fresh range has a number');
    numbers.push(step.sequence);
    state = step.state;
  }
  return { state, numbers };
}

describe('the order-number lease', () => {
  it('takes one number at a time in a quiet container', () => {
    const counter = { seq: 0, takes: [] as number[] };
    // one placement every 1.5 s: never two within a second
    const { numbers } = handOut(emptyLease, DAY, [0, 1_500, 3_000, 4_500, 6_000], counter);
    expect(numbers).toEqual([1, 2, 3, 4, 5]);
    expect(counter.takes).toEqual([1, 1, 1, 1, 1]);
    expect(leaseSize(emptyLease, 0)).toBe(1);
  });

  it('grows with a burst, handing numbers out in order with no gap', () => {
    const counter = { seq: 0, takes: [] as number[] };
    // 20 placements 10 ms apart
    const { numbers, state } = handOut(emptyLease, DAY, Array.from({ length: 20 }, (_, i) => i * 10), counter);
    expect(numbers).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(counter.takes).toEqual([1, 1, 2, 4, 8, 16]);
    expect(counter.takes.length).toBeLessThan(numbers.length / 3);
    // a second later the burst no longer counts
    expect(leaseSize(state, 190 + 1_000)).toBe(1);
  });

  it('never takes more than MAX_LEASE at once', () => {
    const counter = { seq: 0, takes: [] as number[] };
    // 500 placements in a second and a half
    const { numbers } = handOut(emptyLease, DAY, Array.from({ length: 500 }, (_, i) => i * 3), counter);
    expect(new Set(numbers).size).toBe(500);
    expect(Math.max(...counter.takes)).toBe(MAX_LEASE);
    expect(counter.takes.every((n) => n >= 1 && n <= MAX_LEASE)).toBe(true);
  });

  it('drops the rest of a range when the UTC day changes', () => {
    const counter = { seq: 0, takes: [] as number[] };
    const burst = handOut(emptyLease, DAY, Array.from({ length: 5 }, (_, i) => i * 10), counter);
    expect(burst.state.range).toEqual({ day: DAY, next: 6, last: 8 }); // 6..8 left
    const next = { seq: 0, takes: [] as number[] };
    const after = handOut(burst.state, '20261128', [60], next);
    expect(after.numbers).toEqual([1]);
    expect(after.state.range?.day).toBe('20261128');
    // the old day's numbers are not handed out again
    expect(nextFromLease(after.state, DAY, 70)).toEqual({ take: expect.any(Number) });
  });

  it('refuses a range that is not one', () => {
    expect(() => withRange(emptyLease, DAY, 3, 5)).toThrow(RangeError);
    expect(() => withRange(emptyLease, DAY, Number.NaN, 1)).toThrow(RangeError);
  });
});
