import { describe, expect, it } from 'vitest';
import { parseSchedule } from '../../../infra/local/scheduler';

describe('schedule expressions', () => {
  it('parses rates', () => {
    expect(parseSchedule('rate(1 minute)')).toEqual({ kind: 'rate', everyMs: 60_000 });
    expect(parseSchedule('rate(2 hours)')).toEqual({ kind: 'rate', everyMs: 7_200_000 });
    expect(() => parseSchedule('rate(0 minutes)')).toThrow();
  });

  it('matches cron fields in UTC (minutes hours day-of-month month day-of-week year)', () => {
    const s = parseSchedule('cron(0/15 8-17 ? * MON-FRI *)');
    if (s.kind !== 'cron') throw new Error('expected cron');
    expect(s.matches(new Date('2026-11-27T08:30:00Z'))).toBe(true); // a Friday
    expect(s.matches(new Date('2026-11-27T08:31:00Z'))).toBe(false);
    expect(s.matches(new Date('2026-11-28T08:30:00Z'))).toBe(false); // Saturday
    expect(s.matches(new Date('2026-11-27T18:00:00Z'))).toBe(false);
    const daily = parseSchedule('cron(5 3 * * ? *)');
    if (daily.kind !== 'cron') throw new Error('expected cron');
    expect(daily.matches(new Date('2030-01-01T03:05:00Z'))).toBe(true);
    expect(() => parseSchedule('cron(0 12 L * ? *)')).toThrow(/not supported/);
    expect(() => parseSchedule('cron(0 12 * *)')).toThrow(/six fields/);
  });
});
