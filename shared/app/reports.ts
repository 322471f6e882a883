import {
  changePercent, channelsIn, channelTally, currenciesIn, daysOfCover, durationsOf, money, paymentsOf,
  previousRange, profitOf, reasonsIn, returnCountsOf, returnUnitsOf, salesOf, sumTallies, timeGroup, type DayPart, type Tally,
} from '../domain/reports';
import type { ReportQuery, ReturnsReportQuery } from '../api/schemas';
import { productRepository, type ProductRepository } from '../store/product-repository';
import { reportRepository, type CounterItem, type ReportRepository } from '../store/report-repository';
import { stockLedger, type StockLedger } from '../store/stock-ledger';
import { stockRepository, type StockRepository } from '../store/stock-repository';
import type { TableContext } from '../store/table';

export interface ReportsDeps {
  reports: Pick<ReportRepository, 'days' | 'skus'>;
  products: Pick<ProductRepository, 'list'>;
  stock: Pick<StockRepository, 'detail'>;
  /** sales velocity per SKU: the same reading replenishment's suggested quantity uses */
  ledger: Pick<StockLedger, 'averageDailyDemand'>;
}

type Row = { key: string } & Record<string, number | string | null>;
export interface Report {
  report: string;
  from?: string;
  to?: string;
  currency?: string;
  groupBy?: string;
  totals?: Record<string, unknown>;
  rows: Row[];
  previous?: { from: string; to: string; totals: Record<string, unknown> };
  changePercent?: Record<string, number | null>;
  nextCursor?: string;
  /** aggregate items read to answer (flat in the number of orders) */
  itemsRead: number;
}

function groupByTime(items: readonly CounterItem[], groupBy: 'day' | 'week' | 'month'): [string, Tally][] {
  const groups = new Map<string, Tally[]>();
  for (const i of items) {
    const k = timeGroup(i.day, groupBy);
    groups.set(k, [...(groups.get(k) ?? []), i.tally]);
  }
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, ts]) => [k, sumTallies(ts)]);
}

function groupBySku(items: readonly CounterItem[]): [string, Tally][] {
  const groups = new Map<string, Tally[]>();
  for (const i of items) if (i.sku) groups.set(i.sku, [...(groups.get(i.sku) ?? []), i.tally]);
  return [...groups.entries()].map(([k, ts]) => [k, sumTallies(ts)]);
}

const numericChange = (cur: Record<string, unknown>, prev: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(cur).filter(([, v]) => typeof v === 'number').map(([k, v]) => [k, changePercent(v as number, Number(prev[k] ?? 0))]));

/**
 * The reports API's use cases: each reads only aggregate items (day and SKU counters,
 * one Query per month and shard; the inventory report a page of stock levels) and
 * computes the figures with the domain's report math.
 */
