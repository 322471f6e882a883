import * as z from 'zod';
import { Money } from './money';
import { BusinessRuleError } from './errors';
import { humanText } from './text';
import { lazySchema } from './lazy-schema';

// SKUs travel in URLs and inside storage keys, so they are kept to a safe alphabet
// (no '#', '/', spaces).
export const Sku = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1-64 letters, digits, ".", "_" or "-"');
export type Sku = z.infer<typeof Sku>;

export const ProductInput = lazySchema(() =>
  z.strictObject({
    name: humanText({ max: 200 }),
    price: Money,
    cost: Money,
    reorderPoint: z.int().min(0).max(1_000_000_000).optional(),
    leadTimeDays: z.int().min(0).max(365).optional(),
    safetyStock: z.int().min(0).max(1_000_000_000).optional(),
  }),
);
export type ProductInput = z.infer<typeof ProductInput>;

/** Ratings of delivered orders: how many, and their average (two decimals). */
export const RatingSummary = lazySchema(() =>
  z.object({ count: z.int().min(0), average: z.number().min(1).max(5) }),
);
export type RatingSummary = z.infer<typeof RatingSummary>;

export const Product = lazySchema(() =>
  ProductInput.unwrap().extend({
    sku: Sku,
    /** customers' ratings of the delivered orders that carried it (counted once per order) */
    feedback: RatingSummary.optional(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  }),
);
export type Product = z.infer<typeof Product>;

/** A product as a storefront sees it: what it sells for, not what it costs. */
export const ProductView = lazySchema(() =>
  Product.unwrap().partial({ cost: true }),
);
export type ProductView = z.infer<typeof ProductView>;
export const withoutCost = ({ cost: _cost, ...rest }: Product): ProductView => rest;

/** Price and cost in different currencies would make every margin report wrong. */
export function validateProductInput(input: ProductInput): ProductInput {
  if (input.price.currency !== input.cost.currency) {
    throw new BusinessRuleError(
      `price is in ${input.price.currency} but cost is in ${input.cost.currency}`,
      { errors: [{ path: 'cost.currency', message: `must equal price.currency (${input.price.currency})` }] },
      'currency-mismatch',
    );
  }
  return input;
}

/** Catalog lookup used by order placement: SKU -> product, or absent (cost, when known, is captured on the line for reports). */
export type CatalogView = ReadonlyMap<string, Pick<Product, 'sku' | 'name' | 'price'> & { cost?: Money }>;
