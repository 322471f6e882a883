import { describe, expect, it } from 'vitest';
import { ListQuery, PlaceOrderBody, PutProductRequest } from '../../../shared/api/schemas';
import { fieldErrors } from '../../../shared/middleware/http';
import { COUNTRY_CODES } from '../../../shared/domain/country-codes';
import sample from '../../../events/samples/place-order.json';
import productSample from '../../../events/samples/put-product.json';
import adjustmentSample from '../../../events/samples/stock-adjustment.json';
import { AdjustmentRequest } from '../../../shared/api/schemas';

const errors = (schema: { safeParse(v: unknown): { success: boolean; error?: unknown } }, value: unknown) => {
  const r = schema.safeParse(value);
  return r.success ? [] : fieldErrors('body', r.error as never);
};

describe('request schemas', () => {
  it('accept the samples', () => {
    expect(errors(PlaceOrderBody, sample)).toEqual([]);
    expect(errors(PutProductRequest, productSample)).toEqual([]);
    expect(errors(AdjustmentRequest, adjustmentSample)).toEqual([]);
  });

  it('reject unknown fields at any depth, naming each', () => {
    const body = {
      ...sample,
      discount: 10,
      customer: { ...sample.customer, vip: true },
      lines: [{ ...sample.lines[0], unitPrice: { amount: 1, currency: 'CNY' } }],
    };
    expect(errors(PlaceOrderBody, body)).toEqual(
      expect.arrayContaining([
        { path: 'body.discount', message: 'is not allowed' },
        { path: 'body.customer.vip', message: 'is not allowed' },
        { path: 'body.lines.0.unitPrice', message: 'is not allowed' },
      ]),
    );
  });

  it('reject bad types and ranges with field paths', () => {
    const body = {
      ...sample,
      channel: 'fax',
      customer: { ...sample.customer, email: 'not-an-email' },
      lines: [{ sku: 'TEA', quantity: 0 }, { sku: 'CUP', quantity: '2' }],
      shippingAddress: { ...sample.shippingAddress, country: 'China' },
    };
    const paths = errors(PlaceOrderBody, body).map((e) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining(['body.channel', 'body.customer.email', 'body.lines.0.quantity', 'body.lines.1.quantity', 'body.shippingAddress.country']),
    );
  });

  it('limit lines to 1..100 and quantities to 1..10000', () => {
    expect(errors(PlaceOrderBody, { ...sample, lines: [] }).map((e) => e.path)).toEqual(['body.lines']);
    const many = Array.from({ length: 101 }, () => ({ sku: 'TEA', quantity: 1 }));
    expect(errors(PlaceOrderBody, { ...sample, lines: many }).map((e) => e.path)).toEqual(['body.lines']);
    expect(errors(PlaceOrderBody, { ...sample, lines: [{ sku: 'TEA', quantity: 10_001 }] }).map((e) => e.path)).toEqual(['body.lines.0.quantity']);
  });

  it('accept only real ISO country codes', () => {
    const withCountry = (country: string) => ({ ...sample, shippingAddress: { ...sample.shippingAddress, country } });
    expect(errors(PlaceOrderBody, withCountry('DE'))).toEqual([]);
    expect(errors(PlaceOrderBody, withCountry('ZZ'))).not.toEqual([]);
    expect(errors(PlaceOrderBody, withCountry('cn'))).not.toEqual([]);
    // assigned today, including the newest (South Sudan, 2011) and Kosovo's common XK
    for (const country of ['GB', 'CN', 'US', 'SS', 'BQ', 'XK']) expect(errors(PlaceOrderBody, withCountry(country))).toEqual([]);
    // former codes and reservations that are not countries an order ships to
    for (const country of ['UK', 'SU', 'YU', 'EU', 'UN', 'AN']) {
      expect(errors(PlaceOrderBody, withCountry(country)).map((e) => e.path)).toEqual(['body.shippingAddress.country']);
    }
  });

  it('know every ISO 3166-1 code the runtime names as a region', () => {
    // ICU's region list is a superset (historical and reserved codes); every code kept must be in it
    const regions = new Intl.DisplayNames(['en'], { type: 'region' });
    expect(COUNTRY_CODES.size).toBe(250);
    for (const code of COUNTRY_CODES) expect(regions.of(code), code).not.toBe(code);
  });

  it('coerce and bound list query parameters', () => {
    expect(ListQuery.parse({})).toEqual({ limit: 50 });
    expect(ListQuery.parse({ limit: '10', cursor: 'abc' })).toEqual({ limit: 10, cursor: 'abc' });
    expect(ListQuery.safeParse({ limit: '0' }).success).toBe(false);
    expect(ListQuery.safeParse({ limit: '101' }).success).toBe(false);
    expect(ListQuery.safeParse({ sort: 'name' }).success).toBe(false);
  });
});
