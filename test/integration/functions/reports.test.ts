import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { REMEMBERED_TRAILS, makeHandler as makeAggregator } from '../../../functions/aggregate-reports/aggregate-reports';
import { makeHandler as makeReportsApi } from '../../../functions/reports/reports';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { makeReportAggregation, reportAggregationOver } from '../../../shared/app/report-aggregation';
import { reportEventOf } from '../../../shared/app/report-events';
import { reportRebuildOver } from '../../../shared/app/report-rebuild';
import { reportsOver } from '../../../shared/app/reports';
import { compareCounters, countAll, REPORT_SHARDS, shardOf } from '../../../shared/domain/reports';
import * as keys from '../../../shared/store/keys';
import { reportRepository } from '../../../shared/store/report-repository';
import { makeBatchWriter } from '../../../shared/store/batch-writer';
import { applicationFor } from '../../../shared/app';
import { storeFor } from '../../../shared/store';
import { apiEvent, call, lambdaContext, TOKENS } from '../../support/api-event';
import { createTestTable, type TestTable } from '../../support/table';

let table: TestTable;
let aggregate: ReturnType<typeof makeAggregator>;
let api: ReturnType<typeof makeReportsApi>;
// "now" for the inventory report's velocity window
const NOW = new Date('2026-04-01T04:00:00.000Z');

beforeAll(async () => {
  table = await createTestTable(inject('dynamoUrl'));
  const ctx = { doc: table.doc, tableName: table.tableName };
  aggregate = makeAggregator({ reports: reportAggregationOver(ctx, { rememberTrails: REMEMBERED_TRAILS }), now: () => new Date() });
  api = makeReportsApi({ reports: reportsOver(ctx), now: () => NOW });
});
afterAll(() => table?.drop());

let seq = 0;
type Ev = { type: string; eventId: string; at: string; data: Record<string, unknown>; source?: string };
const record = (e: Ev) => ({
  messageId: `m-${++seq}`, receiptHandle: 'rh', attributes: {} as never, messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:oms-test-reports', awsRegion: 'us-east-1',
  body: JSON.stringify({
    id: `bus-${e.eventId}`, 'detail-type': e.type, source: e.source ?? 'oms.orders',
    detail: { metadata: { eventId: e.eventId, occurredAt: e.at, correlationId: 'c', causationId: 'c', schemaVersion: 1 }, data: e.data },
  }),
});
/** Delivers events one by one, in this order (a batch's records run concurrently); the ids of those that failed. */
async function deliver(...events: Ev[]): Promise<string[]> {
  const failed: string[] = [];
  for (const e of events) {
    const res = await aggregate({ Records: [record(e)] } as SQSEvent, lambdaContext);
    if (res.batchItemFailures.length) failed.push(e.eventId);
  }
  return failed;
}

const CNY = (amount: number) => ({ amount, currency: 'CNY' });
const status = (orderId: string, previousStatus: string, s: string) => ({ orderId, orderNumber: `N-${orderId}`, previousStatus, status: s, actor: 'system:test', refundDue: false });
function orderEvents(orderId: string, placedAt: string, opts: { channel?: string; lines?: { sku: string; quantity: number; price: number; cost: number }[] } = {}) {
  const lines = opts.lines ?? [{ sku: 'TEA', quantity: 2, price: 1500, cost: 600 }];
  const total = lines.reduce((n, l) => n + l.price * l.quantity, 0);
  const later = (min: number) => new Date(Date.parse(placedAt) + min * 60_000).toISOString();
  return {
    placed: {
      type: 'OrderPlaced', eventId: `${orderId}-placed`, at: placedAt,
      data: {
        orderId, orderNumber: `N-${orderId}`, channel: opts.channel ?? 'web', customerId: 'cus_1', placedAt,
        lines: lines.map((l) => ({ sku: l.sku, quantity: l.quantity, unitPrice: CNY(l.price), unitCost: CNY(l.cost) })),
        totals: { subtotal: CNY(total), total: CNY(total) },
      },
    },
    approved: { type: 'OrderApproved', eventId: `${orderId}-approved`, at: later(2), data: { ...status(orderId, 'PENDING', 'AWAITING_PAYMENT'), paymentDueAt: later(62) } },
    paid: { type: 'OrderPaid', eventId: `${orderId}-paid`, at: later(10), data: status(orderId, 'AWAITING_PAYMENT', 'PAID') },
    payment: {
      type: 'PaymentSucceeded', eventId: `${orderId}-pay`, at: later(10), source: 'oms.payments',
      data: { orderId, orderNumber: `N-${orderId}`, paymentId: `pay-${orderId}`, method: 'alipay', provider: 'alipay', actor: 'system:test', amount: CNY(total) },
    },
    refund: (amount: number, at: string) => ({
      type: 'RefundIssued', eventId: `${orderId}-refund-${at}`, at, source: 'oms.payments',
      data: { orderId, orderNumber: `N-${orderId}`, refundId: `rf-${orderId}`, paymentId: `pay-${orderId}`, provider: 'alipay', amount: CNY(amount), actor: 'finance:f' },
    }),
  } satisfies Record<string, Ev | ((...a: never[]) => Ev)>;
}
const report = (name: string, query: Record<string, string>, claims: Record<string, string | string[]> = TOKENS.finance, headers: Record<string, string> = {}) =>
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  call<Record<string, any>>(api, { routeKey: `GET /reports/${name}`, query, claims, headers });

