import { ROUTES } from '../../shared/api/routes';
import { NotFoundError } from '../../shared/domain/errors';
import { validateProductInput } from '../../shared/domain/product';
import { created, http, ok, router, type HttpHandler } from '../../shared/middleware/http';
import type { ProductRepository } from '../../shared/store/product-repository';

export interface CatalogDeps {
  products: Pick<ProductRepository, 'put' | 'get' | 'list'>;
  now: () => Date;
}

export function makeHandler(deps: CatalogDeps): HttpHandler {
  return router({
    'PUT /products/{sku}': http(ROUTES.putProduct, async ({ params, body }) => {
      const { product, created: isNew } = await deps.products.put(params.sku, validateProductInput(body), deps.now());
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
