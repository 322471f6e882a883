import { describe, expect, it } from 'vitest';
import { toCsv } from '../../../shared/domain/csv';
import {
  aggregate, businessDay, DAY_PARTS, compareCounters, countAll, reasonAttr, reasonOf, reasonsIn, returnUnitsOf, paymentsOf, daysOfCover, durationBucket, durationsOf, histogramAttr, merge, monthsOf, percentile, previousRange,
  profitOf, REPORT_SHARDS, salesOf, salesVelocity, shardOf, sumTallies, timeGroup, type OrderTrail, type ReportEvent,
} from '../../../shared/domain/reports';

const TZ = 'Asia/Shanghai';
const placed: ReportEvent = {
  type: 'OrderPlaced', eventId: 'e1', occurredAt: '2026-03-01T02:00:00.000Z', orderId: 'o1', channel: 'web', placedAt: '2026-03-01T02:00:00.000Z',
  subtotal: { amount: 5000, currency: 'CNY' }, total: { amount: 4500, currency: 'CNY' },
  lines: [
    { sku: 'TEA', quantity: 2, unitPrice: { amount: 1500 }, unitCost: { amount: 600 } },
    { sku: 'CUP', quantity: 1, unitPrice: { amount: 2000 }, unitCost: { amount: 900 } },
  ],
};
const trailAfter = (t: OrderTrail | undefined, e: ReportEvent): OrderTrail => {
  const a = aggregate(e, t, TZ);
  if ('wait' in a) throw new Error(a.wait);
  return { ...t, ...a.trail?.set, at: { ...t?.at, ...a.trail?.at }, version: (t?.version ?? 0) + 1 };
};

describe('business day', () => {
  it('is the date on the wall clock of the time zone, not UTC', () => {
    // 15:59:59Z is 23:59:59 in Shanghai; 16:00Z is the next day there
    expect(businessDay('2026-03-01T15:59:59.999Z', TZ)).toBe('2026-03-01');
    expect(businessDay('2026-03-01T16:00:00.000Z', TZ)).toBe('2026-03-02');
    expect(businessDay('2026-03-01T16:00:00.000Z', 'UTC')).toBe('2026-03-01');
    // New York: a UTC morning is still the evening before
    expect(businessDay('2026-07-04T03:00:00.000Z', 'America/New_York')).toBe('2026-07-03');
  });

  it('groups into ISO weeks (Monday) and months; ranges cross months and years', () => {
    expect(timeGroup('2026-03-01', 'week')).toBe('2026-02-23');
    expect(timeGroup('2026-03-02', 'week')).toBe('2026-03-02');
    expect(timeGroup('2026-03-31', 'month')).toBe('2026-03');
    expect(monthsOf('2025-12-30', '2026-02-01')).toEqual(['2025-12', '2026-01', '2026-02']);
    expect(previousRange('2026-03-01', '2026-03-31')).toEqual({ from: '2026-01-29', to: '2026-02-28' });
  });
});

describe('shards', () => {
  it('spreads event ids over every shard, the same id always to the same one', () => {
    const seen = new Set(Array.from({ length: 400 }, (_, i) => shardOf(`evt-${i}`)));
    expect(seen.size).toBe(REPORT_SHARDS);
    expect(shardOf('evt-7')).toBe(shardOf('evt-7'));
  });
});

