import * as z from 'zod';
import { ProductInput, ProductView } from '../domain/product';
import { ListQuery, SkuPath } from './schemas-common';
import { lazySchema } from '../domain/lazy-schema';

// The catalog routes' schemas (re-exported by schemas.ts; routes/catalog.ts imports this module).

export { ListQuery, SkuPath };
export const PutProductRequest = ProductInput.meta({ id: 'ProductInput' });
// `cost` is in staff answers only (storefront answers leave it out).
export const ProductResponse = ProductView.meta({ id: 'Product' });
export const ProductList = lazySchema(() =>
  z.object({ items: z.array(ProductView), nextCursor: z.string().optional() }),
);