export function makeReports(deps: ReportsDeps) {
  /** Sales or profit: totals of the range, rows by the grouping, and the previous range when asked. */
  async function money_(report: 'sales' | 'profit', q: ReportQuery): Promise<Report> {
    const figures = report === 'sales' ? salesOf : profitOf;
    const groupBy = q.groupBy ?? 'day';
    // the sales totals, and the same split by channel when grouped by channel
    const parts: DayPart[] = groupBy === 'channel' ? ['sales', 'channels'] : ['sales'];
    const days = await deps.reports.days(q.from, q.to, parts);
    let itemsRead = days.itemsRead;
    const total = sumTallies(days.items.map((i) => i.tally));
    const currency = q.currency ?? currenciesIn(total)[0] ?? 'CNY';
    let groups: [string, Tally][];
    if (groupBy === 'sku') {
      const skus = await deps.reports.skus(q.from, q.to);
      itemsRead += skus.itemsRead;
      groups = groupBySku(skus.items);
    } else if (groupBy === 'channel') {
      groups = channelsIn(total).map((c) => [c, channelTally(total, c)]);
    } else {
      groups = groupByTime(days.items, groupBy as 'day' | 'week' | 'month');
    }
    let rows: Row[] = groups.map(([key, t]) => ({
      key, ...figures(t, currency), ...(groupBy === 'sku' ? { units: t[money('units', currency)] ?? 0 } : {}),
    })) as Row[];
    if (groupBy === 'sku' || groupBy === 'channel') {
      rows = rows.filter((r) => r.revenue !== 0 || r.orders !== 0).sort((a, b) => Number(b.revenue) - Number(a.revenue) || a.key.localeCompare(b.key));
      if (q.top) rows = rows.slice(0, q.top);
    }
    const totals = figures(total, currency) as unknown as Record<string, unknown>;
    const answer: Report = { report, from: q.from, to: q.to, currency, groupBy, totals, rows, itemsRead };
    if (q.compare === 'previous') {
      const range = previousRange(q.from, q.to);
      const prev = await deps.reports.days(range.from, range.to, ['sales']);
      const prevTotals = figures(sumTallies(prev.items.map((i) => i.tally)), currency) as unknown as Record<string, unknown>;
      answer.previous = { ...range, totals: prevTotals };
      answer.changePercent = numericChange(totals, prevTotals);
      answer.itemsRead += prev.itemsRead;
    }
    return answer;
  }

  /** A report of the day counters only (payments per method, stage durations), by time group. */
  async function byTime(report: string, part: DayPart, q: ReportQuery, rowsOf: (t: Tally, currency: string) => Record<string, unknown>[]): Promise<Report> {
    const days = await deps.reports.days(q.from, q.to, [part]);
    const total = sumTallies(days.items.map((i) => i.tally));
    const currency = q.currency ?? currenciesIn(total)[0] ?? 'CNY';
    const groups: [string, Tally][] = q.groupBy ? groupByTime(days.items, q.groupBy as 'day' | 'week' | 'month') : [[`${q.from}..${q.to}`, total]];
    const rows = groups.flatMap(([key, t]) => rowsOf(t, currency).map((r) => ({ key, ...r }))) as Row[];
    const answer: Report = { report, from: q.from, to: q.to, currency, ...(q.groupBy ? { groupBy: q.groupBy } : {}), rows, itemsRead: days.itemsRead };
    if (q.compare === 'previous') {
      const range = previousRange(q.from, q.to);
      const prev = await deps.reports.days(range.from, range.to, [part]);
      answer.previous = { ...range, totals: { rows: rowsOf(sumTallies(prev.items.map((i) => i.tally)), currency) } };
      answer.itemsRead += prev.itemsRead;
    }
    return answer;
  }

  /**
   * Returns: request counts (by kind, rejections, receipts) from the day items, returned
   * units from the SKU items, with the units sold in the same days for the return rate.
   * By time (default: the whole range), by SKU, or by reason; top N for SKUs and reasons.
   */
  async function returns(q: ReturnsReportQuery): Promise<Report> {
    const [days, skus] = await Promise.all([deps.reports.days(q.from, q.to, ['returns']), deps.reports.skus(q.from, q.to)]);
    const figures = (d: Tally, s: Tally) => ({ ...returnCountsOf(d), ...returnUnitsOf(s) });
    const skuTotal = sumTallies(skus.items.map((i) => i.tally));
    const totals = figures(sumTallies(days.items.map((i) => i.tally)), skuTotal);
    let rows: Row[];
    if (q.groupBy === 'sku') {
      rows = groupBySku(skus.items).map(([key, t]) => ({ key, ...returnUnitsOf(t) }))
        .filter((r) => r.unitsRequested || r.unitsRejected || r.unitsReceived)
        .sort((a, b) => b.unitsRequested - a.unitsRequested || a.key.localeCompare(b.key));
    } else if (q.groupBy === 'reason') {
      rows = reasonsIn(skuTotal).map(({ reason, units }) => ({ key: reason, units })).sort((a, b) => b.units - a.units || a.key.localeCompare(b.key));
    } else {
      const time = q.groupBy as 'day' | 'week' | 'month' | undefined;
      const byDay = time ? groupByTime(days.items, time) : [[`${q.from}..${q.to}`, sumTallies(days.items.map((i) => i.tally))] as [string, Tally]];
      const bySku = new Map(time ? groupByTime(skus.items, time) : [[`${q.from}..${q.to}`, skuTotal]]);
      rows = byDay.map(([key, d]) => ({ key, ...figures(d, bySku.get(key) ?? {}) }));
      for (const [key, s] of bySku) if (!rows.some((r) => r.key === key)) rows.push({ key, ...figures({}, s) });
      rows.sort((a, b) => a.key.localeCompare(b.key));
    }
    if (q.top && (q.groupBy === 'sku' || q.groupBy === 'reason')) rows = rows.slice(0, q.top);
    const answer: Report = {
      report: 'returns', from: q.from, to: q.to, ...(q.groupBy ? { groupBy: q.groupBy } : {}), totals, rows, itemsRead: days.itemsRead + skus.itemsRead,
    };
    if (q.compare === 'previous') {
      const range = previousRange(q.from, q.to);
      const [pd, ps] = await Promise.all([deps.reports.days(range.from, range.to, ['returns']), deps.reports.skus(range.from, range.to)]);
      const prevTotals = figures(sumTallies(pd.items.map((i) => i.tally)), sumTallies(ps.items.map((i) => i.tally)));
      answer.previous = { ...range, totals: prevTotals };
      answer.changePercent = numericChange(totals, prevTotals);
      answer.itemsRead += pd.itemsRead + ps.itemsRead;
    }
    return answer;
  }

  return {
    returns,
    sales: (q: ReportQuery) => money_('sales', q),
    profit: (q: ReportQuery) => money_('profit', q),
    payments: (q: ReportQuery) => byTime('payments', 'payments', q, (t, c) => paymentsOf(t, c)),
    fulfillmentTimes: (q: ReportQuery) => byTime('fulfillment-times', 'times', q, (t) => durationsOf(t)),

    /**
     * Stock per SKU and location (a page of the catalog): on hand, reserved, available,
     * value at cost, and the sales velocity (units taken by orders per day over the last
     * VELOCITY_WINDOW_DAYS days, as replenishment reads it) with the days of cover it gives.
     */
    async inventory(q: { cursor?: string; limit: number }, now: Date): Promise<Report> {
      const page = await deps.products.list(q);
      const velocities = await Promise.all(page.items.map((p) => deps.ledger.averageDailyDemand(p.sku, now)));
      const details = await Promise.all(page.items.map((p) => deps.stock.detail(p.sku)));
      const rows: Row[] = page.items.flatMap((p, n) => {
        const detail = details[n]!;
        const velocity = velocities[n]!;
        const row = (locationId: string, l: { onHand: number; reserved: number; available: number }): Row => ({
          key: `${p.sku}@${locationId}`, sku: p.sku, name: p.name, locationId, onHand: l.onHand, reserved: l.reserved, available: l.available,
          currency: p.cost.currency, valueAtCost: l.onHand * p.cost.amount,
          // velocity is the SKU's (sales are not counted per location); cover is of this location's stock
          velocityPerDay: Math.round(velocity * 100) / 100, daysOfCover: daysOfCover(l.available, velocity),
        });
        const locations = detail.locations.length ? detail.locations.map((l) => row(l.locationId, l)) : [];
        return [...locations, row('ALL', detail)];
      });
      return { report: 'inventory', rows, itemsRead: page.items.length, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
    },
  };
}
export type Reports = ReturnType<typeof makeReports>;

/** The reports over one table. */
export function reportsOver(ctx: TableContext) {
  return makeReports({
    reports: reportRepository(ctx),
    products: productRepository(ctx),
    stock: stockRepository(ctx),
    ledger: stockLedger(ctx),
  });
}
