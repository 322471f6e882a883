// `npm run bench -- reports`: the flat cost of reports. Loads orders' worth of events
// (placed, approved, paid with its payment; most shipped and delivered; a few refunded and
// returned) through the aggregation's rules straight into the report counters (no HTTP, no
// queue) on an in-memory local DynamoDB endpoint, spread over one month, one table holding N
// orders and another M, and times that month's reports on both, in turns. The figures are the
// report read time and the aggregate items each report reads, not the load time.
//
// Loading is batched: a batch of orders' events is counted in memory with the worker's rules
// (countAll: the same `aggregate` per event, each event id once, on the shard of its id),
// the batches' increments are summed per counter item and added with one UpdateItem each. That puts the same
// counters in the same items as the worker's one transaction per event (the rebuild test
// checks the two agree) in minutes rather than hours.
// Flags: --small N (default 1000), --large M (default 100000), --batch N (orders per batch,
// default 25000), --runs N (timed runs per report and size, default 30).
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { startLocalDynamo } from '../../infra/local/dynamodb';
import { reportsOver, type Report } from '../../shared/app/reports';
import { countAll, type ReportEvent, type ShardIncrement } from '../../shared/domain/reports';
import { reportRepository } from '../../shared/store/report-repository';
import { createTestTable } from '../support/table';

const { values: flags } = parseArgs({
  args: process.argv.slice(3),
  options: {
    small: { type: 'string', default: '1000' },
    large: { type: 'string', default: '100000' },
    batch: { type: 'string', default: '25000' },
    runs: { type: 'string', default: '30' },
  },
});
const SMALL = Number(flags.small);
const LARGE = Number(flags.large);
const BATCH = Number(flags.batch);
const RUNS = Number(flags.runs);
const TZ = 'Asia/Shanghai';
const CHANNELS = ['web', 'app', 'phone', 'marketplace', 'store'];
const MONTH = { from: '2026-03-01', to: '2026-03-31' };

function eventsOf(n: number): ReportEvent[] {
  const orderId = `bench-${n}`;
  // spread over the month (Shanghai days), at any hour
  const placedAt = new Date(Date.parse('2026-02-28T16:00:00.000Z') + ((n * 7919) % (31 * 86_400 - 7200)) * 1000).toISOString();
  const at = (minutes: number) => new Date(Date.parse(placedAt) + minutes * 60_000).toISOString();
  const lines = Array.from({ length: 1 + (n % 3) }, (_, i) => ({
    sku: `SKU-${String((n + i * 17) % 50).padStart(3, '0')}`, quantity: 1 + (n % 2), unitPrice: { amount: 1000 + i * 500 }, unitCost: { amount: 400 + i * 200 },
  }));
  const total = lines.reduce((s, l) => s + l.unitPrice.amount * l.quantity, 0);
  const id = (step: string) => ({ orderId, eventId: `${orderId}-${step}` });
  const events: ReportEvent[] = [
    {
      ...id('placed'), type: 'OrderPlaced', occurredAt: placedAt, placedAt, channel: CHANNELS[n % CHANNELS.length]!,
      subtotal: { amount: total, currency: 'CNY' }, total: { amount: total, currency: 'CNY' }, lines,
    },
    { ...id('approved'), type: 'OrderApproved', occurredAt: at(1) },
    { ...id('paid'), type: 'OrderPaid', occurredAt: at(5 + (n % 50)) },
    { ...id('pay'), type: 'PaymentSucceeded', occurredAt: at(5 + (n % 50)), method: n % 2 ? 'alipay' : 'wechatpay', amount: { amount: total, currency: 'CNY' } },
  ];
  if (n % 10 < 8) events.push({ ...id('shipped'), type: 'OrderShipped', occurredAt: at(600 + (n % 900)) });
  if (n % 10 < 6) events.push({ ...id('delivered'), type: 'OrderDelivered', occurredAt: at(2880 + (n % 2000)) });
  if (n % 50 === 0) events.push({ ...id('refund'), type: 'RefundIssued', occurredAt: at(3000), amount: { amount: Math.round(total / 2), currency: 'CNY' } });
  if (n % 100 === 1) {
    events.push({ ...id('return'), type: 'ReturnRequested', occurredAt: at(4000), kind: 'return', lines: [{ sku: lines[0]!.sku, quantity: 1, reason: n % 200 === 1 ? '尺寸不合' : 'damaged' }] });
  }
  return events;
}

