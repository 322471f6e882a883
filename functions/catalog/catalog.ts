import { CATALOG_ROUTES as ROUTES } from '../../shared/api/routes/catalog';
import { COST_READERS } from '../../shared/api/routes/common';
import { NotFoundError } from '../../shared/domain/errors';
import { validateProductInput, withoutCost, type Product, type ProductView } from '../../shared/domain/product';
import { hasRole, type Auth } from '../../shared/middleware/auth';
import { created, http, ok, router, type HttpHandler } from '../../shared/middleware/http';
import { reorderSettingsOf } from '../../shared/domain/replenishment';
import type { ProductRepository } from '../../shared/store/product-repository';
import type { Stock } from '../../shared/app/stock';

export interface CatalogDeps {
  products: Pick<ProductRepository, 'put' | 'get' | 'list'>;
  /** receives the reorder settings, which the stock movements compare with (absent in catalog-only tests) */
  stock?: Pick<Stock, 'setReorderSettings'>;
  now: () => Date;
}

/** Staff see what a product costs; a storefront sees what it sells for. */
const viewFor = (auth: Auth) => (product: Product): ProductView =>
  hasRole(auth, COST_READERS) ? product : withoutCost(product);

export function makeHandler(deps: CatalogDeps): HttpHandler {
  return router({
    'PUT /products/{sku}': http(ROUTES.putProduct, async ({ params, body, requestId }) => {
      const now = deps.now();
      const { product, created: isNew } = await deps.products.put(params.sku, validateProductInput(body), now);
      // a second write: if it is lost, the hourly reconciliation copies the settings again
      await deps.stock?.setReorderSettings(product.sku, reorderSettingsOf(product), now, requestId);
      return isNew ? created(product, `/products/${product.sku}`) : ok(product);
    }),

    'GET /products/{sku}': http(ROUTES.getProduct, async ({ params, auth }) => {
      const product = await deps.products.get(params.sku);
      if (!product) throw new NotFoundError(`No product with SKU ${params.sku}`);
      return ok(viewFor(auth)(product));
    }),

    'GET /products': http(ROUTES.listProducts, async ({ query, auth }) => {
      const page = await deps.products.list(query);
      return ok({ ...page, items: page.items.map(viewFor(auth)) });
    }),
  });
}
