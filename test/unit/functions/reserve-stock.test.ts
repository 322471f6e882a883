import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { makeHandler } from '../../../functions/reserve-stock/reserve-stock';
import { lambdaContext } from '../../support/api-event';
import sqsSample from '../../../events/samples/order-placed.sqs.json';
import cancelled from '../../../events/samples/order-cancelled.eventbridge.json';
import shipped from '../../../events/samples/order-shipped.eventbridge.json';

const now = () => new Date('2026-11-27T03:00:00.000Z');
const sample = sqsSample as unknown as SQSEvent;

function withRecords(bodies: string[]): SQSEvent {
  const template = sample.Records[0]!;
  return { Records: bodies.map((body, i) => ({ ...template, messageId: `m-${i}`, body })) };
}

describe('reserve-stock', () => {
  it('reserves for the order named in the OrderPlaced event, with the event id as causation', async () => {
    const calls: [string, string][] = [];
    const handler = makeHandler({
      orders: { reserve: async (orderId, causationId) => (calls.push([orderId, causationId]), { outcome: 'reserved', reservations: [], reorderCheck: [] }) },
      now,
    });
    expect(await handler(sample, lambdaContext)).toEqual({ batchItemFailures: [] });
    expect(calls).toEqual([['01KB2Y8Z1S0000000000000000', '01KB2Y8Z1T0000000000000000']]);
  });

  it('hands the use case the order as OrderPlaced describes it (PENDING at version 1), and nothing for other events', async () => {
    const given: unknown[] = [];
    const handler = makeHandler({
      orders: { reserve: async (_orderId, _causationId, _now, placed) => (given.push(placed), { outcome: 'skipped', status: 'IN_REVIEW' }) },
      now,
    });
    const placedBody = JSON.parse(sample.Records[0]!.body);
    const { lines: _lines, ...withoutLines } = placedBody.detail.data;
    const incomplete = { ...placedBody, detail: { ...placedBody.detail, data: withoutLines } };
    await handler(withRecords([sample.Records[0]!.body, JSON.stringify(cancelled), JSON.stringify(incomplete)]), lambdaContext);
    const data = placedBody.detail.data;
    expect(given).toEqual([
      {
        orderId: data.orderId, orderNumber: data.orderNumber, status: 'PENDING', version: 1, createdAt: data.placedAt, channel: data.channel,
        lines: data.lines.map(({ sku, quantity }: { sku: string; quantity: number }) => ({ sku, quantity })),
        totals: { total: data.totals.total }, customer: { customerId: data.customerId },
        ...(data.shippingCountry ? { shippingAddress: { country: data.shippingCountry } } : {}),
      },
      undefined,
      // an OrderPlaced without what the reservation needs: the order is read
      undefined,
    ]);
  });

  it('re-evaluates the reorder flag of each reserved SKU that may need it, and a failing follow-up does not redeliver the order', async () => {
    const synced: string[] = [];
    const handler = makeHandler({
      orders: {
        reserve: async () => ({
          outcome: 'reserved', reservations: [{ sku: 'A', quantity: 1 }, { sku: 'B', quantity: 2 }, { sku: 'NO-REORDER-POINT', quantity: 1 }], reorderCheck: ['A', 'B'],
        }),
      },
      stock: {
        syncReorderFlags: async (skus) =>
          Promise.allSettled(skus.map(async (sku) => {
            synced.push(sku);
            if (sku === 'A') throw new Error('throttled');
            return 'raised' as const;
          })),
      },
      now,
    });
    expect(await handler(sample, lambdaContext)).toEqual({ batchItemFailures: [] });
    expect(synced).toEqual(['A', 'B']);
  });

  it('returns only the failed messages for redelivery', async () => {
    const good = sample.Records[0]!.body;
    const wrongType = JSON.stringify({ ...JSON.parse(good), 'detail-type': 'OrderApproved' });
    const badDetail = JSON.stringify({ ...JSON.parse(good), detail: { metadata: {}, data: {} } });
    const failing = JSON.parse(good);
    failing.detail.data.orderId = 'FAILS';
    const handler = makeHandler({
      orders: {
        reserve: async (orderId) => {
          if (orderId === 'FAILS') throw new Error('throttled');
          return { outcome: 'skipped', status: 'IN_REVIEW' };
        },
      },
      now,
    });
    const res = await handler(withRecords([good, 'not json', wrongType, badDetail, JSON.stringify(failing), good]), lambdaContext);
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }, { itemIdentifier: 'm-2' }, { itemIdentifier: 'm-3' }, { itemIdentifier: 'm-4' }]);
  });

  it('hands an order that left or shipped to the same use case, which ends what it may still hold', async () => {
    const calls: string[] = [];
    const handler = makeHandler({
      orders: { reserve: async (orderId) => (calls.push(orderId), { outcome: 'skipped', status: 'CANCELLED' }) },
      now,
    });
    expect(await handler(withRecords([JSON.stringify(cancelled), JSON.stringify(shipped)]), lambdaContext)).toEqual({ batchItemFailures: [] });
    expect(calls).toEqual([cancelled.detail.data.orderId, shipped.detail.data.orderId]);
  });
});
