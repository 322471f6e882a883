import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RETRY_POLICY, afterAttempt, patternMatches, pausesAfter, postponed, retryDelayMs, rotateSecrets, secretHint, signingSecrets, unknownPatterns,
} from '../../../shared/domain/webhooks';

const T0 = new Date('2026-11-27T00:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const H = 3600_000;

describe('webhook event patterns', () => {
  it('take an exact detail type, a prefix ending in *, or everything', () => {
    expect(patternMatches('OrderPaid', 'OrderPaid')).toBe(true);
    expect(patternMatches('OrderPaid', 'OrderPaidLater')).toBe(false);
    expect(patternMatches('Shipment*', 'ShipmentCreated')).toBe(true);
    expect(patternMatches('Shipment*', 'OrderShipped')).toBe(false);
    expect(patternMatches('*', 'StockAdjusted')).toBe(true);
  });

  it('name the patterns that match no known event', () => {
    expect(unknownPatterns(['OrderPaid', 'Ship*', 'OrderPayed'], ['OrderPaid', 'ShipmentCreated'])).toEqual(['OrderPayed']);
  });
});

describe('retry schedule', () => {
  it('doubles from 30 s up to 2 h, each delay between half and all of its step', () => {
    const steps = [1, 2, 3, 4, 9, 20].map((n) => [retryDelayMs(n, DEFAULT_RETRY_POLICY, 0), retryDelayMs(n, DEFAULT_RETRY_POLICY, 1 - 1e-12)]);
    expect(steps).toEqual([
      [15_000, 30_000], [30_000, 60_000], [60_000, 120_000], [120_000, 240_000], [H, 2 * H], [H, 2 * H],
    ]);
  });

  it('keeps a failing delivery pending until its 24-hour window ends, then fails it', () => {
    let d = { status: 'PENDING' as const, attempts: 0, firstAttemptAt: T0.toISOString() };
    let now = T0;
    const seen: string[] = [];
    for (let i = 0; i < 40; i++) {
      const r = afterAttempt(d, { status: 503 }, now, DEFAULT_RETRY_POLICY, 0.5);
      seen.push(r.status);
      if (r.status !== 'PENDING') break;
      now = new Date(r.nextAttemptAt);
      d = { ...d, attempts: r.attempts };
    }
    expect(seen.at(-1)).toBe('FAILED');
    expect(seen.filter((s) => s === 'PENDING').length).toBeGreaterThan(10);
    // the last retry was still inside the window
    expect(now.getTime() - T0.getTime()).toBeLessThanOrEqual(24 * H);
    expect(now.getTime() - T0.getTime()).toBeGreaterThan(20 * H);
  });

  it('counts a 2xx as delivered and anything else (a redirect too) as a failure', () => {
    const d = { status: 'PENDING' as const, attempts: 2, firstAttemptAt: T0.toISOString() };
    expect(afterAttempt(d, { status: 204 }, at(1000), DEFAULT_RETRY_POLICY, 0)).toEqual({ status: 'DELIVERED', attempts: 3, at: at(1000).toISOString() });
    expect(afterAttempt(d, { status: 301 }, at(1000), DEFAULT_RETRY_POLICY, 0).status).toBe('PENDING');
    expect(afterAttempt(d, { error: 'ECONNREFUSED' }, at(1000), DEFAULT_RETRY_POLICY, 0).status).toBe('PENDING');
  });

  it('holds a paused subscription\'s delivery without counting an attempt, and fails it at the end of its window', () => {
    const d = { status: 'PENDING' as const, attempts: 3, firstAttemptAt: T0.toISOString() };
    expect(postponed(d, at(H), DEFAULT_RETRY_POLICY)).toEqual({ status: 'PENDING', attempts: 3, at: at(H).toISOString(), nextAttemptAt: at(3 * H).toISOString() });
    expect(postponed(d, at(23 * H), DEFAULT_RETRY_POLICY).status).toBe('FAILED');
  });

  it('pauses a subscription after ten failures in a row', () => {
    expect(pausesAfter(9, DEFAULT_RETRY_POLICY)).toBe(false);
    expect(pausesAfter(10, DEFAULT_RETRY_POLICY)).toBe(true);
  });
});

describe('secret rotation', () => {
  it('signs with the new secret and the replaced one until the overlap ends', () => {
    const first = rotateSecrets([], 'whsec_first_0123456789abcdef', T0, 24 * H);
    expect(first).toEqual([{ secret: 'whsec_first_0123456789abcdef', createdAt: T0.toISOString() }]);
    const second = rotateSecrets(first, 'whsec_second_0123456789abcdef', at(H), 24 * H);
    expect(second.map((s) => s.secret)).toEqual(['whsec_second_0123456789abcdef', 'whsec_first_0123456789abcdef']);
    expect(signingSecrets(second, at(24 * H)).length).toBe(2);
    expect(signingSecrets(second, at(25 * H)).map((s) => s.secret)).toEqual(['whsec_second_0123456789abcdef']);
  });

  it('keeps only the latest replaced secret, and re-setting the same secret changes nothing', () => {
    const a = rotateSecrets([], 'whsec_a_0123456789abcdefghij', T0, H);
    const b = rotateSecrets(a, 'whsec_b_0123456789abcdefghij', at(1), H);
    const c = rotateSecrets(b, 'whsec_c_0123456789abcdefghij', at(2), H);
    expect(c.map((s) => s.secret)).toEqual(['whsec_c_0123456789abcdefghij', 'whsec_b_0123456789abcdefghij']);
    expect(rotateSecrets(c, 'whsec_c_0123456789abcdefghij', at(3), H)).toEqual(c);
  });

  it('shows a hint, never the secret', () => {
    expect(secretHint('whsec_abcdefghijklmnopqrstuvwxyz')).toBe('whsec_…wxyz');
  });
});
