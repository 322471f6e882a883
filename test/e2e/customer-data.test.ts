import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { call, createProduct, eventually, placeOrder, settled, uniqueSku } from './client';

// A customer's personal data over HTTP, as customer service and an admin would handle a
// customer's request: the export of everything held, then the erasure.
describe('customer export and erasure', () => {
  it('exports a customer with their orders, then erases them: look-ups by the old e-mail and phone find nothing, the money stays', async () => {
    const sku = uniqueSku('GDPR');
    await createProduct(sku, 20, 1800);
    const email = `forget-${randomUUID().slice(0, 8)}@example.com`;
    const phone = `+86 138 ${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
    const placed = await placeOrder([{ sku, quantity: 2 }], randomUUID(), { customer: { email, name: 'Zhao Lei', phone } });
    expect(placed.status).toBe(202);
    const { orderId } = placed.body;
    const order = await settled(orderId);
    const customerId = order.customer.customerId;

    const exported = await call('GET', `/customers/${customerId}/export`, { as: 'cs' });
    expect(exported.status).toBe(200);
    expect(exported.body).toMatchObject({ complete: true, customer: { customerId, email, name: 'Zhao Lei', phone } });
    expect(exported.body.orders.map((o: { orderId: string }) => o.orderId)).toEqual([orderId]);
    expect((await call('GET', `/customers/${customerId}/export`, { as: 'ops' })).status).toBe(403);

    expect((await call('POST', `/customers/${customerId}/erase`, { as: 'cs', body: { reason: 'asked' } })).status).toBe(403);
    const erased = await call('POST', `/customers/${customerId}/erase`, { as: 'admin', body: { reason: 'The customer asked (ticket 17)' } });
    expect(erased.status).toBe(200);
    expect(erased.body).toMatchObject({ customerId, status: 'COMPLETE', ordersErased: 1, requestedBy: expect.stringMatching(/^admin:/) });

    expect((await call('GET', `/orders?customerEmail=${encodeURIComponent(email)}`, { as: 'cs' })).body.items).toEqual([]);
    expect((await call('GET', `/orders?phone=${encodeURIComponent(phone)}`, { as: 'cs' })).body.items).toEqual([]);
    const after = await eventually(() => call('GET', `/customers/${customerId}/export`, { as: 'admin' }), (r) => r.status === 200);
    expect(after.body.customer).toMatchObject({ name: 'Erased', email: 'erased@erased.invalid' });
    expect(after.body.orders[0]).toMatchObject({ orderId, lines: order.lines, totals: order.totals, customer: { name: 'Erased' } });
    expect(JSON.stringify(after.body)).not.toContain('Zhao Lei');
    expect(JSON.stringify(after.body)).not.toContain(email);
  });
});
