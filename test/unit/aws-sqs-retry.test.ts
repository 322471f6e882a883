import { describe, expect, it } from 'vitest';
import { MAX_RECEIVE_COUNT } from '../../infra/constructs/queued-step';
import { RETRY_AFTER_SECONDS, retryAfterSeconds } from '../../shared/aws-sqs-retry';

describe('retrying a waiting message sooner', () => {
  it('comes back within seconds first, then less often', () => {
    expect([1, 2, 3, 4, 5].map(retryAfterSeconds)).toEqual([5, 15, 45, 120, 120]);
    // a count past the last step, or none at all, stays in the schedule
    expect(retryAfterSeconds(9)).toBe(120);
    expect(retryAfterSeconds(Number(undefined))).toBe(5);
  });

  it('keeps the patience five visibility timeouts gave before the DLQ', () => {
    // the reports queue's visibility timeout: six times the function's 10 s, plus the batching window
    const before = MAX_RECEIVE_COUNT * 61;
    const now = RETRY_AFTER_SECONDS.slice(0, MAX_RECEIVE_COUNT).reduce((a, b) => a + b, 0);
    expect(now).toBeGreaterThanOrEqual(before);
    // and it outlasts the outbox sweeper's re-drive (two minutes, on a one-minute schedule)
    expect(now).toBeGreaterThan(3 * 60);
  });
});
