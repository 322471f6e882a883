import { describe, expect, it } from 'vitest';
import { makeHandler } from '../../../functions/reconcile-payments/reconcile-payments';

describe('reconcile-payments handler', () => {
  it('runs one reconciliation at the scheduled time with the event id as cause, and reports its counts', async () => {
    const calls: [string, string][] = [];
    const handler = makeHandler({
      reconciliation: {
        reconcileAll: (now, causationId) => {
          calls.push([now.toISOString(), causationId]);
          return Promise.resolve({ checked: 3, drifts: 1, alreadyReported: 1, skipped: 1, errors: [{ paymentId: 'p1', message: 'timeout' }] });
        },
      },
      now: () => new Date('2026-11-27T03:00:00.000Z'),
    });
    await expect(handler({ id: 'evt-1' })).resolves.toEqual({ checked: 3, drifts: 1, alreadyReported: 1, skipped: 1, errors: 1 });
    expect(calls).toEqual([['2026-11-27T03:00:00.000Z', 'evt-1']]);
  });
});
