import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { eventStreamName } from '../../analytics/lake';
import { businessDay, addDays } from '../../shared/domain/reports';
import * as keys from '../../shared/store/keys';
import { apiUrl, call, createProduct, eventually, getOrder, placeOrder, token, uniqueSku } from './client';

// Reports on the local cloud: orders placed and paid over HTTP, one refunded; the
// aggregate-reports worker counts their events from the bus, and the reports read the
// counters back as JSON and CSV. Other test files share the cloud, so figures are read
// for this file's own SKU, or as changes of the totals.

let sku: string;
const today = businessDay(new Date(), 'Asia/Shanghai');
const range = { from: addDays(today, -1), to: addDays(today, 1) };
const qs = (q: Record<string, string>) => new URLSearchParams(q).toString();

beforeAll(async () => {
  sku = uniqueSku('RPT');
  await createProduct(sku, 50, 1299); // cost 650
});

async function paidOrder() {
  const placed = await placeOrder([{ sku, quantity: 2 }]);
  expect(placed.status).toBe(202);
  const { orderId } = placed.body as { orderId: string };
  await eventually(() => getOrder(orderId), (r) => r.body?.status === 'AWAITING_PAYMENT');
  const started = await call('POST', `/orders/${orderId}/payments`, { as: 'storefront', body: { method: 'bank_transfer' } });
  expect(started.status).toBe(201);
  const confirmed = await call('POST', `/orders/${orderId}/payments/${started.body.paymentId}/confirm`, { as: 'finance', body: { reference: 'RPT-1' } });
  expect(confirmed.status).toBe(200);
  return orderId;
}

const skuRow = async (report: 'sales' | 'profit') => {
  const res = await call('GET', `/reports/${report}?${qs({ ...range, groupBy: 'sku', top: '1000' })}`, { as: 'finance' });
  expect(res.status).toBe(200);
  return (res.body.rows as { key: string }[]).find((r) => r.key === sku) as Record<string, number> | undefined;
};

describe('reports on the local cloud', () => {
  it('counts paid orders and a refund, and answers JSON and CSV', async () => {
    const before = (await call('GET', `/reports/profit?${qs(range)}`, { as: 'finance' })).body.totals as Record<string, number>;
    const first = await paidOrder();
    await paidOrder();
    const refund = await call('POST', `/orders/${first}/refunds`, { as: 'finance', body: { amount: { amount: 1299, currency: 'CNY' }, reason: 'One cup broken' } });
    expect(refund.status).toBe(201);
    expect((await call('POST', `/orders/${first}/refunds/${refund.body.refundId}/confirm`, { as: 'finance', body: { reference: 'RPT-R1' } })).status).toBe(200);

    // two orders of 2 units at 12.99, cost 6.50 each, captured when placed
    await eventually(() => skuRow('sales'), (r) => r?.orders === 2);
    expect(await skuRow('sales')).toMatchObject({ orders: 2, units: 4, revenue: 5196 });
    expect(await skuRow('profit')).toMatchObject({ revenue: 5196, costOfGoods: 2600, grossProfit: 2596 });
    const after = await eventually(
      async () => (await call('GET', `/reports/profit?${qs(range)}`, { as: 'finance' })).body.totals as Record<string, number>,
      (t) => t.refunds - before.refunds >= 1299,
    );
    expect(after.revenue - before.revenue).toBeGreaterThanOrEqual(5196);

    const csv = await fetch(`${apiUrl()}/reports/sales?${qs({ ...range, groupBy: 'sku', top: '1000' })}`, {
      headers: { authorization: `Bearer ${token('admin')}`, accept: 'text/csv' },
    });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const bytes = new Uint8Array(await csv.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = new TextDecoder().decode(bytes.slice(3)).split('\r\n');
    expect(lines[0]).toBe('key,orders,units,revenue,discounts,refunds,netRevenue');
    expect(lines).toContain(`${sku},2,4,5196,0,0,5196`);

    const payments = await call('GET', `/reports/payments?${qs(range)}`, { as: 'admin' });
    expect(payments.body.rows).toEqual(expect.arrayContaining([expect.objectContaining({ method: 'bank_transfer', payments: expect.any(Number) })]));
    const times = await call('GET', `/reports/fulfillment-times?${qs(range)}`, { as: 'finance' });
    expect(times.body.rows.find((r: { from: string; to: string }) => r.from === 'placed' && r.to === 'approved').count).toBeGreaterThanOrEqual(2);

    const inventory = await call('GET', '/reports/inventory?limit=100', { as: 'ops' });
    expect(inventory.status).toBe(200);
    expect(await call('GET', `/reports/sales?${qs(range)}`, { as: 'ops' })).toMatchObject({ status: 403 });
  });

  it('rebuild-reports recounts the lake to the live counters, and exits 1 on a counter changed by hand', async () => {
    await paidOrder();
    const client = new DynamoDBClient({ endpoint: inject('dynamoUrl'), region: 'us-east-1', credentials: { accessKeyId: 'e2e', secretAccessKey: 'e2e' } });
    const doc = DynamoDBDocumentClient.from(client);
    const tableName = (await client.send(new ListTablesCommand({}))).TableNames!.find((t) => t.startsWith('oms-'))!;
    const rebuild = async () => {
      expect((await call('POST', '/_local/firehose/flush')).status).toBe(200);
      const args = [
        '--import', 'tsx', 'scripts/rebuild-reports.ts', '--lake', join(inject('lakeDir'), eventStreamName('dev')),
        '--endpoint', inject('dynamoUrl'), '--table', tableName, '--no-flush', '--from', range.from, '--to', range.to,
      ];
      return promisify(execFile)(process.execPath, args, { cwd: process.cwd() }).then(
        ({ stdout }) => ({ code: 0, stdout }),
        (err: { code: number; stdout: string }) => ({ code: err.code, stdout: err.stdout }),
      );
    };
    try {
      // the lake and the counters catch up with the bus: then they agree
      const ok = await eventually(rebuild, (r) => r.code === 0, 60_000);
      expect(ok.stdout).toMatch(/live counters match the rebuild/);

      // one live counter of today moved by hand: the rebuild names it
      const tamper = (n: number) => doc.send(new UpdateCommand({
        TableName: tableName, Key: keys.reportDay(today, 0), UpdateExpression: 'SET #d = :d ADD #c :n',
        ExpressionAttributeNames: { '#d': 'day', '#c': 'placed_CNY' }, ExpressionAttributeValues: { ':d': today, ':n': n },
      }));
      await tamper(7);
      try {
        const drift = await rebuild();
        expect(drift.code).toBe(1);
        const [, live, rebuilt] = new RegExp(`${today}  placed_CNY: (\\d+) -> (\\d+)`).exec(drift.stdout)!;
        expect(Number(live) - Number(rebuilt)).toBe(7);
      } finally {
        await tamper(-7);
      }
    } finally {
      client.destroy();
    }
  });

  it('shows what a line cost to staff, not to the storefront', async () => {
    const placed = await placeOrder([{ sku, quantity: 1 }]);
    const { orderId } = placed.body as { orderId: string };
    const own = await call('GET', `/orders/${orderId}`, { as: 'storefront' });
    expect(own.body.lines[0]).not.toHaveProperty('unitCost');
    expect((await call('GET', `/orders/${orderId}`, { as: 'finance' })).body.lines[0].unitCost).toEqual({ amount: 650, currency: 'CNY' });
  });
});
