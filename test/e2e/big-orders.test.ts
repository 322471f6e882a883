import { describe, expect, it } from 'vitest';
import { call, createProduct, placeOrder, settled, stockOf, uniqueSku } from './client';

// Orders of 100 lines through the local cloud: the HTTP API, the reservations queue
// and the deployed reserve-stock bundle, the staff cancel, GET /inventory.

async function products(count: number, onHand: number): Promise<string[]> {
  const prefix = uniqueSku('HUNDRED');
  const skus = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  for (let i = 0; i < skus.length; i += 10) await Promise.all(skus.slice(i, i + 10).map((sku) => createProduct(sku, onHand, 100)));
  return skus;
}

const levels = async (skus: readonly string[]) => {
  const out = [];
  for (let i = 0; i < skus.length; i += 20) out.push(...(await Promise.all(skus.slice(i, i + 20).map(stockOf))));
  return out;
};

describe('orders of 100 lines through the local cloud', () => {
  it('a 100-line order is reserved in full and a cancel gives every unit back; 101 lines are refused', async () => {
    const skus = await products(101, 3);

    const tooMany = await placeOrder(skus.map((sku) => ({ sku, quantity: 1 })));
    expect(tooMany.status).toBe(400);
    expect(tooMany.headers.get('content-type')).toBe('application/problem+json');

    const placed = await placeOrder(skus.slice(0, 100).map((sku) => ({ sku, quantity: 2 })));
    expect(placed.status).toBe(202);
    const order = await settled(placed.body.orderId);
    expect(['IN_REVIEW', 'AWAITING_PAYMENT']).toContain(order.status);
    expect(order.reservations).toHaveLength(100);
    for (const level of await levels(skus.slice(0, 100))) expect(level).toMatchObject({ onHand: 3, reserved: 2, available: 1 });
    expect(await stockOf(skus[100]!)).toMatchObject({ reserved: 0 });

    const cancelled = await call('POST', `/orders/${placed.body.orderId}/cancel`, { as: 'cs', body: { reason: 'Customer called' } });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'CANCELLED' });
    for (const level of await levels(skus.slice(0, 100))) expect(level).toMatchObject({ onHand: 3, reserved: 0, available: 3 });
  });
});
