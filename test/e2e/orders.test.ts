import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { call, createProduct, getOrder, orderBody, placeOrder, settled, stockOf, uniqueSku } from './client';

describe('placing and reserving orders through the local cloud', () => {
  it('places an order that is reserved and waits for review', async () => {
    const sku = uniqueSku();
    await createProduct(sku, 5, 2500);

    const placed = await placeOrder([{ sku, quantity: 2 }]);
    expect(placed.status).toBe(202);
    expect(placed.body).toMatchObject({ status: 'PENDING' });
    expect(placed.body.orderNumber).toMatch(/^W\d{8}-\d{4,}$/);
    expect(placed.headers.get('location')).toBe(`/orders/${placed.body.orderId}`);

    const order = await settled(placed.body.orderId);
    // reserved: auto-approved under the default workflow settings, or still being reviewed
    expect(['IN_REVIEW', 'AWAITING_PAYMENT']).toContain(order.status);
    expect(order.lines).toEqual([expect.objectContaining({ sku, quantity: 2, unitPrice: { amount: 2500, currency: 'CNY' } })]);
    expect(order.totals.total).toEqual({ amount: 5000, currency: 'CNY' });
    expect(order.timeline.map((t: { type: string }) => t.type)).toEqual(expect.arrayContaining(['ORDER_PLACED', 'STOCK_RESERVED']));
    expect(await stockOf(sku)).toEqual({ sku, onHand: 5, reserved: 2, available: 3 });
  });

  it('50 concurrent single-unit orders for 10 units: exactly 10 reserved, never negative availability', async () => {
    const sku = uniqueSku('RACE');
    await createProduct(sku, 10);

    // A reader samples the stock level for as long as the race runs.
    let racing = true;
    const seen: { onHand: number; reserved: number; available: number }[] = [];
    const reader = (async () => {
      while (racing) seen.push(await stockOf(sku));
    })();

    const placed = await Promise.all(Array.from({ length: 50 }, () => placeOrder([{ sku, quantity: 1 }])));
    expect(placed.map((p) => p.status)).toEqual(Array(50).fill(202));
    const outcomes = await Promise.all(placed.map((p) => settled(p.body.orderId)));
    racing = false;
    await reader;

    const byStatus = (s: string) => outcomes.filter((o) => o.status === s).length;
    expect(byStatus('IN_REVIEW') + byStatus('AWAITING_PAYMENT')).toBe(10);
    expect(byStatus('REJECTED')).toBe(40);
    for (const o of outcomes.filter((x) => x.status === 'REJECTED')) expect(o.rejectionReason).toContain(sku);
    expect(await stockOf(sku)).toEqual({ sku, onHand: 10, reserved: 10, available: 0 });
    expect(seen.length).toBeGreaterThan(0);
    for (const s of seen) {
      expect(s.available).toBeGreaterThanOrEqual(0);
      expect(s.reserved).toBeLessThanOrEqual(s.onHand);
      expect(s.available).toBe(s.onHand - s.reserved);
    }
  });

  it('an order for two SKUs where one is short reserves neither', async () => {
    const plenty = uniqueSku('PLENTY');
    const short = uniqueSku('SHORT');
    await createProduct(plenty, 10);
    await createProduct(short, 1);

    const placed = await placeOrder([
      { sku: plenty, quantity: 3 },
      { sku: short, quantity: 2 },
    ]);
    const order = await settled(placed.body.orderId);
    expect(order.status).toBe('REJECTED');
    expect(order.rejectionReason).toContain(short);
    expect(order.rejectionReason).not.toContain(plenty);
    expect(await stockOf(plenty)).toEqual({ sku: plenty, onHand: 10, reserved: 0, available: 10 });
    expect(await stockOf(short)).toEqual({ sku: short, onHand: 1, reserved: 0, available: 1 });
  });

  it('two lines of the same SKU are checked against their total', async () => {
    const sku = uniqueSku('TWICE');
    await createProduct(sku, 3);
    const placed = await placeOrder([
      { sku, quantity: 2 },
      { sku, quantity: 2 },
    ]);
    expect((await settled(placed.body.orderId)).status).toBe('REJECTED');
    expect(await stockOf(sku)).toEqual({ sku, onHand: 3, reserved: 0, available: 3 });
  });

  it('replaying an Idempotency-Key, also concurrently, yields one order; a different body is 409', async () => {
    const sku = uniqueSku('IDEM');
    await createProduct(sku, 20);
    const key = randomUUID();
    const replies = await Promise.all(Array.from({ length: 8 }, () => placeOrder([{ sku, quantity: 1 }], key)));
    const ids = new Set(replies.map((r) => r.body.orderId));
    expect(replies.map((r) => r.status)).toEqual(Array(8).fill(202));
    expect(ids.size).toBe(1);
    const again = await placeOrder([{ sku, quantity: 1 }], key);
    expect(again.body).toEqual(replies[0]!.body);

    const different = await placeOrder([{ sku, quantity: 2 }], key);
    expect(different.status).toBe(409);
    expect(different.headers.get('content-type')).toContain('application/problem+json');

    await settled(replies[0]!.body.orderId);
    expect(await stockOf(sku)).toMatchObject({ reserved: 1, available: 19 });
  });

  it('prices come from the catalog and unknown SKUs are refused with a problem', async () => {
    const unknown = await placeOrder([{ sku: uniqueSku('NOPE'), quantity: 1 }]);
    expect(unknown.status).toBe(422);
    expect(unknown.headers.get('content-type')).toContain('application/problem+json');

    const sku = uniqueSku('PRICE');
    await createProduct(sku, 1, 1234);
    const withPrice = await call('POST', '/orders', {
      as: 'storefront',
      headers: { 'idempotency-key': randomUUID() },
      body: orderBody([{ sku, quantity: 1, unitPrice: 1 } as never]),
    });
    expect(withPrice.status).toBe(400);
    expect(withPrice.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: expect.stringContaining('lines') })]));
  });

  it('reads the order back by id only for staff or the storefront that placed it', async () => {
    const sku = uniqueSku('READ');
    await createProduct(sku, 1);
    const placed = await placeOrder([{ sku, quantity: 1 }]);
    expect((await getOrder(placed.body.orderId, 'storefront')).status).toBe(200);
    expect((await getOrder(placed.body.orderId, 'cs')).status).toBe(200);
    expect((await getOrder('does-not-exist', 'cs')).status).toBe(404);
  });
});
