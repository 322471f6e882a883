import type { EChartsCoreOption } from 'echarts/core';
import { useMemo, useState } from 'preact/hooks';
import { call } from '../api';
import { Chart } from '../chart';
import { getConfig } from '../config';
import { minorDigits, money, timeZone } from '../format';
import { defineStrings } from '../i18n';
import { pathOf } from '../permissions';
import type { ScreenProps } from '../screens';
import { session } from '../session';
import { ErrorBox, Loading, useLoad } from '../ui';

// Reports: the sales trend (against the period before when asked), the channel split, the
// top SKUs, profit, and how long each fulfilment stage takes (p50/p90). Every figure comes
// from the API's report routes; each table downloads as CSV (Accept: text/csv).

const s = defineStrings(
  {
    title: 'Reports', from: 'From', to: 'To', compare: 'Compare with the period before', csv: 'CSV',
    trend: 'Sales trend (net revenue)', channels: 'Channel split', topSkus: 'Top SKUs by revenue', profit: 'Profit',
    times: 'Fulfilment times (p50, p90)', current: 'This period', previous: 'Period before',
    orders: 'Orders', units: 'Units', revenue: 'Revenue', netRevenue: 'Net revenue', refunds: 'Refunds',
    grossProfit: 'Gross profit', costOfGoods: 'Cost of goods', paymentFees: 'Payment fees', margin: 'Margin',
    change: '{n}% vs before', noChange: 'nothing before', stage: 'Stage', count: 'Orders',
  },
  {
    title: '報表', from: '起', to: '迄', compare: '與前一期比較', csv: 'CSV',
    trend: '銷售趨勢（淨營收）', channels: '通路占比', topSkus: '營收前幾名 SKU', profit: '利潤',
    times: '履約時間（p50、p90）', current: '本期', previous: '前期',
    orders: '訂單', units: '件數', revenue: '營收', netRevenue: '淨營收', refunds: '退款',
    grossProfit: '毛利', costOfGoods: '銷貨成本', paymentFees: '金流手續費', margin: '毛利率',
    change: '較前期 {n}%', noChange: '前期無資料', stage: '階段', count: '訂單數',
  },
);

type Row = { key: string } & Record<string, number | string | null>;
interface Report {
  from: string;
  to: string;
  currency?: string;
  totals?: Record<string, number | null>;
  rows: Row[];
  changePercent?: Record<string, number | null>;
}

/** Today in the business time zone, and `n` days from a day (YYYY-MM-DD). */
const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: timeZone.get(), year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const daysIn = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000) + 1;

const report = (name: 'salesReport' | 'profitReport' | 'fulfillmentTimesReport', query: Record<string, string | number | undefined>) =>
  call<Report>(name, { query }).then((r) => r.body);

async function downloadCsv(name: 'salesReport' | 'profitReport' | 'fulfillmentTimesReport', query: Record<string, string>) {
  const res = await fetch(`${getConfig().apiUrl}${pathOf(name)}?${new URLSearchParams(query)}`, {
    headers: { accept: 'text/csv', authorization: `Bearer ${session.get()?.token ?? ''}` },
  });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const link = document.createElement('a');
  link.href = URL.createObjectURL(await res.blob());
  link.download = `${name.replace(/Report$/, '')}-${query.from}-${query.to}.csv`;
  link.click();
  URL.revokeObjectURL(link.href);
}

export default function Reports({ query }: ScreenProps) {
  const [to, setTo] = useState(query.get('to') ?? today());
  const [from, setFrom] = useState(query.get('from') ?? addDays(to, -29));
  const [compare, setCompare] = useState(query.get('compare') === 'previous');
  const range = { from, to, ...(compare ? { compare: 'previous' } : {}) };

  const data = useLoad(async () => {
    const before = { from: addDays(from, -daysIn(from, to)), to: addDays(from, -1) };
    const [trend, previousTrend, channels, skus, profit, times] = await Promise.all([
      report('salesReport', { ...range, groupBy: 'day' }),
      compare ? report('salesReport', { ...before, groupBy: 'day' }) : undefined,
      report('salesReport', { from, to, groupBy: 'channel' }),
      report('salesReport', { from, to, groupBy: 'sku', top: 10 }),
      report('profitReport', { ...range, groupBy: 'day' }),
      report('fulfillmentTimesReport', { from, to }),
    ]);
    return { trend, previousTrend, channels, skus, profit, times };
  }, [from, to, compare]);

  const charts = useMemo(() => (data.data ? chartsOf(data.data) : undefined), [data.data]);
  const currency = data.data?.trend.currency ?? 'CNY';
  const cash = (amount: unknown) => money({ amount: Number(amount ?? 0), currency });
  const change = (key: string, of: Report | undefined) => {
    if (!compare || !of?.changePercent) return null;
    const n = of.changePercent[key];
    return <span class={`change ${n !== null && n !== undefined && n < 0 ? 'down' : 'up'}`}>{n === null || n === undefined ? s('noChange') : s('change', { n: n > 0 ? `+${n}` : n })}</span>;
  };
  const csv = (name: 'salesReport' | 'profitReport' | 'fulfillmentTimesReport', groupBy?: string) => (
    <button type="button" class="link" data-csv={name} onClick={() => void downloadCsv(name, { from, to, ...(groupBy ? { groupBy } : {}) }).catch(() => undefined)}>
      {s('csv')}
    </button>
  );

  return (
    <section class="reports">
      <div class="screen-head">
        <h1>{s('title')}</h1>
        <label>{s('from')} <input type="date" name="from" value={from} max={to} onChange={(e) => setFrom((e.target as HTMLInputElement).value)} /></label>
        <label>{s('to')} <input type="date" name="to" value={to} min={from} onChange={(e) => setTo((e.target as HTMLInputElement).value)} /></label>
        <label><input type="checkbox" name="compare" checked={compare} onChange={(e) => setCompare((e.target as HTMLInputElement).checked)} /> {s('compare')}</label>
      </div>
      {data.error !== undefined && <ErrorBox error={data.error} onRetry={data.reload} />}
      {!data.data && !data.error && <Loading />}
      {data.data && charts && (
        <>
          <div class="kpis">
            {(['orders', 'units', 'netRevenue', 'refunds'] as const).map((k) => (
              <div class="kpi" key={k} data-kpi={k}>
                <span class="hint">{s(k)}</span>
                <strong>{k === 'orders' || k === 'units' ? String(data.data!.trend.totals?.[k] ?? 0) : cash(data.data!.trend.totals?.[k])}</strong>
                {change(k, data.data!.trend)}
              </div>
            ))}
            <div class="kpi" data-kpi="grossProfit">
              <span class="hint">{s('grossProfit')}</span>
              <strong>{cash(data.data.profit.totals?.grossProfit)}</strong>
              {change('grossProfit', data.data.profit)}
            </div>
          </div>
          <div class="charts">
            <div class="panel wide"><div class="row"><h2>{s('trend')}</h2>{csv('salesReport', 'day')}</div><Chart label="trend" option={charts.trend} /></div>
            <div class="panel"><div class="row"><h2>{s('channels')}</h2>{csv('salesReport', 'channel')}</div><Chart label="channels" option={charts.channels} /></div>
            <div class="panel"><div class="row"><h2>{s('topSkus')}</h2>{csv('salesReport', 'sku')}</div><Chart label="skus" option={charts.skus} /></div>
            <div class="panel"><div class="row"><h2>{s('profit')}</h2>{csv('profitReport', 'day')}</div><Chart label="profit" option={charts.profit} /></div>
            <div class="panel"><div class="row"><h2>{s('times')}</h2>{csv('fulfillmentTimesReport')}</div><Chart label="times" option={charts.times} /></div>
          </div>
        </>
      )}
    </section>
  );
}

