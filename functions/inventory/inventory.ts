import { INVENTORY_ROUTES as ROUTES } from '../../shared/api/routes/inventory';
import { routeKey } from '../../shared/api/routes/common';
import { actorLabel, actorOf } from '../../shared/domain/actor';
import { NotFoundError } from '../../shared/domain/errors';
import { created, http, ok, router, type HttpHandler } from '../../shared/middleware/http';
import { requestHash } from '../../shared/middleware/idempotency';
import type { LocationRepository } from '../../shared/store/location-repository';
import type { ProductRepository } from '../../shared/store/product-repository';
import type { LowStock, Stock } from '../../shared/app/stock';

export interface InventoryDeps {
  products: Pick<ProductRepository, 'exists'>;
  stock: Pick<Stock, 'adjust' | 'detail' | 'list' | 'listLow' | 'ledgerPage'>;
  locations: Pick<LocationRepository, 'put' | 'list'>;
  now: () => Date;
}

const replenishmentItem = (l: LowStock) => ({
  sku: l.sku,
  onHand: l.onHand,
  reserved: l.reserved,
  available: l.available,
  ...l.settings,
  averageDailyDemand: Math.round(l.averageDailyDemand * 100) / 100,
  position: l.position,
  suggestedQuantity: l.suggestedQuantity,
  ...(l.lowSince ? { lowSince: l.lowSince } : {}),
});

export function makeHandler(deps: InventoryDeps): HttpHandler {
  async function mustExist(sku: string) {
    if (!(await deps.products.exists(sku))) throw new NotFoundError(`No product with SKU ${sku}`);
  }

  return router({
    'POST /inventory/{sku}/adjustments': http(ROUTES.adjustStock, async ({ params, body, auth, requestId, idempotencyKey }) => {
      // the product and location checks, the 409 rule and the replay check happen inside the transaction
      const claim = idempotencyKey
        ? { scope: auth.principal, key: idempotencyKey, requestHash: requestHash(`${routeKey(ROUTES.adjustStock)} ${params.sku}`, body) }
        : undefined;
      const level = await deps.stock.adjust(
        { sku: params.sku, ...body, actor: actorLabel(actorOf(auth)), causationId: requestId },
        deps.now(),
        { claim },
      );
      return created(level);
    }),

    'GET /inventory/{sku}': http(ROUTES.getStock, async ({ params }) => {
      const [, detail] = await Promise.all([mustExist(params.sku), deps.stock.detail(params.sku)]);
      return ok(detail);
    }),

    'GET /inventory/{sku}/ledger': http(ROUTES.stockLedger, async ({ params, query }) => {
      const [, page] = await Promise.all([mustExist(params.sku), deps.stock.ledgerPage(params.sku, query)]);
      return ok(page);
    }),

    'GET /inventory': http(ROUTES.listStock, async ({ query }) => {
      const { below, ...page } = query;
      if (below === 'reorderPoint') {
        const low = await deps.stock.listLow(page, deps.now());
        return ok({ items: low.items.map(replenishmentItem), ...(low.nextCursor ? { nextCursor: low.nextCursor } : {}) });
      }
      return ok(await deps.stock.list(page));
    }),

    'PUT /locations/{locationId}': http(ROUTES.putLocation, async ({ params, body }) => {
      const { location, created: isNew } = await deps.locations.put(params.locationId, body, deps.now());
      return isNew ? created(location, `/locations/${location.locationId}`) : ok(location);
    }),

    'GET /locations': http(ROUTES.listLocations, async () => ok({ items: await deps.locations.list() })),
  });
}
