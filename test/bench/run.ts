// `npm run bench`: numbers, not thresholds. Boots an in-memory local cloud, places
// orders through the HTTP API as a storefront would, and reports
// - orders placed and reserved per second, p50/p99 of POST /orders and of placed→reserved
//   (from the order's own timeline timestamps),
// - each function bundle's size and the time to import it cold in a fresh Node process,
// - the local DynamoDB endpoint's own benchmark (writes, transactions, stream lag).
// Flags: --orders N (default 300), --concurrency N (default 12), --skip-dynamo.
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { startLocalCloud, type LocalCloud } from '../../infra/local/cloud';
import { printBundleBench } from './bundles';
import { runDynamoBench } from './dynamodb';

const { values: flags } = parseArgs({
  options: {
    orders: { type: 'string', default: '300' },
    concurrency: { type: 'string', default: '12' },
    'skip-dynamo': { type: 'boolean', default: false },
  },
});
const ORDERS = Number(flags.orders);
const CONCURRENCY = Number(flags.concurrency);

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};
const ms = (n: number) => Math.round(n * 10) / 10;

async function send(cloud: LocalCloud, method: string, path: string, role: keyof LocalCloud['tokens'], body?: unknown) {
  const res = await fetch(`${cloud.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${cloud.tokens[role]}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as any;
  if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function orderThroughput(cloud: LocalCloud) {
  const skus = Array.from({ length: 5 }, (_, i) => `BENCH-${i}-${randomUUID().slice(0, 6)}`);
  for (const sku of skus) {
    await send(cloud, 'PUT', `/products/${sku}`, 'ops', {
      name: sku,
      price: { amount: 1000, currency: 'CNY' },
      cost: { amount: 600, currency: 'CNY' },
    });
    await send(cloud, 'POST', `/inventory/${sku}/adjustments`, 'ops', { delta: ORDERS * 3, reason: 'RECEIVED' });
  }
  const postLatency: number[] = [];
  const orderIds: string[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < ORDERS) {
        const i = next++;
        const t0 = performance.now();
        const placed = await send(cloud, 'POST', '/orders', 'storefront', {
          channel: 'web',
          customer: { email: `bench${i % 50}@example.com`, name: 'Bench Customer' },
          lines: [
            { sku: skus[i % skus.length], quantity: 1 },
            { sku: skus[(i + 1) % skus.length], quantity: 2 },
          ],
          shippingAddress: { name: 'Bench', line1: '1 Road', city: 'Shanghai', postalCode: '200000', country: 'CN' },
        });
        postLatency.push(performance.now() - t0);
        orderIds.push(placed.orderId);
      }
    }),
  );
  const placedSeconds = (performance.now() - started) / 1000;

  // Wait until every order left PENDING; then read placed→reserved from the timelines.
  const pending = new Set(orderIds);
  const reserveLatency: number[] = [];
  while (pending.size > 0) {
    for (const id of [...pending]) {
      const order = await send(cloud, 'GET', `/orders/${id}`, 'ops');
      if (order.status === 'PENDING') continue;
      pending.delete(id);
      const at = (type: string) => Date.parse(order.timeline.find((t: { type: string }) => t.type === type)?.at);
      reserveLatency.push(at('STOCK_RESERVED') - at('ORDER_PLACED'));
    }
    if (pending.size > 0) await new Promise((r) => setTimeout(r, 50));
  }
  const totalSeconds = (performance.now() - started) / 1000;
  return [
    { measure: 'orders placed', value: ORDERS, unit: `orders (2 lines, ${CONCURRENCY} concurrent clients)` },
    { measure: 'POST /orders throughput', value: ms(ORDERS / placedSeconds), unit: 'orders/s' },
    { measure: 'placed and reserved throughput', value: ms(ORDERS / totalSeconds), unit: 'orders/s' },
    { measure: 'POST /orders p50', value: ms(percentile(postLatency, 50)), unit: 'ms' },
    { measure: 'POST /orders p99', value: ms(percentile(postLatency, 99)), unit: 'ms' },
    { measure: 'placed→reserved p50', value: ms(percentile(reserveLatency.filter(Number.isFinite), 50)), unit: 'ms' },
    { measure: 'placed→reserved p99', value: ms(percentile(reserveLatency.filter(Number.isFinite), 99)), unit: 'ms' },
  ];
}

const cloud = await startLocalCloud({ port: 0, inMemory: true, writeHandshake: false, log: process.env.OMS_LOCAL_LOG ? console.log : () => {} });
try {
  console.log(`\nOrders through the local cloud (${cloud.apiUrl})`);
  console.table(await orderThroughput(cloud));
  await printBundleBench(cloud.assemblyDir);
} finally {
  await cloud.stop();
}
if (!flags['skip-dynamo']) {
  console.log('\nLocal DynamoDB endpoint');
  console.table(await runDynamoBench());
}