/** Every day of a range (the report leaves out days without sales: they are zeros). */
function daysOf(from: string, to: string): string[] {
  return Array.from({ length: daysIn(from, to) }, (_, i) => addDays(from, i));
}

/** Durations in the unit that suits the longest one. */
function durationUnit(seconds: number[]): { unit: 's' | 'min' | 'h'; scale: number } {
  const max = Math.max(0, ...seconds);
  return max >= 3600 ? { unit: 'h', scale: 3600 } : max >= 60 ? { unit: 'min', scale: 60 } : { unit: 's', scale: 1 };
}

function chartsOf(d: { trend: Report; previousTrend?: Report; channels: Report; skus: Report; profit: Report; times: Report }): Record<string, EChartsCoreOption> {
  const currency = d.trend.currency ?? 'CNY';
  const major = (v: unknown) => Number(v ?? 0) / 10 ** minorDigits(currency);
  const grid = { left: 56, right: 16, top: 36, bottom: 32 };
  const valueAxis = { type: 'value' };
  const days = daysOf(d.trend.from, d.trend.to);
  const byDay = (r: Report, field: string, on = days) => {
    const values = new Map(r.rows.map((row) => [row.key, row[field]]));
    return on.map((day) => major(values.get(day)));
  };
  const previousDays = d.previousTrend ? daysOf(d.previousTrend.from, d.previousTrend.to) : [];
  const times = durationUnit(d.times.rows.map((r) => Number(r.p90Seconds ?? 0)));
  return {
    trend: {
      grid, tooltip: { trigger: 'axis' }, legend: { top: 0 },
      xAxis: { type: 'category', data: days.map((day) => day.slice(5)) }, yAxis: valueAxis,
      series: [
        { name: s('current'), type: 'line', data: byDay(d.trend, 'netRevenue'), showSymbol: false },
        ...(d.previousTrend ? [{ name: s('previous'), type: 'line', data: byDay(d.previousTrend, 'netRevenue', previousDays), showSymbol: false, lineStyle: { type: 'dashed' } }] : []),
      ],
    },
    channels: {
      tooltip: { trigger: 'item' }, legend: { top: 0 },
      series: [{ type: 'pie', radius: ['35%', '65%'], top: 24, data: d.channels.rows.map((r) => ({ name: r.key, value: major(r.revenue) })) }],
    },
    skus: {
      grid: { ...grid, left: 96 }, tooltip: { trigger: 'axis' },
      xAxis: valueAxis, yAxis: { type: 'category', inverse: true, data: d.skus.rows.map((r) => r.key) },
      series: [{ name: s('revenue'), type: 'bar', data: d.skus.rows.map((r) => major(r.revenue)) }],
    },
    profit: {
      grid, tooltip: { trigger: 'axis' }, legend: { top: 0 },
      xAxis: { type: 'category', data: days.map((day) => day.slice(5)) }, yAxis: valueAxis,
      series: (['revenue', 'costOfGoods', 'grossProfit'] as const).map((k) => ({ name: s(k), type: 'bar', data: byDay(d.profit, k) })),
    },
    times: {
      grid, tooltip: { trigger: 'axis' }, legend: { top: 0 },
      xAxis: { type: 'category', data: d.times.rows.map((r) => `${r.from}→${r.to}`) }, yAxis: { ...valueAxis, name: times.unit },
      series: (['p50Seconds', 'p90Seconds'] as const).map((k) => ({
        name: k.slice(0, 3), type: 'bar', data: d.times.rows.map((r) => (r[k] === null ? 0 : Math.round((Number(r[k]) / times.scale) * 10) / 10)),
      })),
    },
  };
}