describe('aggregate', () => {
  it('counts a placed order, then the sale on the day it was paid with cost of goods and discount', () => {
    const placedAgg = aggregate(placed, undefined, TZ);
    expect(placedAgg).toMatchObject({
      increments: [{ day: '2026-03-01', part: 'sales', add: { placed_CNY: 1 } }, { day: '2026-03-01', part: 'channels', add: { ch_web_placed_CNY: 1 } }],
    });
    let trail = trailAfter(undefined, placed);
    // paid at 17:00Z: already 2 March in Shanghai
    const paid: ReportEvent = { type: 'OrderPaid', eventId: 'e2', occurredAt: '2026-03-01T17:00:00.000Z', orderId: 'o1' };
    const agg = aggregate(paid, trail, TZ);
    if ('wait' in agg) throw new Error('waits');
    const day = agg.increments.find((i) => i.part === 'sales')!;
    expect(day.day).toBe('2026-03-02');
    expect(day.add).toEqual({ orders_CNY: 1, units_CNY: 3, rev_CNY: 4500, disc_CNY: 500, cogs_CNY: 2100 });
    expect(agg.increments.find((i) => i.part === 'channels')!.add).toMatchObject({ ch_web_orders_CNY: 1, ch_web_rev_CNY: 4500 });
    expect(agg.increments.filter((i) => i.sku)).toEqual([
      { day: '2026-03-02', sku: 'TEA', add: { units_CNY: 2, rev_CNY: 3000, cogs_CNY: 1200, orders_CNY: 1 } },
      { day: '2026-03-02', sku: 'CUP', add: { units_CNY: 1, rev_CNY: 2000, cogs_CNY: 900, orders_CNY: 1 } },
    ]);
    trail = trailAfter(trail, paid);
    expect(trail.at.paid).toBe(paid.occurredAt);
  });

  it('waits for the placement facts when a payment overtakes OrderPlaced', () => {
    expect(aggregate({ type: 'OrderPaid', eventId: 'e2', occurredAt: '2026-03-01T03:00:00.000Z', orderId: 'o1' }, undefined, TZ)).toHaveProperty('wait');
    expect(aggregate({ type: 'RefundIssued', eventId: 'e3', occurredAt: '2026-03-01T03:00:00.000Z', orderId: 'o1', amount: { amount: 1, currency: 'CNY' } }, undefined, TZ)).toHaveProperty('wait');
  });

  it('counts a refund on the refund day, by channel', () => {
    const agg = aggregate({ type: 'RefundIssued', eventId: 'e9', occurredAt: '2026-03-05T01:00:00.000Z', orderId: 'o1', amount: { amount: 1000, currency: 'CNY' } }, trailAfter(undefined, placed), TZ);
    expect(agg).toEqual({
      increments: [
        { day: '2026-03-05', part: 'sales', add: { refunds_CNY: 1000, refundn_CNY: 1 } },
        { day: '2026-03-05', part: 'channels', add: { ch_web_refunds_CNY: 1000 } },
      ],
    });
  });

  it('records each stage duration once, whichever of its two events comes second', () => {
    const approved: ReportEvent = { type: 'OrderApproved', eventId: 'e2', occurredAt: '2026-03-01T02:10:00.000Z', orderId: 'o1' };
    const paid: ReportEvent = { type: 'OrderPaid', eventId: 'e3', occurredAt: '2026-03-01T03:10:00.000Z', orderId: 'o1' };
    // paid, then approved (reordered): approved completes both placed->approved and approved->paid
    let t = trailAfter(undefined, placed);
    const paidFirst = aggregate(paid, t, TZ);
    t = trailAfter(t, paid);
    const approvedLate = aggregate(approved, t, TZ);
    const adds = sumTallies([paidFirst, approvedLate].flatMap((a) => ('wait' in a ? [] : a.increments.filter((i) => !i.sku).map((i) => i.add))));
    expect(adds[histogramAttr(['placed', 'approved'], durationBucket(600))]).toBe(1);
    expect(adds[histogramAttr(['approved', 'paid'], durationBucket(3600))]).toBe(1);
    expect(adds.hsum_placed_approved).toBe(600);
    expect(adds.hsum_approved_paid).toBe(3600);
    // a stage already known adds no duration again
    t = trailAfter(t, approved);
    const again = aggregate({ ...approved, eventId: 'e4' }, t, TZ);
    expect(again).toEqual({ increments: [] });
  });

  it('merges adds to one item per part of the day, and one per SKU', () => {
    expect(merge([{ day: 'd', add: { a: 1 } }, { day: 'd', add: { a: 2, b: 1 } }, { day: 'd', sku: 'X', add: { a: 1, rq_units: 1 } }])).toEqual([
      { day: 'd', part: 'sales', add: { a: 3, b: 1 } }, { day: 'd', sku: 'X', add: { a: 1, rq_units: 1 } },
    ]);
    const parts = merge([{ day: 'd', add: { orders_CNY: 1, ch_web_orders_CNY: 1, pm_card_n_CNY: 1, h_placed_paid_2: 1, hsum_placed_paid: 90, rq_n: 1, rev_CNY: 5 } }]);
    expect(Object.fromEntries(parts.map((p) => [p.part, p.add]))).toEqual({
      sales: { orders_CNY: 1, rev_CNY: 5 }, channels: { ch_web_orders_CNY: 1 }, payments: { pm_card_n_CNY: 1 },
      times: { h_placed_paid_2: 1, hsum_placed_paid: 90 }, returns: { rq_n: 1 },
    });
    expect(DAY_PARTS.every((p) => parts.some((i) => i.part === p))).toBe(true);
  });
});

