import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { makeHandler } from '../../../functions/shipment-progress/shipment-progress';
import { makeHandler as makeCompleteOrders } from '../../../functions/complete-orders/complete-orders';
import { lambdaContext } from '../../support/api-event';
import sqsSample from '../../../events/samples/order-placed.sqs.json';
import changed from '../../../events/samples/shipment-status-changed.eventbridge.json';

const now = () => new Date('2026-11-30T03:00:00.000Z');
const template = (sqsSample as unknown as SQSEvent).Records[0]!;
const withDetail = (statuses: string[]): SQSEvent => ({
  Records: statuses.map((status, i) => ({
    ...template, messageId: `m-${i}`,
    body: JSON.stringify({ ...changed, detail: { ...changed.detail, data: { ...changed.detail.data, status } } }),
  })),
});

describe('shipment-progress', () => {
  it('delivers the shipment named by a DELIVERED report, with the carrier time and the event id as causation', async () => {
    const calls: unknown[] = [];
    const handler = makeHandler({ outbound: { delivered: async (...args) => (calls.push(args), { outcome: 'delivered' }) }, now });
    expect(await handler(withDetail(['DELIVERED']), lambdaContext)).toEqual({ batchItemFailures: [] });
    const { data, metadata } = changed.detail;
    expect(calls).toEqual([[data.orderId, data.shipmentId, data.at, { causationId: metadata.eventId, now: now() }]]);
  });

  it('acts on nothing but DELIVERED', async () => {
    const calls: unknown[] = [];
    const handler = makeHandler({ outbound: { delivered: async (...args) => (calls.push(args), { outcome: 'delivered' }) }, now });
    expect(await handler(withDetail(['IN_TRANSIT', 'EXCEPTION', 'DELIVERY_FAILED']), lambdaContext)).toEqual({ batchItemFailures: [] });
    expect(calls).toEqual([]);
  });

  it('a failing delivery is retried by the queue (a batch item failure), the others are acknowledged', async () => {
    let n = 0;
    const handler = makeHandler({
      outbound: { delivered: async () => { if (n++ === 0) throw new Error('throttled'); return { outcome: 'delivered' }; } },
      now,
    });
    expect(await handler(withDetail(['DELIVERED', 'DELIVERED']), lambdaContext)).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-0' }] });
  });
});

describe('complete-orders', () => {
  it('runs one completion pass at the time of the run', async () => {
    const seen: unknown[] = [];
    const run = makeCompleteOrders({ outbound: { completeDue: async (o) => (seen.push(o), { completed: 2, skipped: 1 }) }, now });
    expect(await run()).toEqual({ completed: 2, skipped: 1 });
    expect(seen).toEqual([{ causationId: `complete-orders:${now().toISOString()}`, now: now() }]);
  });
});
