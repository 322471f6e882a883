import { locationRepository } from '../store/location-repository';
import { productRepository } from '../store/product-repository';
import { stockLedger } from '../store/stock-ledger';
import { stockRepository } from '../store/stock-repository';
import type { TableContext } from '../store/table';
import { makeWriter } from '../store/writer';
import { makeStock } from './stock';

// What the catalog and inventory routes use: products, locations and the stock use case.
// Their functions wire this, not applicationFor, which loads every use case (and builds
// all their schemas) at each cold start.
export const catalogAndStock = (ctx: TableContext) => ({
  products: productRepository(ctx),
  locations: locationRepository(ctx),
  stock: makeStock({ stock: stockRepository(ctx), ledger: stockLedger(ctx), writer: makeWriter(ctx), ctx }),
});
