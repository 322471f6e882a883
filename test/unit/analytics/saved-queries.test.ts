import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLake, type Lake } from '../../../analytics/duckdb';
import { SAVED_QUERIES, savedQuerySql } from '../../../analytics/lake';
import { LocalFirehose } from '../../../infra/local/firehose';
import { toCsv, toTable } from '../../../scripts/query';

// The saved queries' SQL (the text Athena runs) on DuckDB over objects the local delivery
// stream wrote, with a known history: what a manager would check in each answer.
const STREAM = {
  stack: 'S',
  logicalId: 'Stream',
  name: 'oms-test-events',
  arn: 'arn:aws:firehose:us-east-1:000000000000:deliverystream/oms-test-events',
  prefix: 'events/dt=!{timestamp:yyyy-MM-dd}/',
  bufferIntervalSeconds: 900,
  bufferSizeMb: 128,
  compression: 'GZIP',
  appendDelimiter: true,
};

let seq = 0;
function event(detailType: string, data: Record<string, unknown>, occurredAt: string, id = `evt-${++seq}`) {
  return JSON.stringify({
    version: '0',
    id,
    'detail-type': detailType,
    source: 'oms.orders',
    account: '000000000000',
    time: occurredAt.replace(/\.\d{3}Z$/, 'Z'),
    region: 'us-east-1',
    resources: [],
    detail: { metadata: { eventId: id, occurredAt, correlationId: 'c', causationId: 'c', schemaVersion: 1 }, data },
  });
}
const placed = (orderId: string, customerId: string, placedAt: string, amount: number) =>
  event(
    'OrderPlaced',
    {
      orderId,
      orderNumber: `W-${orderId}`,
      channel: 'web',
      customerId,
      lines: [{ sku: 'TEA', quantity: 1, unitPrice: { amount, currency: 'CNY' } }],
      totals: { subtotal: { amount, currency: 'CNY' }, total: { amount, currency: 'CNY' } },
      placedAt,
    },
    placedAt,
  );
const moved = (detailType: string, orderId: string, at: string) =>
  event(detailType, { orderId, orderNumber: `W-${orderId}`, previousStatus: 'PENDING', status: 'PAID', actor: 'system:test' }, at);

let dir: string;
let lake: Lake;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'oms-lake-'));
  // two days of arrivals, so the view reads more than one dt= partition
  let now = new Date('2026-11-27T12:00:00Z');
  const firehose = new LocalFirehose({ streams: [STREAM], dir, log: () => {}, now: () => now });
  const o1 = placed('o1', 'cus-a', '2026-11-27T03:00:00.000Z', 10000);
  for (const record of [
    o1,
    o1, // delivered twice by Firehose: counted once
    moved('OrderPaid', 'o1', '2026-11-27T04:00:00.000Z'),
    moved('OrderShipped', 'o1', '2026-11-27T08:00:00.000Z'),
    placed('o3', 'cus-b', '2026-11-27T08:00:00.000Z', 20000),
    moved('OrderCancelled', 'o3', '2026-11-27T09:00:00.000Z'),
  ]) {
    firehose.put(STREAM.name, record);
  }
  await firehose.flush();
  now = new Date('2026-11-28T12:00:00Z');
  firehose.put(STREAM.name, moved('OrderDelivered', 'o1', '2026-11-28T08:00:00.000Z'));
  firehose.put(STREAM.name, placed('o2', 'cus-a', '2026-11-28T10:00:00.000Z', 5000));
  await firehose.stop();
  lake = await openLake(join(dir, STREAM.name));
});

afterAll(() => {
  lake?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('saved queries on DuckDB', () => {
  it('the events table has one row per record, with the day partition', async () => {
    const { rows } = await lake.query('SELECT dt, count(*) AS n FROM events GROUP BY dt ORDER BY dt');
    expect(rows).toEqual([
      { dt: '2026-11-27', n: 6 },
      { dt: '2026-11-28', n: 2 },
    ]);
  });

  it('daily-sales: orders per day, the cancelled one out of the revenue, duplicates once', async () => {
    const { rows } = await lake.query(savedQuerySql('daily-sales'));
    expect(rows).toEqual([
      { day: '2026-11-27', currency: 'CNY', orders: 2, lost_orders: 1, revenue: 100, average_order: 150 },
      { day: '2026-11-28', currency: 'CNY', orders: 1, lost_orders: 0, revenue: 50, average_order: 50 },
    ]);
  });

  it('first-time-customers: customers by the day of their first order, and who ordered again', async () => {
    const { rows } = await lake.query(savedQuerySql('first-time-customers'));
    expect(rows).toEqual([{ cohort_day: '2026-11-27', new_customers: 2, ordered_again: 1, ordered_again_pct: 50, orders: 3 }]);
  });

  it('slowest-orders: open orders up to now, delivered ones with where the time went, cancelled left out', async () => {
    const { rows } = await lake.query(savedQuerySql('slowest-orders'));
    expect(rows.map((r) => r.order_id)).toEqual(['o2', 'o1']);
    expect(rows[0]).toMatchObject({ state: 'open', hours_to_pay: null, hours_to_deliver: null });
    expect(rows[0]!.hours_taken as number).toBeGreaterThan(24);
    expect(rows[1]).toEqual({
      order_number: 'W-o1',
      order_id: 'o1',
      state: 'delivered',
      hours_to_pay: 1,
      hours_to_ship: 5,
      hours_to_deliver: 29,
      hours_taken: 29,
    });
  });

  it('every saved query has its SQL file', () => {
    for (const q of SAVED_QUERIES) expect(savedQuerySql(q.name)).toMatch(/\bFROM events\b/);
    expect(() => savedQuerySql('nope')).toThrow(/daily-sales/);
  });
});

describe('npm run query output', () => {
  const result = {
    columns: ['sku', 'name', 'n'],
    rows: [
      { sku: 'TEA', name: '茉莉花茶, 250g', n: 2 },
      { sku: 'CUP', name: 'the "celadon" cup', n: null },
    ],
  };
  it('CSV quotes fields with commas and quotes and keeps Chinese as is', () => {
    expect(toCsv(result)).toBe('sku,name,n\nTEA,"茉莉花茶, 250g",2\nCUP,"the ""celadon"" cup",\n');
  });
  it('the table aligns columns (Chinese characters two columns wide) and shows NULL', () => {
    expect(toTable(result).split('\n')).toEqual([
      'sku  name                  n',
      '---  -----------------  ----',
      'TEA  茉莉花茶, 250g        2',
      'CUP  the "celadon" cup  NULL',
      '(2 rows)',
      '',
    ]);
  });
});
