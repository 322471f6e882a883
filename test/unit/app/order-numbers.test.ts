import { describe, expect, it } from 'vitest';
import { orderNumberLease } from '../../../shared/app/order-numbers';

const DAY = '20261127';

describe("a container's lease", () => {
  it('lets overlapping calls wait for one range and gives each its own number', async () => {
    const seq = new Map<string, number>();
    const takes: number[] = [];
    let now = 0;
    const next = orderNumberLease(async (day, count) => {
      takes.push(count);
      await new Promise((r) => setTimeout(r, 5));
      seq.set(day, (seq.get(day) ?? 0) + count);
      return seq.get(day)!;
    }, () => now);
    const first = await Promise.all(Array.from({ length: 10 }, () => next(DAY)));
    expect(first.sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    expect(takes.length).toBeLessThan(10);
    // quiet again, on the next day: one number, the day's first
    now = 5_000;
    expect(await next('20261128')).toBe(1);
    expect(takes.at(-1)).toBe(1);
    expect(seq.get('20261128')).toBe(1);
  });

  it('fails the calls waiting for a failed range, and the next call tries again', async () => {
    let fail = true;
    let seq = 0;
    const next = orderNumberLease(async (_day, count) => {
      if (fail) throw new Error('throttled');
      return (seq += count);
    });
    await expect(Promise.all([next(DAY), next(DAY)])).rejects.toThrow('throttled');
    fail = false;
    expect(await next(DAY)).toBe(1);
  });
});
