import { describe, expect, it } from 'vitest';
import { OrderListQuery } from '../../../shared/api/schemas';
import { OrderLookupFilter } from '../../../shared/domain/order-lookup';

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
