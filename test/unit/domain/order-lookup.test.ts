import { describe, expect, it } from 'vitest';
import { OrderListQuery } from '../../../shared/api/schemas';
import { ValidationError } from '../../../shared/domain/errors';
import { lookupRange, OrderLookupFilter } from '../../../shared/domain/order-lookup';

describe('order look-up filters', () => {
  it('reads a date as the whole UTC day and a timestamp in the stored ISO form', () => {
    expect(OrderLookupFilter.parse({ from: '2026-11-01', to: '2026-11-30' })).toEqual({
      from: '2026-11-01T00:00:00.000Z',
      to: '2026-11-30T23:59:59.999Z',
    });
    expect(OrderLookupFilter.parse({ from: '2026-11-01T08:00:00+08:00' })).toEqual({ from: '2026-11-01T00:00:00.000Z' });
  });

  it('refuses reversed ranges, unknown statuses and channels, and unknown fields', () => {
    const problems = (input: unknown) => OrderListQuery.safeParse(input).error?.issues.map((i) => i.path.join('.'));
    expect(problems({ from: '2026-11-02', to: '2026-11-01' })).toEqual(['from']);
    expect(problems({ status: 'LOST' })).toEqual(['status']);
    expect(problems({ channel: 'fax' })).toEqual(['channel']);
    expect(problems({ colour: 'red' })).toEqual(['']);
    expect(OrderListQuery.parse({ status: 'IN_REVIEW', limit: '20' })).toEqual({ status: 'IN_REVIEW', limit: 20 });
  });
});

describe('the range a look-up covers', () => {
  const now = new Date('2026-11-30T15:00:00.000Z');
  const range = (q: Record<string, string>) => lookupRange(OrderLookupFilter.parse(q), now);
  const refusal = (q: Record<string, string>) => {
    try {
      range(q);
      return 'accepted';
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      return (err as ValidationError).errors.map((e) => e.path);
    }
  };

  it('clamps `to` to now', () => {
    expect(range({ from: '2026-01-01', to: '9999-12-31' })).toEqual({ from: '2026-01-01T00:00:00.000Z', to: now.toISOString() });
    expect(range({ status: 'PAID', to: '2030-01-01' })).toEqual({ to: now.toISOString() });
    expect(range({ to: '2026-06-30' }).to).toBe('2026-06-30T23:59:59.999Z');
  });

  it('gives the date-only listing 12 months by default and refuses more than 366 days', () => {
    expect(range({})).toEqual({ from: '2025-11-30T15:00:00.000Z', to: now.toISOString() });
    expect(range({ from: '2025-11-29', to: '2026-11-29' })).toEqual({ from: '2025-11-29T00:00:00.000Z', to: '2026-11-29T23:59:59.999Z' });
    expect(refusal({ from: '0001-01-01', to: '1999-12-31' })).toEqual(['query.from']);
    expect(refusal({ from: '2025-11-28' })).toEqual(['query.from']);
    expect(refusal({ from: '2026-12-01' })).toEqual(['query.from']);
  });

  it('lets a look-up by status, email or channel take any range: it reads one partition', () => {
    expect(range({ status: 'IN_REVIEW', from: '0001-01-01', to: '1999-12-31' })).toEqual({ from: '0001-01-01T00:00:00.000Z', to: '1999-12-31T23:59:59.999Z' });
    expect(range({ channel: 'web', from: '2001-01-01' }).from).toBe('2001-01-01T00:00:00.000Z');
    expect(range({ customerEmail: 'mei@example.com' })).toEqual({ to: now.toISOString() });
  });
});
