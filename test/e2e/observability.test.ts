import { describe, expect, it } from 'vitest';
import { call, createProduct, eventually, placeOrder, uniqueSku } from './client';

// Business metrics on the running local cloud: the functions write EMF lines, as in
// Lambda, and GET /_local/metrics answers with what they recorded.

interface Summary { namespace: string; name: string; unit: string; samples: number; sum: number; p99: number }
interface Point { name: string; value: number; function: string; namespace: string; at: string }

const metrics = (since: string) =>
  call<{ metrics: Summary[]; points: Point[] }>('GET', `/_local/metrics?since=${encodeURIComponent(since)}&points=true`).then((r) => r.body);

describe('metrics', () => {
  it('an order placed and reserved is counted, with its placed-to-reserved latency, in the stage namespace', async () => {
    const since = new Date().toISOString();
    const sku = uniqueSku('METRIC');
    await createProduct(sku, 5);
    const placed = await placeOrder([{ sku, quantity: 1 }]);
    expect(placed.status).toBe(202);

    const seen = await eventually(() => metrics(since), (m) => m.points.some((p) => p.name === 'PlacedToReserved'));
    const placedCount = seen.points.filter((p) => p.name === 'OrdersPlaced');
    expect(placedCount.length).toBeGreaterThanOrEqual(1);
    expect(placedCount[0]).toMatchObject({ namespace: 'OMS/dev', value: 1 });
    expect(placedCount[0]!.function).toContain('PlaceOrder');
    const latency = seen.points.find((p) => p.name === 'PlacedToReserved')!;
    expect(latency.value).toBeGreaterThanOrEqual(0);
    expect(latency.value).toBeLessThan(30_000);
    expect(seen.metrics.find((m) => m.name === 'PlacedToReserved')).toMatchObject({ unit: 'Milliseconds', namespace: 'OMS/dev' });
  });

  it('an order for more than the stock is counted as rejected for stock', async () => {
    const since = new Date().toISOString();
    const sku = uniqueSku('METRIC');
    await createProduct(sku, 1);
    expect((await placeOrder([{ sku, quantity: 3 }])).status).toBe(202);
    const seen = await eventually(() => metrics(since), (m) => m.points.some((p) => p.name === 'OrdersRejectedForStock'));
    expect(seen.metrics.find((m) => m.name === 'OrdersRejectedForStock')!.sum).toBeGreaterThanOrEqual(1);
  });
});
