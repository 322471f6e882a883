import { ROUTES } from '../../shared/api/routes';
import { NotFoundError } from '../../shared/domain/errors';
import { validateProductInput } from '../../shared/domain/product';
import { created, http, ok, router, type HttpHandler } from '../../shared/middleware/http';
import { reorderSettingsOf } from '../../shared/domain/replenishment';
import type { ProductRepository } from '../../shared/store/product-repository';
import type { StockRepository } from '../../shared/store/stock-repository';

export interface CatalogDeps {
  products: Pick<ProductRepository, 'put' | 'get' | 'list'>;
  /** receives the reorder settings, which the stock movements compare with (absent in catalog-only tests) */
  stock?: Pick<StockRepository, 'setReorderSettings'>;
  now: () => Date;
}

export function makeHandler(deps: CatalogDeps): HttpHandler {
  return router({
    'PUT /products/{sku}': http(ROUTES.putProduct, async ({ params, body, requestId }) => {
      const now = deps.now();
      const { product, created: isNew } = await deps.products.put(params.sku, validateProductInput(body), now);
      // a second write: if it is lost, the hourly reconciliation copies the settings again
      await deps.stock?.setReorderSettings(product.sku, reorderSettingsOf(product), now, requestId);
      return isNew ? created(product, `/products/${product.sku}`) : ok(product);
    }),

    'GET /products/{sku}': http(ROUTES.getProduct, async ({ params }) => {
      const product = await deps.products.get(params.sku);
      if (!product) throw new NotFoundError(`No product with SKU ${params.sku}`);
      return ok(product);
    }),

    'GET /products': http(ROUTES.listProducts, async ({ query }) => ok(await deps.products.list(query))),
  });
}
