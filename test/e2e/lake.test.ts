import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { openLake, type Lake } from '../../analytics/duckdb';
import { eventStreamName, savedQuerySql } from '../../analytics/lake';
import { call, createProduct, eventually, placeOrder, settled, uniqueSku } from './client';

// The event lake on the local cloud: an order placed through the API reaches the bus,
// the local delivery stream writes it under the data folder, and the saved queries
// (the SQL Athena runs) answer from those files on DuckDB.
const folder = () => join(inject('lakeDir'), eventStreamName('dev'));
const opened: Lake[] = [];
afterAll(() => opened.forEach((l) => l.close()));

/** Asks the local cloud to write what its delivery streams buffer, then opens the lake as it is on disk. */
async function flushedLake(): Promise<Lake> {
  const flushed = await call('POST', '/_local/firehose/flush');
  expect(flushed.status).toBe(200);
  const lake = await openLake(folder());
  opened.push(lake);
  return lake;
}

describe('the event lake on the local cloud', () => {
  it('writes the order events to the lake, and the saved queries answer from them', async () => {
    const sku = uniqueSku('LAKE');
    await createProduct(sku, 5, 2500);
    const email = `lake-${randomUUID().slice(0, 8)}@example.com`;
    const placed = await placeOrder([{ sku, quantity: 2 }], randomUUID(), { customer: { email, name: 'Lake Tester' } });
    expect(placed.status).toBe(202);
    const order = await settled(placed.body.orderId);
    const today = new Date().toISOString().slice(0, 10);

    // The OrderPlaced record, as the delivery stream received it from the rule.
    const orderEvents = (lake: Lake) =>
      lake.query(
        `SELECT dt, source, detail_type, detail FROM events WHERE json_extract_scalar(detail, '$.data.orderId') = '${order.orderId}' ORDER BY detail_type`,
      );
    const { rows } = await eventually(
      async () => orderEvents(await flushedLake()),
      (r) => r.rows.some((x) => x.detail_type === 'OrderPlaced'),
    );
    const placedRow = rows.find((r) => r.detail_type === 'OrderPlaced')!;
    expect(placedRow).toMatchObject({ dt: today, source: 'oms.orders' });
    expect(JSON.parse(placedRow.detail as string)).toMatchObject({
      metadata: { schemaVersion: 1 },
      data: { orderId: order.orderId, orderNumber: order.orderNumber, totals: { total: { amount: 5000, currency: 'CNY' } } },
    });
    expect(rows.map((r) => r.detail_type)).toContain('StockReserved');

    const lake = await flushedLake();
    const placedAt = JSON.parse(placedRow.detail as string).data.placedAt as string;
    const customerId = JSON.parse(placedRow.detail as string).data.customerId as string;

    // daily-sales: the day's count is every order placed that day (cross-checked with plain SQL)
    const sales = await lake.query(savedQuerySql('daily-sales'));
    const day = sales.rows.find((r) => r.day === placedAt.slice(0, 10) && r.currency === 'CNY');
    const { rows: counted } = await lake.query(
      `SELECT count(DISTINCT json_extract_scalar(detail, '$.data.orderId')) AS n FROM events
       WHERE detail_type = 'OrderPlaced' AND substr(json_extract_scalar(detail, '$.data.placedAt'), 1, 10) = '${placedAt.slice(0, 10)}'
         AND json_extract_scalar(detail, '$.data.totals.total.currency') = 'CNY'`,
    );
    expect(day).toBeDefined();
    expect(day!.orders).toBe(counted[0]!.n);
    expect(day!.revenue as number).toBeGreaterThanOrEqual(50);

    // first-time-customers: the new customer counts in the cohort of the day they first ordered
    const cohorts = await lake.query(savedQuerySql('first-time-customers'));
    const { rows: firsts } = await lake.query(
      `SELECT min(json_extract_scalar(detail, '$.data.placedAt')) AS first_at FROM events
       WHERE detail_type = 'OrderPlaced' AND json_extract_scalar(detail, '$.data.customerId') = '${customerId}'`,
    );
    expect(firsts[0]!.first_at).toBe(placedAt);
    expect(cohorts.rows.find((r) => r.cohort_day === placedAt.slice(0, 10))?.new_customers as number).toBeGreaterThanOrEqual(1);

    // slowest-orders: open orders, longest first; ours is among them unless 20 older ones still are
    const slowest = await lake.query(savedQuerySql('slowest-orders'));
    expect(slowest.rows.length).toBeGreaterThan(0);
    expect(slowest.rows.length).toBeLessThanOrEqual(20);
    const taken = slowest.rows.map((r) => r.hours_taken as number);
    expect(taken).toEqual([...taken].sort((a, b) => b - a));
    if (slowest.rows.length < 20) {
      expect(slowest.rows.find((r) => r.order_id === order.orderId)).toMatchObject({ order_number: order.orderNumber, state: 'open' });
    }
  });
});
