import { describe, expect, it } from 'vitest';
import type { Customer } from '../../../shared/domain/customer';
import { ERASED_EMAIL, erasureCompleted, orderErasure, profileErasure, type OrderPersonalItems } from '../../../shared/domain/erasure';
import type { OrderRecord } from '../../../shared/domain/order';

const now = new Date('2026-12-01T08:00:00.000Z');
const customer: Customer = {
  customerId: 'cus_1', email: 'Mei.Lin@example.com', name: 'Mei Lin', phone: '+886 912 345 678', orderCount: 2,
  lifetimeValue: [{ amount: 9000, currency: 'CNY' }], preferences: { language: 'zh-TW' }, tags: ['vip'], returnCount: 0, returnRate: 0,
  version: 3, createdAt: '2026-11-01T00:00:00.000Z', updatedAt: '2026-11-02T00:00:00.000Z',
};
const order = {
  orderId: 'o1', orderNumber: 'W1', status: 'PAID', channel: 'web', customer: { customerId: 'cus_1', email: customer.email, name: 'Mei Lin', phone: customer.phone },
  lines: [{ sku: 'TEA', name: 'Tea', quantity: 1, unitPrice: { amount: 4500, currency: 'CNY' }, lineTotal: { amount: 4500, currency: 'CNY' } }],
  totals: { subtotal: { amount: 4500, currency: 'CNY' }, total: { amount: 4500, currency: 'CNY' } },
  shippingAddress: { name: 'Mei Lin', line1: '1 Road', city: 'Taipei', postalCode: '100', country: 'TW' }, notes: 'leave at door',
  version: 4, createdAt: '2026-11-03T00:00:00.000Z', updatedAt: '2026-11-03T00:00:00.000Z', placedBy: 'storefront:shop',
} as OrderRecord;
const found = (o: Partial<OrderPersonalItems> = {}): OrderPersonalItems => ({ order, phoneLookup: true, returnsWithNote: ['r1'], feedbackComment: true, ...o });
const at = { orderId: 'o1', createdAt: order.createdAt };

describe('erasure decisions', () => {
  it('erases the profile once, deletes the e-mail claim, and announces it without personal data', () => {
    const set = profileErasure(customer, { reason: 'asked by phone', actor: 'admin:u1', now });
    const update = set.changes.find((c) => c.entity === 'customer')!;
    expect(update).toMatchObject({ op: 'update', expect: { equals: { version: 3 } }, set: { name: 'Erased', email: ERASED_EMAIL, version: 4 }, remove: ['phone'] });
    expect(set.changes.find((c) => c.entity === 'customerEmail')).toMatchObject({ op: 'delete', id: [customer.email] });
    expect(set.changes.find((c) => c.entity === 'customerErasure')).toMatchObject({ op: 'put', expect: { exists: false }, item: { status: 'IN_PROGRESS', ordersErased: 0, reason: 'asked by phone' } });
    expect(set.events).toEqual([{ detailType: 'CustomerErased', data: { customerId: 'cus_1', erasedAt: now.toISOString(), actor: 'admin:u1' } }]);
  });

  it("anonymizes an order's personal fields only, once, and moves the marker in the same change", () => {
    const set = orderErasure(at, found(), { customerId: 'cus_1', ordersErased: 5 }, { actor: 'admin:u1', now });
    const update = set.changes.find((c) => c.entity === 'order') as unknown as { set: Record<string, unknown>; expect: unknown; remove: string[] };
    expect(update.expect).toEqual({ exists: true, missing: ['erasedAt'] });
    expect(Object.keys(update.set).sort()).toEqual(['customer', 'erasedAt', 'shippingAddress', 'updatedAt']);
    expect(update.remove).toEqual(['notes']);
    expect(JSON.stringify(update.set)).not.toMatch(/Mei|Lin|912|Road|Taipei/);
    expect(set.changes.map((c) => `${c.op} ${c.entity}`)).toEqual(['update order', 'delete orderPhone', 'update return', 'update feedback', 'update customerErasure']);
    expect(set.changes.at(-1)).toMatchObject({ expect: { equals: { ordersErased: 5 } }, add: { ordersErased: 1 }, set: { position: at } });
    expect(set.timeline).toMatchObject({ type: 'PERSONAL_DATA_ERASED', actor: 'admin:u1' });
  });

  it('only moves the marker past an order already erased or gone, counting nothing', () => {
    for (const f of [found({ order: { ...order, erasedAt: '2026-11-30T00:00:00.000Z' } }), found({ order: undefined })]) {
      const set = orderErasure(at, f, { customerId: 'cus_1', ordersErased: 5 }, { actor: 'admin:u1', now });
      expect(set.changes).toEqual([expect.objectContaining({ entity: 'customerErasure', add: { ordersErased: 0 } })]);
      expect(set.timeline).toBeUndefined();
    }
  });

  it('completes only from the count it read', () => {
    expect(erasureCompleted({ customerId: 'cus_1', ordersErased: 7 }, now).changes[0]).toMatchObject({ expect: { equals: { ordersErased: 7, status: 'IN_PROGRESS' } }, set: { status: 'COMPLETE' } });
  });
});
