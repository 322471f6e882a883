import { ROUTES, routeKey } from '../../shared/api/routes';
import { NotFoundError } from '../../shared/domain/errors';
import { created, http, ok, router, type HttpHandler } from '../../shared/middleware/http';
import { requestHash } from '../../shared/middleware/idempotency';
import type { ProductRepository } from '../../shared/store/product-repository';
import type { StockRepository } from '../../shared/store/stock-repository';

export interface InventoryDeps {
  products: Pick<ProductRepository, 'exists'>;
  stock: Pick<StockRepository, 'adjust' | 'get' | 'list'>;
  now: () => Date;
}

export function makeHandler(deps: InventoryDeps): HttpHandler {
  return router({
    'POST /inventory/{sku}/adjustments': http(ROUTES.adjustStock, async ({ params, body, auth, requestId, idempotencyKey }) => {
      // the product check, the 409 rule and the replay check happen inside the transaction
      const claim = idempotencyKey
        ? { scope: auth.principal, key: idempotencyKey, requestHash: requestHash(`${routeKey(ROUTES.adjustStock)} ${params.sku}`, body) }
        : undefined;
      const level = await deps.stock.adjust(
        { sku: params.sku, ...body, actor: auth.principal, causationId: requestId },
        deps.now(),
        { claim },
      );
      return created(level);
    }),

    'GET /inventory/{sku}': http(ROUTES.getStock, async ({ params }) => {
      const [exists, level] = await Promise.all([deps.products.exists(params.sku), deps.stock.get(params.sku)]);
      if (!exists) throw new NotFoundError(`No product with SKU ${params.sku}`);
      return ok(level);
    }),

    'GET /inventory': http(ROUTES.listStock, async ({ query }) => ok(await deps.stock.list(query))),
  });
}