describe('reading back', () => {
  it('reads p50 and p90 from fixed buckets', () => {
    // 10 durations: 5 in (0, 60], 4 in (60, 300], 1 in (300, 900]
    const counts = [5, 4, 1];
    expect(percentile(counts, 0.5)).toBe(60);
    expect(percentile(counts, 0.9)).toBe(300);
    expect(percentile([0, 0, 10], 0.5)).toBe(600);
    expect(percentile([], 0.5)).toBeUndefined();
    const t = { [histogramAttr(['placed', 'approved'], 0)]: 3, [histogramAttr(['placed', 'approved'], 1)]: 1, hsum_placed_approved: 200 };
    expect(durationsOf(t)[0]).toEqual({ from: 'placed', to: 'approved', count: 4, meanSeconds: 50, p50Seconds: 40, p90Seconds: 204 });
  });

  it('sums shards and computes net revenue and profit with refunds and cost', () => {
    const t = sumTallies([{ orders_CNY: 1, rev_CNY: 4500, cogs_CNY: 2100 }, { orders_CNY: 2, rev_CNY: 5500, cogs_CNY: 2900, refunds_CNY: 1000 }]);
    expect(salesOf(t, 'CNY')).toEqual({ orders: 3, units: 0, revenue: 10_000, discounts: 0, refunds: 1000, netRevenue: 9000 });
    expect(profitOf(t, 'CNY')).toEqual({ revenue: 10_000, costOfGoods: 5000, refunds: 1000, paymentFees: 0, grossProfit: 4000, marginPercent: 40 });
  });

  it('reads payment methods back, underscores and all', () => {
    const t = { pm_bank_transfer_n_CNY: 2, pm_bank_transfer_amt_CNY: 5196, pm_card_n_USD: 1, pm_card_amt_USD: 900 };
    expect(paymentsOf(t, 'CNY')).toEqual([{ method: 'bank_transfer', payments: 2, amount: 5196 }]);
  });

  it('defines velocity and days of cover once', () => {
    expect(salesVelocity(56)).toBe(2);
    expect(daysOfCover(10, 2)).toBe(5);
    expect(daysOfCover(10, 0)).toBeNull();
  });
});

