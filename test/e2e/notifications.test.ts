import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { call, createProduct, eventually, getOrder, placeOrder, settled, uniqueSku } from './client';

// Departments hear of the events they must act on: bus rule -> notifications queue ->
// notify worker -> recorded (GET /notifications) and published to the department topic.
const notificationsOf = (department: string) =>
  call('GET', `/notifications?department=${department}&limit=100`, { as: 'ops' }).then((r) => r.body.items as { subject: string; detailType: string }[]);

const heard = (department: string, text: string) =>
  eventually(
    () => notificationsOf(department),
    (items) => items.some((n) => n.subject.includes(text)),
  );

describe('department notifications', () => {
  it('customer service hears of an order rejected for stock', async () => {
    const sku = uniqueSku('NOTE');
    await createProduct(sku, 1);
    const placed = await placeOrder([{ sku, quantity: 2 }]);
    const order = await settled(placed.body.orderId);
    expect(order.status).toBe('REJECTED');
    const items = await heard('customer-service', order.orderNumber);
    expect(items.find((n) => n.subject.includes(order.orderNumber))).toMatchObject({ detailType: 'OrderRejected' });
    expect((await notificationsOf('warehouse')).some((n) => n.subject.includes(order.orderNumber))).toBe(false);
  });

  it('the warehouse hears of an approved order and of stock falling to its reorder point', async () => {
    const sku = uniqueSku('LOW');
    const put = await call('PUT', `/products/${sku}`, {
      as: 'ops',
      body: { name: 'Low stock tea', price: { amount: 900, currency: 'CNY' }, cost: { amount: 400, currency: 'CNY' }, reorderPoint: 5 },
    });
    expect(put.status).toBe(201);
    await call('POST', `/inventory/${sku}/adjustments`, { as: 'ops', body: { delta: 6, reason: 'RECEIVED' } });
    const placed = await placeOrder([{ sku, quantity: 2 }], randomUUID());
    // approved by the review step under the default settings (an ordinary order)
    const order = (await eventually(() => getOrder(placed.body.orderId), (r) => r.body.status === 'AWAITING_PAYMENT')).body;
    await heard('warehouse', order.orderNumber);
    await heard('warehouse', sku);
  });

  it('only staff read notifications, per department', async () => {
    expect((await call('GET', '/notifications?department=warehouse', { as: 'storefront' })).status).toBe(403);
    expect((await call('GET', '/notifications', { as: 'ops' })).status).toBe(400);
  });
});
