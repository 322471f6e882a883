import { beforeAll, describe, expect, it } from 'vitest';
import { buildDefines } from '../../../scripts/build-console';
import { actionsFor } from '../../../console/src/order-actions';
import type { OrderStory } from '../../../console/src/types';

// The order page's buttons: what the role may call (the route table, as the build hands it
// to the app) and what the order's status allows (the domain's transition table).

beforeAll(() => {
  (globalThis as Record<string, unknown>).OMS_ROUTES = JSON.parse(buildDefines().OMS_ROUTES!);
});

const cny = (amount: number) => ({ amount, currency: 'CNY' });
function order(status: OrderStory['status'], changes: Partial<OrderStory> = {}): OrderStory {
  return {
    status, lines: [{ sku: 'TEA-1', name: 'Tea', quantity: 2, unitPrice: cny(1000) }], payments: [], refunds: [],
    money: { paid: cny(0), refunded: cny(0), balance: cny(0) }, ...changes,
  } as unknown as OrderStory;
}
const paid = { money: { paid: cny(2000), refunded: cny(0), balance: cny(2000) } };

describe('the actions the order page offers', () => {
  it('customer service may note and cancel an order in review, but not refund or ship it', () => {
    expect(actionsFor(order('IN_REVIEW'), ['cs'])).toEqual(['note', 'cancel']);
  });

  it('finance refunds a paid order and does nothing else to it', () => {
    expect(actionsFor(order('PAID', paid), ['finance'])).toEqual(['refund']);
  });

  it('ops starts fulfilment of a paid order; it cannot cancel or refund', () => {
    expect(actionsFor(order('PAID', paid), ['ops'])).toEqual(['note', 'fulfil']);
  });

  it('an order awaiting payment is fulfilled before payment only when it is cash on delivery', () => {
    expect(actionsFor(order('AWAITING_PAYMENT'), ['ops'])).toEqual(['note']);
    const cod = { payments: [{ method: 'cod', status: 'PENDING' }] } as unknown as Partial<OrderStory>;
    expect(actionsFor(order('AWAITING_PAYMENT', cod), ['ops'])).toEqual(['note', 'fulfil']);
  });

  it('a shipped order is not cancelled; a delivered one may be returned by customer service', () => {
    expect(actionsFor(order('SHIPPED', paid), ['cs', 'admin'])).not.toContain('cancel');
    expect(actionsFor(order('DELIVERED', paid), ['cs'])).toEqual(['note', 'return']);
  });

  it('a packed fulfilment can be shipped by ops', () => {
    const outbound = {
      lines: [{ sku: 'TEA-1', name: 'Tea', ordered: 2, allocated: 2, picked: 2, shipped: 0, delivered: 0, returned: 0 }],
      fulfilments: [{ fulfillmentId: 'ful_1', status: 'PACKED' }], shipments: [],
    } as unknown as OrderStory['outbound'];
    expect(actionsFor(order('FULFILLING', { ...paid, outbound }), ['ops'])).toEqual(['note', 'ship']);
  });
});
