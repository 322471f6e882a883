import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BusinessRuleError } from '../../../shared/domain/errors';
import { customerIdFor, MAX_LINES, newOrder, PlaceOrderRequest, priceOrder } from '../../../shared/domain/order';
import type { CatalogView } from '../../../shared/domain/product';
import { orderRequest } from '../../support/fixtures';

const catalog: CatalogView = new Map([
  ['TEA', { sku: 'TEA', name: 'Tea', price: { amount: 4900, currency: 'CNY' } }],
  ['CUP', { sku: 'CUP', name: 'Cup', price: { amount: 12800, currency: 'CNY' } }],
  ['MUG-USD', { sku: 'MUG-USD', name: 'Mug', price: { amount: 1500, currency: 'USD' } }],
]);

const errorOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e as BusinessRuleError;
  }
  throw new Error('expected an error');
};

describe('pricing an order', () => {
  it('takes prices from the catalog and totals the lines', () => {
    const priced = priceOrder(orderRequest([{ sku: 'TEA', quantity: 2 }, { sku: 'CUP', quantity: 1 }]), catalog);
    expect(priced.lines).toEqual([
      { sku: 'TEA', name: 'Tea', quantity: 2, unitPrice: { amount: 4900, currency: 'CNY' }, lineTotal: { amount: 9800, currency: 'CNY' } },
      { sku: 'CUP', name: 'Cup', quantity: 1, unitPrice: { amount: 12800, currency: 'CNY' }, lineTotal: { amount: 12800, currency: 'CNY' } },
    ]);
    expect(priced.totals).toEqual({ subtotal: { amount: 22600, currency: 'CNY' }, total: { amount: 22600, currency: 'CNY' } });
  });

  it('totals equal the sum of quantity x unit price for any lines', () => {
    const line = fc.record({ sku: fc.constantFrom('TEA', 'CUP'), quantity: fc.integer({ min: 1, max: 10_000 }) });
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 100 }), (lines) => {
        const { totals } = priceOrder({ lines }, catalog);
        const expected = lines.reduce((a, l) => a + l.quantity * catalog.get(l.sku)!.price.amount, 0);
        expect(totals.total).toEqual({ amount: expected, currency: 'CNY' });
      }),
    );
  });

  it('names every unknown SKU (422)', () => {
    const err = errorOf(() => priceOrder({ lines: [{ sku: 'X', quantity: 1 }, { sku: 'TEA', quantity: 1 }, { sku: 'Y', quantity: 1 }, { sku: 'X', quantity: 2 }] }, catalog));
    expect(err).toBeInstanceOf(BusinessRuleError);
    expect(err.status).toBe(422);
    expect(err.extensions).toEqual({ skus: ['X', 'Y'] });
  });

  it('refuses products priced in different currencies (422)', () => {
    const err = errorOf(() => priceOrder({ lines: [{ sku: 'TEA', quantity: 1 }, { sku: 'MUG-USD', quantity: 1 }] }, catalog));
    expect(err.slug).toBe('currency-mismatch');
    expect(err.extensions).toEqual({ currencies: { CNY: ['TEA'], USD: ['MUG-USD'] } });
  });

  it('prices an order of 100 different SKUs; a 101st line is refused by the request schema', () => {
    const big: CatalogView = new Map(
      Array.from({ length: MAX_LINES + 1 }, (_, i) => [`S${i}`, { sku: `S${i}`, name: 'x', price: { amount: 1, currency: 'CNY' } }]),
    );
    const lines = [...big.keys()].map((sku) => ({ sku, quantity: 1 }));
    expect(priceOrder({ lines: lines.slice(0, MAX_LINES) }, big).totals.total).toEqual({ amount: MAX_LINES, currency: 'CNY' });
    expect(PlaceOrderRequest.safeParse(orderRequest(lines.slice(0, MAX_LINES))).success).toBe(true);
    expect(PlaceOrderRequest.safeParse(orderRequest(lines)).success).toBe(false);
  });
});

describe('a new order', () => {
  it('starts PENDING at version 1 with a customer id stable per email', () => {
    const request = orderRequest([{ sku: 'TEA', quantity: 1 }]);
    const now = new Date('2026-11-27T03:00:00.000Z');
    const order = newOrder(request, priceOrder(request, catalog), { orderId: 'O1', orderNumber: 'W20261127-0001', placedBy: 'shop', now });
    expect(order).toMatchObject({ status: 'PENDING', version: 1, createdAt: now.toISOString(), placedBy: 'shop' });
    expect(order.customer.customerId).toBe(customerIdFor(' Li.Wei@Example.com'));
  });
});