describe('report aggregation', () => {
  it('counts duplicated and reordered events once; a payment that overtakes its placement waits for it', async () => {
    const a = orderEvents('A1', '2026-03-03T02:00:00.000Z');
    const b = orderEvents('B1', '2026-03-03T03:00:00.000Z', { channel: 'app', lines: [{ sku: 'CUP', quantity: 1, price: 2000, cost: 900 }] });
    // B's payment arrives before B was placed: it fails and the queue retries it
    const first = await deliver(b.paid, a.placed, a.placed);
    expect(first).toEqual(['B1-paid']);
    expect(await deliver(b.placed, a.paid, a.approved, a.payment, a.paid, b.paid, b.paid, b.payment, b.approved, a.approved)).toEqual([]);

    const sales = await report('sales', { from: '2026-03-01', to: '2026-03-31', groupBy: 'channel' });
    expect(sales.status).toBe(200);
    expect(sales.body.totals).toEqual({ orders: 2, units: 3, revenue: 5000, discounts: 0, refunds: 0, netRevenue: 5000 });
    expect(sales.body.rows).toEqual([
      { key: 'web', orders: 1, units: 2, revenue: 3000, discounts: 0, refunds: 0, netRevenue: 3000 },
      { key: 'app', orders: 1, units: 1, revenue: 2000, discounts: 0, refunds: 0, netRevenue: 2000 },
    ]);
    const bySku = await report('sales', { from: '2026-03-01', to: '2026-03-31', groupBy: 'sku', top: '1' });
    expect(bySku.body.rows).toEqual([expect.objectContaining({ key: 'TEA', revenue: 3000, units: 2 })]);

    const payments = await report('payments', { from: '2026-03-03', to: '2026-03-03' });
    expect(payments.body.rows).toEqual([{ key: '2026-03-03..2026-03-03', method: 'alipay', payments: 2, amount: 5000 }]);

    const times = await report('fulfillment-times', { from: '2026-03-01', to: '2026-03-31' });
    // approved 2 min after placing, paid 8 min after approval, for both orders (B's events came in any order)
    expect(times.body.rows.slice(0, 2)).toEqual([
      expect.objectContaining({ from: 'placed', to: 'approved', count: 2, meanSeconds: 120 }),
      expect.objectContaining({ from: 'approved', to: 'paid', count: 2, meanSeconds: 480 }),
    ]);
  });

  it('offers an event that overtook its placement again sooner, and only that one', async () => {
    const c = orderEvents('SOON-C', '2024-06-04T02:00:00.000Z');
    const d = orderEvents('SOON-D', '2024-06-04T03:00:00.000Z');
    await deliver(d.placed);
    const sooner: { messageId: string; receiveCount: string }[] = [];
    const aggregator = makeAggregator({
      reports: reportAggregationOver({ doc: table.doc, tableName: table.tableName }),
      now: () => new Date(),
      retrySooner: async (records) => void sooner.push(...records.map((r) => ({ messageId: r.messageId, receiveCount: r.attributes.ApproximateReceiveCount }))),
    });
    // C's payment ahead of C's placement, beside D's payment (countable) and a message that is no event
    const early = { ...record(c.paid), attributes: { ApproximateReceiveCount: '2' } as never };
    const countable = record(d.paid);
    const broken = { ...record(d.approved), body: '{' };
    const res = await aggregator({ Records: [early, countable, broken] } as SQSEvent, lambdaContext);
    expect(res.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual([early.messageId, broken.messageId].sort());
    // the broken message waits out the visibility timeout; the early one is brought forward
    expect(sooner).toEqual([{ messageId: early.messageId, receiveCount: '2' }]);
    // a failure to bring it forward leaves the outcome as it is
    const failing = makeAggregator({
      reports: reportAggregationOver({ doc: table.doc, tableName: table.tableName }),
      now: () => new Date(),
      retrySooner: async () => Promise.reject(new Error('throttled')),
    });
    const again = await failing({ Records: [{ ...early, messageId: 'm-again' }] } as SQSEvent, lambdaContext);
    expect(again.batchItemFailures).toEqual([{ itemIdentifier: 'm-again' }]);
  });

  it("reads no trail for an order's next event in the container that counted the last one, and reads it when another container moved it", async () => {
    const ctx = { doc: table.doc, tableName: table.tableName };
    const repo = reportRepository(ctx);
    const container = () => {
      const c = { reads: 0, worker: undefined as unknown as ReturnType<typeof makeAggregator> };
      const reports = makeReportAggregation({
        reports: { trail: (orderId) => { c.reads++; return repo.trail(orderId); }, trails: (ids) => { c.reads += ids.length; return repo.trails(ids); } },
        writer: makeBatchWriter(ctx), timeZone: async () => 'Asia/Shanghai', rememberTrails: REMEMBERED_TRAILS,
      });
      c.worker = makeAggregator({ reports, now: () => new Date() });
      return c;
    };
    const one = container();
    const two = container();
    const by = async (c: ReturnType<typeof container>, e: Ev) => (await c.worker({ Records: [record(e)] } as SQSEvent, lambdaContext)).batchItemFailures;
    const g = orderEvents('MEM1', '2026-07-07T02:00:00.000Z');
    expect(await by(one, g.placed)).toEqual([]);
    expect(one.reads).toBe(0);
    // the other container counts the approval: container one's trail is now behind the table
    expect(await by(two, g.approved)).toEqual([]);
    expect(two.reads).toBe(1);
    expect(await by(one, g.paid)).toEqual([]);
    expect(one.reads).toBe(1);
    expect(await by(one, g.payment)).toEqual([]);
    expect(await by(two, g.paid)).toEqual([]);
    expect(one.reads).toBe(1);

    const sales = await report('sales', { from: '2026-07-07', to: '2026-07-07' });
    expect(sales.body.totals).toMatchObject({ orders: 1, units: 2, revenue: 3000 });
    const times = await report('fulfillment-times', { from: '2026-07-07', to: '2026-07-07' });
    expect(times.body.rows.slice(0, 2)).toEqual([
      expect.objectContaining({ from: 'placed', to: 'approved', count: 1, meanSeconds: 120 }),
      expect.objectContaining({ from: 'approved', to: 'paid', count: 1, meanSeconds: 480 }),
    ]);
  });

  it('counts a refund on the refund day: revenue and profit of that day go down, the sale day stays', async () => {
    const c = orderEvents('C1', '2026-03-10T02:00:00.000Z', { lines: [{ sku: 'POT', quantity: 1, price: 10_000, cost: 4000 }] });
    expect(await deliver(c.placed, c.paid)).toEqual([]);
    const refund = c.refund(3000, '2026-03-12T05:00:00.000Z');
    expect(await deliver(refund, refund)).toEqual([]);
    const daily = await report('profit', { from: '2026-03-10', to: '2026-03-12', groupBy: 'day' });
    expect(daily.body.rows).toEqual([
      expect.objectContaining({ key: '2026-03-10', revenue: 10_000, costOfGoods: 4000, refunds: 0, grossProfit: 6000, marginPercent: 60 }),
      expect.objectContaining({ key: '2026-03-12', revenue: 0, costOfGoods: 0, refunds: 3000, grossProfit: -3000 }),
    ]);
    expect(daily.body.totals).toMatchObject({ revenue: 10_000, refunds: 3000, grossProfit: 3000 });
  });

  it('buckets by the business day in Asia/Shanghai: 16:30 UTC is the next day', async () => {
    const d = orderEvents('D1', '2026-03-20T16:20:00.000Z');
    expect(await deliver(d.placed, d.paid)).toEqual([]);
    const res = await report('sales', { from: '2026-03-20', to: '2026-03-21', groupBy: 'day' });
    expect(res.body.rows).toEqual([expect.objectContaining({ key: '2026-03-21', orders: 1 })]);
  });

  it('counts an order of 95 SKUs in two parts, once even when redelivered', async () => {
    const lines = Array.from({ length: 95 }, (_, i) => ({ sku: `BIG-${String(i).padStart(3, '0')}`, quantity: 1, price: 100, cost: 10 }));
    const e = orderEvents('E1', '2026-03-25T02:00:00.000Z', { lines });
    expect(await deliver(e.placed, e.paid, e.paid)).toEqual([]);
    const res = await report('sales', { from: '2026-03-25', to: '2026-03-25', groupBy: 'sku', top: '1000' });
    expect(res.body.rows).toHaveLength(95);
    expect(res.body.rows.every((r: { orders: number; units: number }) => r.orders === 1 && r.units === 1)).toBe(true);
  });

  it('reads the same few aggregate items however many orders a day has', async () => {
    const before = await report('sales', { from: '2026-03-15', to: '2026-03-15' });
    expect(before.body.itemsRead).toBe(0);
    for (let i = 0; i < 30; i++) {
      const o = orderEvents(`F${i}`, '2026-03-15T02:00:00.000Z');
      expect(await deliver(o.placed, o.paid)).toEqual([]);
    }
    const after = await report('sales', { from: '2026-03-15', to: '2026-03-15' });
    expect(after.body.totals.orders).toBe(30);
    expect(after.body.itemsRead).toBeLessThanOrEqual(REPORT_SHARDS);
    const month = await report('sales', { from: '2026-03-01', to: '2026-03-31', compare: 'previous' });
    // the days with sales this month (3, 10, 12, 15, 21, 25), at most one item per shard each; February read nothing
    expect(month.body.itemsRead).toBeLessThanOrEqual(6 * REPORT_SHARDS);
    expect(month.body.previous).toEqual({ from: '2026-01-29', to: '2026-02-28', totals: expect.objectContaining({ orders: 0 }) });
    expect(month.body.changePercent.orders).toBeNull();
  });
});

describe('reports API', () => {
  it('answers CSV with a BOM and a header row', async () => {
    const res = await api(apiEvent({
      routeKey: 'GET /reports/sales', query: { from: '2026-03-01', to: '2026-03-31', groupBy: 'channel' }, claims: TOKENS.admin, headers: { accept: 'text/csv' },
    }), lambdaContext);
    expect(res.statusCode).toBe(200);
    expect(res.headers?.['content-type']).toBe('text/csv; charset=utf-8');
    const text = String(res.body);
    expect(text.split('\r\n')[1]).toBe('web,34,160,115500,0,3000,112500');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    expect(text.slice(1).split('\r\n')[0]).toBe('key,orders,units,revenue,discounts,refunds,netRevenue');
  });

  it('refuses bad ranges and groupings with problem+json, and other roles', async () => {
    const backwards = await report('sales', { from: '2026-03-31', to: '2026-03-01' });
    expect(backwards.status).toBe(400);
    expect(backwards.headers['content-type']).toBe('application/problem+json');
    expect(backwards.body.errors).toEqual([{ path: 'query.from', message: 'must not be after to' }]);
    expect((await report('payments', { from: '2026-03-01', to: '2026-03-31', groupBy: 'sku' })).status).toBe(400);
    expect((await report('sales', { from: '2026-03-01', to: '2027-06-01' })).status).toBe(400);
    expect((await report('sales', { from: '2026-3-1', to: '2026-03-31' })).status).toBe(400);
    expect((await report('sales', { from: '2026-03-01', to: '2026-03-31', currency: 'yuan' })).status).toBe(400);
    expect((await report('sales', { from: '2026-03-01', to: '2026-03-31' }, TOKENS.ops)).status).toBe(403);
    expect((await report('inventory', {}, TOKENS.ops)).status).toBe(200);
    expect((await report('inventory', {}, TOKENS.cs)).status).toBe(403);
  });

  it('reports stock per location with value at cost, and no cover while nothing sells', async () => {
    const { products, stock } = applicationFor(storeFor({ doc: table.doc, tableName: table.tableName }));
    await products.put('TEA', { name: '龍井茶', price: CNY(1500), cost: CNY(600) }, NOW);
    await stock.adjust({ sku: 'TEA', delta: 10, reason: 'RECEIVED', actor: 'test', causationId: 't' }, NOW);
    const res = await report('inventory', {}, TOKENS.ops);
    expect(res.body.rows).toEqual([
      { key: 'TEA@MAIN', sku: 'TEA', name: '龍井茶', locationId: 'MAIN', onHand: 10, reserved: 0, available: 10, currency: 'CNY', valueAtCost: 6000, velocityPerDay: 0, daysOfCover: null },
      { key: 'TEA@ALL', sku: 'TEA', name: '龍井茶', locationId: 'ALL', onHand: 10, reserved: 0, available: 10, currency: 'CNY', valueAtCost: 6000, velocityPerDay: 0, daysOfCover: null },
    ]);
  });
});

const returnEvent = (type: string, orderId: string, returnId: string, kind: string, at: string, lines: { sku: string; quantity: number; reason: string }[]): Ev => ({
  type, eventId: `${returnId}-${type}`, at,
  data: { orderId, orderNumber: `N-${orderId}`, returnId, type: kind, status: 'REQUESTED', lines, actor: 'cs:c' },
});
const TOO_BIG = '太大了, 要換 "M"';

describe('returns report', () => {
  it('counts return requests per SKU and reason, rejections and receipts, each once whatever the order they come in', async () => {
    const g = orderEvents('G1', '2026-04-02T02:00:00.000Z', { lines: [{ sku: 'TEA', quantity: 4, price: 1500, cost: 600 }, { sku: 'CUP', quantity: 2, price: 2000, cost: 900 }] });
    const r1 = returnEvent('ReturnRequested', 'G1', 'RT1', 'return', '2026-04-05T02:00:00.000Z', [{ sku: 'TEA', quantity: 2, reason: TOO_BIG }]);
    const r1in = returnEvent('ReturnReceived', 'G1', 'RT1', 'return', '2026-04-07T02:00:00.000Z', [{ sku: 'TEA', quantity: 2, reason: TOO_BIG }]);
    const r2 = returnEvent('ReturnRequested', 'G1', 'RT2', 'exchange', '2026-04-05T03:00:00.000Z', [{ sku: 'CUP', quantity: 1, reason: 'broken' }]);
    const r2no = returnEvent('ReturnRejected', 'G1', 'RT2', 'exchange', '2026-04-06T03:00:00.000Z', [{ sku: 'CUP', quantity: 1, reason: 'broken' }]);
    // the receipt overtakes its request; requests and the rejection come twice
    expect(await deliver(g.placed, g.paid, r1in, r2, r1, r2no, r1, r2, r2no)).toEqual([]);

    const range = { from: '2026-04-01', to: '2026-04-30' };
    const bySku = await report('returns', { ...range, groupBy: 'sku' });
    expect(bySku.status).toBe(200);
    expect(bySku.body.totals).toEqual({
      requests: 2, returns: 1, exchanges: 1, claims: 0, rejected: 1, received: 1,
      unitsRequested: 3, unitsRejected: 1, unitsReceived: 2, unitsSold: 6, returnRatePercent: 33.3,
    });
    expect(bySku.body.rows).toEqual([
      { key: 'TEA', unitsRequested: 2, unitsRejected: 0, unitsReceived: 2, unitsSold: 4, returnRatePercent: 50 },
      { key: 'CUP', unitsRequested: 1, unitsRejected: 1, unitsReceived: 0, unitsSold: 2, returnRatePercent: 0 },
    ]);
    const byReason = await report('returns', { ...range, groupBy: 'reason' });
    expect(byReason.body.rows).toEqual([{ key: TOO_BIG, units: 2 }, { key: 'broken', units: 1 }]);
    const byDay = await report('returns', { ...range, groupBy: 'day' });
    expect(byDay.body.rows.map((r: { key: string; requests: number }) => [r.key, r.requests])).toEqual([
      ['2026-04-02', 0], ['2026-04-05', 2], ['2026-04-06', 0], ['2026-04-07', 0],
    ]);
    const compared = await report('returns', { from: '2026-04-05', to: '2026-04-05', compare: 'previous' });
    expect(compared.body.previous).toEqual({ from: '2026-04-04', to: '2026-04-04', totals: expect.objectContaining({ requests: 0 }) });

    // CSV: the reason with a comma, quotes and Chinese arrives whole in Excel
    const csv = await api(apiEvent({
      routeKey: 'GET /reports/returns', query: { ...range, groupBy: 'reason' }, claims: TOKENS.admin, headers: { accept: 'text/csv' },
    }), lambdaContext);
    expect(csv.statusCode).toBe(200);
    expect(String(csv.body)).toBe('\uFEFFkey,units\r\n"太大了, 要換 ""M""",2\r\nbroken,1\r\n');

    expect((await report('returns', range, TOKENS.cs)).status).toBe(403);
    expect((await report('returns', { ...range, groupBy: 'channel' })).status).toBe(400);
  });

  it("lowers revenue and profit by a return's refund on the business day it is issued, not the sale's", async () => {
    const h = orderEvents('H1', '2026-04-10T02:00:00.000Z', { lines: [{ sku: 'POT', quantity: 1, price: 8000, cost: 3000 }] });
    const request = returnEvent('ReturnRequested', 'H1', 'RT3', 'return', '2026-04-12T02:00:00.000Z', [{ sku: 'POT', quantity: 1, reason: 'cracked' }]);
    // issued at 16:30 UTC on the 13th: the 14th in Shanghai
    const refund = h.refund(8000, '2026-04-13T16:30:00.000Z');
    expect(await deliver(h.placed, h.paid, request, refund, refund)).toEqual([]);
    const daily = await report('profit', { from: '2026-04-10', to: '2026-04-14', groupBy: 'day' });
    expect(daily.body.rows).toEqual([
      expect.objectContaining({ key: '2026-04-10', revenue: 8000, costOfGoods: 3000, refunds: 0, grossProfit: 5000 }),
      // the request's day (the 12th) moved no money: the profit report has no row for it
      expect.objectContaining({ key: '2026-04-14', revenue: 0, refunds: 8000, grossProfit: -8000 }),
    ]);
    const sales = await report('sales', { from: '2026-04-14', to: '2026-04-14' });
    expect(sales.body.totals).toMatchObject({ revenue: 0, refunds: 8000, netRevenue: -8000 });
  });
});

describe('business days in another time zone', () => {
  it('counts on the wall-clock day of the configured zone (New York: 03:00 UTC is the evening before)', async () => {
    const own = await createTestTable(inject('dynamoUrl'));
    try {
      const ctx = { doc: own.doc, tableName: own.tableName };
      const ny = makeReportAggregation({ reports: reportRepository(ctx), writer: makeBatchWriter(ctx), timeZone: async () => 'America/New_York' });
      const o = orderEvents('NY1', '2026-07-04T03:00:00.000Z');
      const refund = o.refund(1000, '2026-07-05T03:30:00.000Z'); // 23:30 on the 4th in New York (EDT)
      for (const e of [o.placed, o.paid, refund]) await ny.count(reportEventOf(JSON.parse(record(e).body)), new Date());
      const days = await reportRepository(ctx).days('2026-07-03', '2026-07-05');
      const byDay = (day: string) => days.items.filter((i) => i.day === day)
        .reduce((n, i) => ({ rev: n.rev + (i.tally.rev_CNY ?? 0), refunds: n.refunds + (i.tally.refunds_CNY ?? 0) }), { rev: 0, refunds: 0 });
      expect(byDay('2026-07-03')).toEqual({ rev: 3000, refunds: 0 });
      expect(byDay('2026-07-04')).toEqual({ rev: 0, refunds: 1000 });
      expect(byDay('2026-07-05')).toEqual({ rev: 0, refunds: 0 });
    } finally {
      await own.drop();
    }
  });
});

describe('rebuild-reports', () => {
  it('recounts the history into a separate generation that matches the live counters, and shows a tampered counter', async () => {
    const own = await createTestTable(inject('dynamoUrl'));
    try {
      const ctx = { doc: own.doc, tableName: own.tableName };
      const live = makeAggregator({ reports: reportAggregationOver(ctx), now: () => new Date() });
      const orders = ['K1', 'K2', 'K3'].map((id, n) => orderEvents(id, `2026-05-0${n + 1}T10:00:00.000Z`, { channel: n ? 'app' : 'web' }));
      const history: Ev[] = orders.flatMap((o) => [o.placed, o.approved, o.paid, o.payment]);
      history.push(orders[0]!.refund(1000, '2026-05-03T18:00:00.000Z'));
      history.push(returnEvent('ReturnRequested', 'K2', 'RT9', 'return', '2026-05-04T02:00:00.000Z', [{ sku: 'TEA', quantity: 1, reason: '不喜歡' }]));
      for (const e of history) expect((await live({ Records: [record(e)] } as SQSEvent, lambdaContext)).batchItemFailures).toEqual([]);
      // the lake holds every event once or more (delivery is at least once), in any order
      const lake = [...history, history[2]!, history[0]!].reverse().map((e) => reportEventOf(JSON.parse(record(e).body)));

      const first = await reportRebuildOver(ctx, { generation: 'g1' }).rebuild(lake);
      expect(first).toMatchObject({ from: '2026-05-01', to: '2026-05-04', events: 16, counted: 14, uncounted: [], drifts: [] });
      // the rebuilt set is separate: the live report reads what it read before
      const sales = makeReportsApi({ reports: reportsOver(ctx), now: () => NOW });
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const read = await call<Record<string, any>>(sales, { routeKey: 'GET /reports/sales', query: { from: '2026-05-01', to: '2026-05-31' }, claims: TOKENS.finance });
      expect(read.body.totals).toMatchObject({ orders: 3, revenue: 9000, refunds: 1000 });
      expect((await reportRepository(ctx, { generation: 'g1' }).days('2026-05-01', '2026-05-31')).items.length).toBeGreaterThan(0);

      // someone adds one yuan to a live counter by hand
      await own.doc.send(new UpdateCommand({
        TableName: own.tableName, Key: keys.reportDay('2026-05-02', shardOf('K2-paid')), UpdateExpression: 'ADD rev_CNY :n', ExpressionAttributeValues: { ':n': 100 },
      }));
      const second = await reportRebuildOver(ctx, { generation: 'g2' }).rebuild(lake, { from: '2026-05-02', to: '2026-05-02' });
      expect(second.drifts).toEqual([{ day: '2026-05-02', counter: 'rev_CNY', live: 3100, rebuilt: 3000 }]);
    } finally {
      await own.drop();
    }
  });
});

describe('counting a batch together', () => {
  /** A container over `ctx` whose DynamoDB requests are counted by command. */
  function containerOver(ctx: { doc: TestTable['doc']; tableName: string }) {
    const requests: Record<string, number> = {};
    const doc = {
      send: (command: { constructor: { name: string } }) => {
        const name = command.constructor.name.replace(/Command$/, '');
        requests[name] = (requests[name] ?? 0) + 1;
        return ctx.doc.send(command as never);
      },
    } as unknown as TestTable['doc'];
    const counted = { doc, tableName: ctx.tableName };
    const worker = makeAggregator({
      reports: makeReportAggregation({ reports: reportRepository(counted), writer: makeBatchWriter(counted), timeZone: async () => 'Asia/Shanghai', rememberTrails: REMEMBERED_TRAILS }),
      now: () => new Date(),
    });
    const batch = async (events: Ev[]) => {
      const records = events.map(record);
      const res = await worker({ Records: records } as SQSEvent, lambdaContext);
      const failed = new Set(res.batchItemFailures.map((f) => f.itemIdentifier));
      return events.filter((_, i) => failed.has(records[i]!.messageId)).map((e) => e.eventId);
    };
    const reset = () => Object.keys(requests).forEach((k) => delete requests[k]);
    return { batch, requests, reset };
  }

  it("counts a batch's events in two transactions: placements, then the approvals decided on the trails they wrote", async () => {
    const c = containerOver({ doc: table.doc, tableName: table.tableName });
    const orders = Array.from({ length: 20 }, (_, i) => orderEvents(`BAT${i}`, '2026-08-03T02:00:00.000Z'));
    expect(await c.batch(orders.flatMap((o) => [o.placed, o.approved]))).toEqual([]);
    // one transaction per round (an order's approval changes the trail its placement wrote), no reads
    expect(c.requests).toEqual({ TransactWrite: 2 });

    // a new container knows no trail: the batch's orders are read in one request
    const fresh = containerOver({ doc: table.doc, tableName: table.tableName });
    expect(await fresh.batch(orders.map((o) => o.paid))).toEqual([]);
    expect(fresh.requests).toEqual({ BatchGet: 1, TransactWrite: 1 });

    const sales = await report('sales', { from: '2026-08-03', to: '2026-08-03' });
    expect(sales.body.totals).toMatchObject({ orders: 20, units: 40, revenue: 60_000 });
    const times = await report('fulfillment-times', { from: '2026-08-03', to: '2026-08-03' });
    expect(times.body.rows.slice(0, 2)).toEqual([
      expect.objectContaining({ from: 'placed', to: 'approved', count: 20, meanSeconds: 120 }),
      expect.objectContaining({ from: 'approved', to: 'paid', count: 20, meanSeconds: 480 }),
    ]);
  });

  it('counts a redelivered event once, two events of one order in order, and returns an event that overtook its placement to the queue', async () => {
    const c = containerOver({ doc: table.doc, tableName: table.tableName });
    const p = orderEvents('BP1', '2026-08-05T02:00:00.000Z');
    const q = orderEvents('BQ1', '2026-08-05T03:00:00.000Z', { channel: 'app' });
    const r = orderEvents('BR1', '2026-08-05T04:00:00.000Z');
    expect(await c.batch([q.placed])).toEqual([]);
    // Q's placement again (redelivered), P placed and approved, R paid before it was placed
    expect(await c.batch([p.placed, q.placed, r.paid, p.approved, q.approved])).toEqual(['BR1-paid']);
    // the queue hands R's payment back with its placement
    expect(await c.batch([r.placed, r.paid, q.approved])).toEqual([]);
    // a payment ahead of its placement in one batch: the placement is decided first
    const s = orderEvents('BS1', '2026-08-06T02:00:00.000Z');
    expect(await c.batch([s.paid, s.placed])).toEqual([]);
    expect((await report('sales', { from: '2026-08-06', to: '2026-08-06' })).body.totals).toMatchObject({ orders: 1, revenue: 3000 });

    // R's sale (once, though its payment came twice); three orders placed, each counted once
    const sales = await report('sales', { from: '2026-08-05', to: '2026-08-05' });
    expect(sales.body.totals).toMatchObject({ orders: 1, revenue: 3000 });
    const { items } = await reportRepository({ doc: table.doc, tableName: table.tableName }).days('2026-08-05', '2026-08-05');
    const placed = items.reduce((n, i) => n + (i.tally.placed_CNY ?? 0), 0);
    expect(placed).toBe(3);
    const times = await report('fulfillment-times', { from: '2026-08-05', to: '2026-08-05' });
    expect(times.body.rows[0]).toEqual(expect.objectContaining({ from: 'placed', to: 'approved', count: 2, meanSeconds: 120 }));
  });

  it("counts an event decided on a trail another container moved since on the one-event path, and the order's next event after it", async () => {
    const one = containerOver({ doc: table.doc, tableName: table.tableName });
    const two = containerOver({ doc: table.doc, tableName: table.tableName });
    const y = orderEvents('BY1', '2026-08-07T02:00:00.000Z');
    const z = orderEvents('BZ1', '2026-08-07T03:00:00.000Z');
    expect(await one.batch([y.placed, z.placed])).toEqual([]);
    // the other container approves Y: container one's trail of Y is now behind the table
    expect(await two.batch([y.approved])).toEqual([]);
    one.reset();
    expect(await one.batch([y.paid, z.approved, y.payment])).toEqual([]);
    // the batch's first round (Y's sale and Z's approval) cancelled by Y's trail condition and
    // sent again without it; then Y's sale alone (its trail read) and Y's payment after it
    expect(one.requests).toEqual({ TransactWrite: 4, Get: 1 });
    const sales = await report('sales', { from: '2026-08-07', to: '2026-08-07' });
    expect(sales.body.totals).toMatchObject({ orders: 1, units: 2, revenue: 3000 });
    const times = await report('fulfillment-times', { from: '2026-08-07', to: '2026-08-07' });
    expect(times.body.rows.slice(0, 2)).toEqual([
      expect.objectContaining({ from: 'placed', to: 'approved', count: 2, meanSeconds: 120 }),
      expect.objectContaining({ from: 'approved', to: 'paid', count: 1, meanSeconds: 480 }),
    ]);
  });

  it("writes an order's later event of a batch only when its earlier one was written as decided", async () => {
    const one = containerOver({ doc: table.doc, tableName: table.tableName });
    const two = containerOver({ doc: table.doc, tableName: table.tableName });
    const w = orderEvents('BW1', '2026-08-09T02:00:00.000Z');
    const shipped: Ev = { type: 'OrderShipped', eventId: 'BW1-shipped', at: '2026-08-09T03:10:00.000Z', data: status('BW1', 'PAID', 'SHIPPED') };
    expect(await one.batch([w.placed])).toEqual([]);
    // the other container counts the sale: the trail container one remembers is behind
    expect(await two.batch([w.paid])).toEqual([]);
    // the approval fails its trail condition; the shipment, decided on the trail the approval
    // would have written, must not be written over the sale's trail of the same version
    expect(await one.batch([w.approved, shipped])).toEqual([]);
    const times = await report('fulfillment-times', { from: '2026-08-09', to: '2026-08-09' });
    expect(times.body.rows.slice(0, 3)).toEqual([
      expect.objectContaining({ from: 'placed', to: 'approved', count: 1, meanSeconds: 120 }),
      expect.objectContaining({ from: 'approved', to: 'paid', count: 1, meanSeconds: 480 }),
      expect.objectContaining({ from: 'paid', to: 'shipped', count: 1, meanSeconds: 3600 }),
    ]);
  });

  it('counts one batch delivered ten times, out of order and two at a time, exactly once', async () => {
    const own = await createTestTable(inject('dynamoUrl'));
    try {
      const ctx = { doc: own.doc, tableName: own.tableName };
      const orders = ['X1', 'X2', 'X3', 'X4', 'X5', 'X6'].map((id, n) => orderEvents(id, `2026-09-0${n + 1}T10:00:00.000Z`, {
        channel: n % 2 ? 'app' : 'web', lines: [{ sku: 'TEA', quantity: 1 + n, price: 1500, cost: 600 }, { sku: `CUP-${n % 3}`, quantity: 1, price: 2000, cost: 900 }],
      }));
      const events: Ev[] = orders.flatMap((o, n) => [o.placed, o.approved, o.paid, o.payment, ...(n % 2 ? [o.refund(500, `2026-09-0${n + 2}T12:00:00.000Z`)] : [])]);
      // a fixed shuffle per delivery (a small LCG), so a failure can be replayed
      let seed = 7;
      const shuffled = () => {
        const out = [...events];
        for (let i = out.length - 1; i > 0; i--) {
          seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
          const j = seed % (i + 1);
          [out[i], out[j]] = [out[j]!, out[i]!];
        }
        return out;
      };
      const one = containerOver(ctx);
      const two = containerOver(ctx);
      // an event the queue is told is done has been counted: its marker is there
      const counted = async (eventIds: Set<string>) => {
        const seen = await Promise.all(events.filter((e) => eventIds.has(e.eventId)).map((e) =>
          own.doc.send(new GetCommand({ TableName: own.tableName, Key: keys.reportSeen(String(e.data.orderId), e.eventId), ConsistentRead: true }))));
        return seen.filter((r) => r.Item).length;
      };
      let lastFailures: string[][] = [];
      for (let round = 0; round < 5; round++) {
        lastFailures = await Promise.all([one.batch(shuffled()), two.batch(shuffled())]);
        const done = new Set(events.map((e) => e.eventId).filter((id) => !lastFailures[0]!.includes(id) || !lastFailures[1]!.includes(id)));
        expect(await counted(done)).toBe(done.size);
      }
      expect(lastFailures).toEqual([[], []]);

      // the live counters are what counting the history once in memory gives
      const repo = reportRepository(ctx);
      const [days, skus] = await Promise.all([repo.days('2026-09-01', '2026-09-08'), repo.skus('2026-09-01', '2026-09-08')]);
      const history = events.map((e) => reportEventOf(JSON.parse(record(e).body)));
      const once = countAll(history, 'Asia/Shanghai');
      expect(once.counted).toBe(events.length);
      const drifts = compareCounters([...days.items, ...skus.items], once.items.map((i) => ({ day: i.day, ...(i.sku ? { sku: i.sku } : {}), tally: i.add })));
      expect(drifts).toEqual([]);
      expect(days.items.reduce((n, i) => n + (i.tally.orders_CNY ?? 0), 0)).toBe(6);
    } finally {
      await own.drop();
    }
  });
});