describe('CSV', () => {
  it('starts with a BOM, quotes commas, quotes and line breaks, and keeps Chinese intact', () => {
    const csv = toCsv(['sku', 'name', 'units'], [['TEA', '龍井, "特級"', 3], ['CUP', 'a\nb', null]]);
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv.slice(1)).toBe('sku,name,units\r\nTEA,"龍井, ""特級""",3\r\nCUP,"a\nb",\r\n');
    expect(Buffer.from(csv, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  });
});

describe('returns', () => {
  const requested = (eventId: string, lines: { sku: string; quantity: number; reason: string }[], at = '2026-03-05T17:00:00.000Z'): ReportEvent =>
    ({ type: 'ReturnRequested', eventId, occurredAt: at, orderId: 'o1', kind: 'return', lines });

  it('counts requested units per SKU and reason on the business day of the request', () => {
    const agg = aggregate(requested('r1', [{ sku: 'TEA', quantity: 2, reason: '太大了, 要換 "M"' }, { sku: 'CUP', quantity: 1, reason: ' broken  on arrival ' }]), undefined, TZ);
    if ('wait' in agg) throw new Error('waits');
    // 17:00Z is the next morning in Shanghai
    expect(agg.increments).toEqual([
      { day: '2026-03-06', part: 'returns', add: { rq_n: 1, rq_return: 1 } },
      { day: '2026-03-06', sku: 'TEA', add: { rq_units: 2, [reasonAttr('太大了, 要換 "M"')]: 2 } },
      { day: '2026-03-06', sku: 'CUP', add: { rq_units: 1, [reasonAttr('broken on arrival')]: 1 } },
    ]);
    expect(reasonsIn(sumTallies(agg.increments.map((i) => i.add)))).toEqual([
      { reason: '太大了, 要換 "M"', units: 2 }, { reason: 'broken on arrival', units: 1 },
    ]);
    expect(reasonOf('   ')).toBe('unspecified');
    expect(reasonOf('x'.repeat(100))).toHaveLength(60);
    // 3 bytes a character: 40 fit in 120 bytes, and the writer's placeholder (#a_<name>) in 255
    expect(reasonOf('壞'.repeat(60))).toHaveLength(40);
    expect(`#a_${reasonAttr('壞'.repeat(60))}`.length).toBeLessThanOrEqual(255);
  });

  it('gives the return rate as units kept returned over units sold', () => {
    expect(returnUnitsOf({ units_CNY: 8, units_USD: 2, rq_units: 3, rj_units: 1, rc_units: 2 })).toEqual({
      unitsRequested: 3, unitsRejected: 1, unitsReceived: 2, unitsSold: 10, returnRatePercent: 20,
    });
    expect(returnUnitsOf({ rq_units: 1 }).returnRatePercent).toBeNull();
  });
});

describe('counting a whole history', () => {
  const paid: ReportEvent = { type: 'OrderPaid', eventId: 'e2', occurredAt: '2026-03-01T03:00:00.000Z', orderId: 'o1' };
  const refund: ReportEvent = { type: 'RefundIssued', eventId: 'e3', occurredAt: '2026-03-02T03:00:00.000Z', orderId: 'o1', amount: { amount: 500, currency: 'CNY' } };
  const stray: ReportEvent = { type: 'OrderPaid', eventId: 'e9', occurredAt: '2026-03-01T03:00:00.000Z', orderId: 'o-unknown' };

  it('counts as the worker does: each id once, placement first, every event on the shard of its id', () => {
    const { items, counted, uncounted } = countAll([refund, paid, placed, paid, stray, placed], TZ);
    expect(counted).toBe(3);
    expect(uncounted).toEqual([stray]);
    // the same increments, event by event, as the worker commits them
    let trail: OrderTrail | undefined;
    const expected: Record<string, number>[] = [];
    for (const e of [placed, paid, refund]) {
      const a = aggregate(e, trail, TZ);
      if ('wait' in a) throw new Error(a.wait);
      for (const inc of a.increments) expected.push({ ...inc.add });
      trail = trailAfter(trail, e);
    }
    expect(sumTallies(items.map((i) => i.add))).toEqual(sumTallies(expected));
    expect(items.find((i) => !i.sku && i.add.refunds_CNY)).toMatchObject({ day: '2026-03-02', shard: shardOf('e3') });
  });

  it('finds the counters that differ, shards summed', () => {
    const live: { day: string; sku?: string; tally: Record<string, number> }[] = [{ day: 'd1', tally: { orders_CNY: 1 } }, { day: 'd1', tally: { orders_CNY: 2 } }, { day: 'd1', sku: 'TEA', tally: { units_CNY: 3 } }];
    const rebuilt: { day: string; sku?: string; tally: Record<string, number> }[] = [{ day: 'd1', tally: { orders_CNY: 3 } }, { day: 'd1', sku: 'TEA', tally: { units_CNY: 2 } }, { day: 'd2', tally: { orders_CNY: 1 } }];
    expect(compareCounters(live, rebuilt)).toEqual([
      { day: 'd1', sku: 'TEA', counter: 'units_CNY', live: 3, rebuilt: 2 },
      { day: 'd2', counter: 'orders_CNY', live: 0, rebuilt: 1 },
    ]);
    expect(compareCounters(live, [{ day: 'd1', tally: { orders_CNY: 3 } }, { day: 'd1', sku: 'TEA', tally: { units_CNY: 3 } }])).toEqual([]);
  });
});
