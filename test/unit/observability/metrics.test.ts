import type { SQSEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// the stage's namespace, as the CDK app sets it on every function
vi.hoisted(() => {
  process.env.POWERTOOLS_METRICS_NAMESPACE = 'OMS/test';
});

const { makeHandler: placeOrderHandler } = await import('../../../functions/place-order/place-order');
const { makeHandler: reserveStockHandler } = await import('../../../functions/reserve-stock/reserve-stock');
const { apiEvent, lambdaContext, TOKENS } = await import('../../support/api-event');

let out: string[] = [];
beforeEach(() => {
  out = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (out.push(...String(chunk).split('\n').filter(Boolean)), true));
});
afterEach(() => vi.restoreAllMocks());

interface Emf { _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] }; [k: string]: unknown }
const emfLines = () => out.filter((l) => l.includes('"_aws"')).map((l) => JSON.parse(l) as Emf);

const NOW = new Date('2026-12-01T03:00:00.000Z');

const message = (id: string, orderId: string): SQSEvent['Records'][number] => ({
  messageId: id, receiptHandle: 'rh', attributes: {} as never, messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:q', awsRegion: 'us-east-1',
  body: JSON.stringify({
    id, 'detail-type': 'OrderPlaced', source: 'oms.orders',
    detail: { metadata: { eventId: id, occurredAt: NOW.toISOString(), correlationId: orderId, causationId: 'r', schemaVersion: 1 }, data: { orderId, orderNumber: `N-${orderId}` } },
  }),
});

describe('business metrics (EMF)', () => {
  it('a placed order is counted once, in the stage namespace; a replayed request is not counted again', async () => {
    let replayed = false;
    const handler = placeOrderHandler({
      orders: {
        readForPlacement: async () => ({ products: new Map([['TEA-1', { sku: 'TEA-1', name: 'Tea', price: { amount: 1000, currency: 'CNY' }, active: true }]]) }) as never,
        nextOrderSequence: async () => 1,
        create: async () => ({ response: { statusCode: 202, body: {} }, replayed }),
      },
      now: () => NOW,
    });
    const place = () => handler(apiEvent({
      routeKey: 'POST /orders', claims: TOKENS.storefront, headers: { 'idempotency-key': 'k1' },
      body: { channel: 'web', customer: { email: 'a@example.com', name: 'A' }, lines: [{ sku: 'TEA-1', quantity: 1 }], shippingAddress: { name: 'A', line1: 'x', city: 'y', postalCode: '1', country: 'CN' } },
    }), lambdaContext);

    expect((await place()).statusCode).toBe(202);
    replayed = true;
    expect((await place()).statusCode).toBe(202);

    const lines = emfLines();
    expect(lines).toHaveLength(1);
    expect(lines[0]!._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'OMS/test', Dimensions: [['service']], Metrics: [{ Name: 'OrdersPlaced', Unit: 'Count' }] });
    expect(lines[0]).toMatchObject({ service: 'oms', OrdersPlaced: 1 });
  });

  it('a batch writes one line: stock rejections counted, placed-to-reserved latency per reserved order', async () => {
    const handler = reserveStockHandler({
      orders: {
        reserve: async (orderId) => orderId === 'SHORT'
          ? { outcome: 'rejected', shortages: [{ sku: 'TEA-1', requested: 2, available: 1 }] }
          : { outcome: 'reserved', reservations: [], reorderCheck: [], placedAt: new Date(NOW.getTime() - (orderId === 'A' ? 1500 : 500)).toISOString() },
      },
      now: () => NOW,
    });
    const res = await handler({ Records: [message('m1', 'A'), message('m2', 'SHORT'), message('m3', 'B')] }, lambdaContext);

    expect(res.batchItemFailures).toEqual([]);
    const lines = emfLines();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ OrdersRejectedForStock: 1 });
    expect([...(lines[0]!.PlacedToReserved as number[])].sort()).toEqual([1500, 500].sort());
    expect(lines[0]!._aws.CloudWatchMetrics[0]!.Metrics).toEqual(expect.arrayContaining([{ Name: 'PlacedToReserved', Unit: 'Milliseconds' }]));
  });

  it('an invocation that concluded nothing writes no metrics line', async () => {
    const handler = reserveStockHandler({ orders: { reserve: async () => ({ outcome: 'skipped', status: 'PAID' }) }, now: () => NOW });
    await handler({ Records: [message('m1', 'A')] }, lambdaContext);
    expect(emfLines()).toEqual([]);
    expect(out.join('\n')).not.toContain('No application metrics');
  });
});
