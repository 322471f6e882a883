// `npm run bench -- reports`: the flat cost of reports. Loads orders' worth of events
// (OrderPlaced, OrderPaid, PaymentSucceeded) straight into the aggregation path (the same
// use case the aggregate-reports worker calls; no HTTP, no queue) on an in-memory local
// DynamoDB endpoint, spread over one month, and times that month's sales report by day
// after the first N orders and again after M in total. The report reads only the day
// counter items (shards x days), so the ratio should stay near 1.
// Flags: --small N (default 1000), --large M (default 100000), --concurrency N (default 16),
// --runs N (timed report runs per size, default 30).
import { parseArgs } from 'node:util';
import { startLocalDynamo } from '../../infra/local/dynamodb';
import { reportAggregationOver } from '../../shared/app/report-aggregation';
import { reportsOver } from '../../shared/app/reports';
import type { ReportEvent } from '../../shared/domain/reports';
import { createTestTable } from '../support/table';

const { values: flags } = parseArgs({
  args: process.argv.slice(3),
  options: {
    small: { type: 'string', default: '1000' },
    large: { type: 'string', default: '100000' },
    concurrency: { type: 'string', default: '16' },
    runs: { type: 'string', default: '30' },
  },
});
const SMALL = Number(flags.small);
const LARGE = Number(flags.large);
const CONCURRENCY = Number(flags.concurrency);
const RUNS = Number(flags.runs);
const CHANNELS = ['web', 'app', 'phone', 'marketplace', 'store'];
const MONTH = { from: '2026-03-01', to: '2026-03-31' };

function eventsOf(n: number): ReportEvent[] {
  const orderId = `bench-${n}`;
  // spread over the month, at any hour
  const placedAt = new Date(Date.parse('2026-02-28T16:00:00.000Z') + ((n * 7919) % (31 * 86_400)) * 1000).toISOString();
  const paidAt = new Date(Date.parse(placedAt) + 300_000).toISOString();
  const lines = Array.from({ length: 1 + (n % 3) }, (_, i) => ({
    sku: `SKU-${String((n + i * 17) % 50).padStart(3, '0')}`, quantity: 1 + (n % 2), unitPrice: { amount: 1000 + i * 500 }, unitCost: { amount: 400 + i * 200 },
  }));
  const total = lines.reduce((s, l) => s + l.unitPrice.amount * l.quantity, 0);
  const base = { orderId };
  return [
    {
      ...base, type: 'OrderPlaced', eventId: `${orderId}-placed`, occurredAt: placedAt, placedAt, channel: CHANNELS[n % CHANNELS.length]!,
      subtotal: { amount: total, currency: 'CNY' }, total: { amount: total, currency: 'CNY' }, lines,
    },
    { ...base, type: 'OrderPaid', eventId: `${orderId}-paid`, occurredAt: paidAt },
    { ...base, type: 'PaymentSucceeded', eventId: `${orderId}-pay`, occurredAt: paidAt, method: n % 2 ? 'alipay' : 'wechatpay', amount: { amount: total, currency: 'CNY' } },
  ];
}

const dynamo = await startLocalDynamo();
const table = await createTestTable(dynamo.url, 'oms-bench-reports');
try {
  const ctx = { doc: table.doc, tableName: table.tableName };
  const aggregation = reportAggregationOver(ctx);
  const reports = reportsOver(ctx);

  async function load(from: number, to: number) {
    const started = performance.now();
    let next = from;
    const worker = async () => {
      while (next < to) {
        const n = next++;
        // an order's events in order, as the queue mostly delivers them
        for (const e of eventsOf(n)) await aggregation.count(e, new Date());
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const seconds = (performance.now() - started) / 1000;
    console.log(`loaded orders ${from}..${to - 1}: ${Math.round(((to - from) * 3) / seconds)} events/s`);
  }

  async function timeReport(orders: number) {
    const query = { ...MONTH, groupBy: 'day' as const };
    for (let i = 0; i < 5; i++) await reports.sales(query); // warm-up
    const times: number[] = [];
    let read = 0;
    let counted = 0;
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      const r = await reports.sales(query);
      times.push(performance.now() - t);
      read = r.itemsRead;
      counted = Number(r.totals?.orders);
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)]!;
    return { orders, ordersCounted: counted, itemsRead: read, medianMs: Math.round(median * 100) / 100, p90Ms: Math.round(times[Math.floor(times.length * 0.9)]! * 100) / 100 };
  }

  await load(0, SMALL);
  const small = await timeReport(SMALL);
  await load(SMALL, LARGE);
  const large = await timeReport(LARGE);
  console.table([small, large]);
  console.log(`sales report for one month, ${LARGE} ÷ ${SMALL} orders: time ratio ${(large.medianMs / small.medianMs).toFixed(2)} (target <= 1.2); items read ${small.itemsRead} -> ${large.itemsRead}`);
} finally {
  await table.drop();
  await dynamo.stop();
}
