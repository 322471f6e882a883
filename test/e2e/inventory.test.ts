import { describe, expect, it } from 'vitest';
import { call, createProduct, eventually, placeOrder, settled, uniqueSku } from './client';

type Level = { locationId: string; onHand: number; reserved: number; available: number };

describe('inventory through the local cloud', () => {
  it('reserves an order at the first location by priority that covers it whole, and the ledger shows every movement', async () => {
    const locationId = uniqueSku('WH');
    const put = await call('PUT', `/locations/${locationId}`, { as: 'ops', body: { name: 'Second warehouse', priority: 2 } });
    expect(put.status).toBe(201);
    const locations = await call('GET', '/locations', { as: 'admin' });
    expect(locations.body.items[0]).toMatchObject({ locationId: 'MAIN', priority: 1 });
    expect(locations.body.items).toContainEqual({ locationId, name: 'Second warehouse', priority: 2 });
    expect((await call('GET', '/locations', { as: 'storefront' })).status).toBe(403);

    const sku = uniqueSku('LOC');
    await createProduct(sku, 3);
    const received = await call('POST', `/inventory/${sku}/adjustments`, {
      as: 'ops', body: { delta: 10, reason: 'RECEIVED', locationId, note: 'PO 7' },
    });
    expect(received.status).toBe(201);
    expect(received.body).toEqual({ sku, onHand: 13, reserved: 0, available: 13 });

    // MAIN (priority 1) holds 3: an order for 5 ships whole from the second warehouse
    const big = await placeOrder([{ sku, quantity: 5 }]);
    expect((await settled(big.body.orderId)).status).not.toBe('REJECTED');
    // and an order for 2 from MAIN
    const small = await placeOrder([{ sku, quantity: 2 }]);
    expect((await settled(small.body.orderId)).status).not.toBe('REJECTED');

    const level = (await call('GET', `/inventory/${sku}`, { as: 'cs' })).body;
    expect(level).toMatchObject({ sku, onHand: 13, reserved: 7, available: 6 });
    const at = (id: string) => level.locations.find((l: Level) => l.locationId === id);
    expect(at('MAIN')).toEqual({ locationId: 'MAIN', onHand: 3, reserved: 2, available: 1 });
    expect(at(locationId)).toEqual({ locationId, onHand: 10, reserved: 5, available: 5 });

    const ledger = await call('GET', `/inventory/${sku}/ledger?limit=10`, { as: 'cs' });
    expect(ledger.status).toBe(200);
    expect(ledger.body.items.map((e: { movement: string; locationId: string; quantity: number; cause: { orderId?: string } }) =>
      [e.movement, e.locationId, e.quantity, e.cause.orderId])).toEqual([
      ['RESERVE', 'MAIN', 2, small.body.orderId],
      ['RESERVE', locationId, 5, big.body.orderId],
      ['ADJUSTMENT', locationId, 10, undefined],
      ['ADJUSTMENT', 'MAIN', 3, undefined],
    ]);
    expect(ledger.body.items[2].cause).toMatchObject({ reason: 'RECEIVED', note: 'PO 7' });
    const page = await call('GET', `/inventory/${sku}/ledger?limit=3`, { as: 'ops' });
    const rest = await call('GET', `/inventory/${sku}/ledger?limit=3&cursor=${page.body.nextCursor}`, { as: 'ops' });
    expect(rest.body.items.map((e: { movement: string }) => e.movement)).toEqual(['ADJUSTMENT']);
  });

  it('lists a product under ?below=reorderPoint once orders take it to its reorder point, with a suggested quantity', async () => {
    const sku = uniqueSku('LOW');
    const put = await call('PUT', `/products/${sku}`, {
      as: 'ops',
      body: { name: 'Oolong, 100 g', price: { amount: 3900, currency: 'CNY' }, cost: { amount: 1500, currency: 'CNY' }, reorderPoint: 5, leadTimeDays: 14, safetyStock: 4 },
    });
    expect(put.status).toBe(201);
    await call('POST', `/inventory/${sku}/adjustments`, { as: 'ops', body: { delta: 12, reason: 'RECEIVED' } });
    const below = async () => (await call('GET', '/inventory?below=reorderPoint&limit=100', { as: 'ops' })).body.items as { sku: string }[];
    expect((await below()).map((i) => i.sku)).not.toContain(sku);

    const order = await placeOrder([{ sku, quantity: 8 }]);
    expect((await settled(order.body.orderId)).status).not.toBe('REJECTED');

    const items = await eventually(below, (list) => list.some((i) => i.sku === sku));
    const item = items.find((i) => i.sku === sku);
    // 8 units over the 28-day window: ceil(8/28*14) = 4 for the lead time, + 4 safety - position 4 = 4; lifting above the point needs 2
    expect(item).toMatchObject({ sku, available: 4, reorderPoint: 5, leadTimeDays: 14, safetyStock: 4, position: 4, suggestedQuantity: 4 });

    // receiving the suggestion lifts it off the list
    await call('POST', `/inventory/${sku}/adjustments`, { as: 'ops', body: { delta: 4, reason: 'RECEIVED' } });
    expect((await below()).map((i) => i.sku)).not.toContain(sku);
  });

  it('the scheduled reconciliation finds reserved stock explained by live reservations', async () => {
    const run = await call('POST', '/_local/schedules/reconcile-stock/run');
    expect(run.status).toBe(200);
    expect(run.body.results[0]).toMatchObject({ ok: true, result: { drifts: 0 } });
    expect(run.body.results[0].result.skus).toBeGreaterThan(0);
  });
});