const dynamo = await startLocalDynamo();
// one table per size on one endpoint, timed in turns: both sizes see the same machine load
// (it is shared) and the same endpoint, so the ratio compares the reads alone
const tables = [await createTestTable(dynamo.url, 'oms-bench-reports-small'), await createTestTable(dynamo.url, 'oms-bench-reports-large')];
try {
  const [smallCtx, largeCtx] = tables.map((t) => ({ doc: t.doc, tableName: t.tableName }));

  async function load(ctx: { doc: (typeof tables)[number]['doc']; tableName: string }, orders: number) {
    const started = performance.now();
    let events = 0;
    // batches are counted in memory and summed per counter item; the sums are written once
    const sums = new Map<string, ShardIncrement>();
    for (let start = 0; start < orders; start += BATCH) {
      const batch = Array.from({ length: Math.min(BATCH, orders - start) }, (_, i) => eventsOf(start + i)).flat();
      events += batch.length;
      const { items, uncounted } = countAll(batch, TZ);
      if (uncounted.length) throw new Error(`${uncounted.length} events not counted`);
      for (const item of items) {
        const k = `${item.day}|${item.shard}|${item.sku ?? ''}|${item.part ?? ''}`;
        const sum = sums.get(k);
        if (!sum) sums.set(k, item);
        else for (const [a, n] of Object.entries(item.add)) sum.add[a] = (sum.add[a] ?? 0) + n;
      }
    }
    await reportRepository(ctx).addCounters([...sums.values()]);
    const seconds = (performance.now() - started) / 1000;
    console.log(`loaded ${orders} orders: ${events} events into ${sums.size} counter item updates in ${seconds.toFixed(1)} s`);
  }

  const queries = (reports: ReturnType<typeof reportsOver>): { name: string; run: () => Promise<Report> }[] => [
    { name: 'sales by day', run: () => reports.sales({ ...MONTH, groupBy: 'day' }) },
    { name: 'sales by channel, compare', run: () => reports.sales({ ...MONTH, groupBy: 'channel', compare: 'previous' }) },
    { name: 'sales by SKU, top 10', run: () => reports.sales({ ...MONTH, groupBy: 'sku', top: 10 }) },
    { name: 'profit by week', run: () => reports.profit({ ...MONTH, groupBy: 'week' }) },
    { name: 'payments', run: () => reports.payments(MONTH) },
    { name: 'fulfillment-times', run: () => reports.fulfillmentTimes(MONTH) },
    { name: 'returns by SKU', run: () => reports.returns({ ...MONTH, groupBy: 'sku' }) },
  ];

  await load(smallCtx!, SMALL);
  await load(largeCtx!, LARGE);
  const [small, large] = [reportsOver(smallCtx!), reportsOver(largeCtx!)];
  for (const [r, n] of [[small, SMALL], [large, LARGE]] as const) {
    console.log(`${n} orders: the month's sales report counts ${String((await r.sales({ ...MONTH })).totals?.orders)} paid orders`);
  }

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const rows: Record<string, string | number>[] = [];
  const [qs, ql] = [queries(small), queries(large)];
  for (let q = 0; q < qs.length; q++) {
    const times: [number[], number[]] = [[], []];
    const read = [0, 0];
    for (let i = 0; i < RUNS + 5; i++) {
      // in turns, the first five of each a warm-up
      for (const [side, query] of [[0, qs[q]!], [1, ql[q]!]] as const) {
        const t = performance.now();
        read[side] = (await query.run()).itemsRead;
        if (i >= 5) times[side].push(performance.now() - t);
      }
    }
    const [ms, ml] = [median(times[0]), median(times[1])];
    rows.push({
      report: qs[q]!.name, [`items @${SMALL}`]: read[0]!, [`items @${LARGE}`]: read[1]!,
      [`ms @${SMALL}`]: Math.round(ms * 10) / 10, [`ms @${LARGE}`]: Math.round(ml * 10) / 10, ratio: Math.round((ml / ms) * 100) / 100,
    });
  }
  console.table(rows);
  const first = rows[0]!;
  console.log(`sales report by day for one month, ${LARGE} ÷ ${SMALL} orders: time ratio ${first.ratio} (target <= 1.2); items read ${first[`items @${SMALL}`]} -> ${first[`items @${LARGE}`]}`);
  console.log(`load average (1, 5, 15 min): ${loadavg().map((l) => l.toFixed(2)).join(', ')}`);
} finally {
  for (const t of tables) await t.drop();
  await dynamo.stop();
}
