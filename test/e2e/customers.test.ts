import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { call, createProduct, eventually, orderBody, placeOrder, uniqueSku } from './client';

// Customer service at work, over HTTP: a phone order on a customer's behalf, the
// customer's profile and orders, and the staff look-ups.
describe('customers and staff look-up', () => {
  it('a phone order placed by customer service: profile, order list, look-up by number and by filters, notes', async () => {
    const sku = uniqueSku('CUS');
    await createProduct(sku, 50, 2500);
    const email = `phone-${randomUUID().slice(0, 8)}@example.com`;
    const customer = { email, name: 'Wang Fang', phone: '+86 10 5555 0100' };

    const placed = await call('POST', '/orders', { as: 'cs', body: orderBody([{ sku, quantity: 2 }], { channel: 'phone', customer }) });
    expect(placed.status).toBe(202);
    const { orderId, orderNumber } = placed.body;
    expect(orderNumber).toMatch(/^P\d{8}-\d{4,}$/);
    // placed by staff: the storefront does not see it
    expect((await call('GET', `/orders/${orderId}`, { as: 'storefront' })).status).toBe(404);
    const order = (await call('GET', `/orders/${orderId}`, { as: 'cs' })).body;
    expect(order.timeline[0]).toMatchObject({ type: 'ORDER_PLACED', actor: expect.stringMatching(/^cs:/) });

    // a second order from the storefront, same customer with the email in another case
    const second = await placeOrder([{ sku, quantity: 1 }], randomUUID(), { customer: { ...customer, email: email.toUpperCase() } });
    expect(second.status).toBe(202);
    const customerId = order.customer.customerId;
    const secondOrder = (await call('GET', `/orders/${second.body.orderId}`, { as: 'ops' })).body;
    expect(secondOrder.customer.customerId).toBe(customerId);

    const profile = await eventually(
      () => call('GET', `/customers/${customerId}`, { as: 'cs' }),
      (r) => r.status === 200 && r.body.orderCount === 2,
    );
    expect(profile.body).toMatchObject({
      customerId, name: 'Wang Fang', phone: '+86 10 5555 0100', orderCount: 2,
      lifetimeValue: [{ amount: 3 * 2500, currency: 'CNY' }],
      lastOrder: { orderId: second.body.orderId },
    });
    expect((await call('GET', `/customers/${customerId}`, { as: 'storefront' })).status).toBe(403);

    const orders = await call('GET', `/customers/${customerId}/orders?limit=1`, { as: 'cs' });
    expect(orders.body.items.map((o: { orderId: string }) => o.orderId)).toEqual([second.body.orderId]);
    const rest = await call('GET', `/customers/${customerId}/orders?limit=1&cursor=${orders.body.nextCursor}`, { as: 'cs' });
    expect(rest.body.items.map((o: { orderId: string }) => o.orderId)).toEqual([orderId]);

    const byNumber = await call('GET', `/orders/by-number/${orderNumber}`, { as: 'ops' });
    expect(byNumber.status).toBe(200);
    expect(byNumber.body).toMatchObject({ orderId, channel: 'phone' });

    const byEmail = await call('GET', `/orders?customerEmail=${encodeURIComponent(email)}&channel=phone`, { as: 'cs' });
    expect(byEmail.body.items.map((o: { orderId: string }) => o.orderId)).toEqual([orderId]);
    const today = new Date().toISOString().slice(0, 10);
    const byChannel = await call('GET', `/orders?channel=phone&from=${today}&limit=100`, { as: 'admin' });
    expect(byChannel.body.items.map((o: { orderId: string }) => o.orderId)).toContain(orderId);
    const byDate = await call('GET', `/orders?from=${today}&limit=100`, { as: 'ops' });
    expect(byDate.status).toBe(200);
    expect(byDate.body.items.length).toBeGreaterThan(0);

    const note = await call('POST', `/orders/${orderId}/notes`, { as: 'cs', body: { text: 'Customer asked for gift wrapping' } });
    expect(note.status).toBe(201);
    const withNote = (await call('GET', `/orders/${orderId}`, { as: 'cs' })).body;
    expect(withNote.timeline).toContainEqual(expect.objectContaining({ type: 'NOTE', detail: 'Customer asked for gift wrapping', actor: expect.stringMatching(/^cs:/) }));
  });

  it('the same marketplace order imported twice at once is one order', async () => {
    const sku = uniqueSku('MKT');
    await createProduct(sku, 10);
    const externalRef = `JD-${randomUUID().slice(0, 8)}`;
    const body = orderBody([{ sku, quantity: 1 }], { channel: 'marketplace', externalRef });
    const answers = await Promise.all([1, 2, 3].map(() => call('POST', '/orders', { as: 'admin', body })));
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202]);
    expect(new Set(answers.map((a) => a.body.orderId)).size).toBe(1);
  });
});
