import { BusinessRuleError, ConflictError, ForbiddenError } from '../domain/errors';
import { mapImport, type ImportOrder, type SkuMapInput } from '../domain/marketplace-import';
import type { StoredResponse } from '../store/idempotency';
import { skuMapRepository, type SkuMapRepository, type StoredSkuMap } from '../store/sku-map-repository';
import type { TableContext } from '../store/table';
import { placeOrder, placeOrderSteps, type PlacementSteps } from './place-order';

// Marketplace orders: the channel's machine client posts an order in the generic import
// shape; its SKUs are mapped to ours and it takes the same placement path as POST /orders.

export interface ImportDeps {
  skuMaps: SkuMapRepository;
  orders: Pick<PlacementSteps, 'readForPlacement' | 'nextOrderSequence' | 'create'>;
}

export interface Importer {
  principal: string;
  /** admins may import into any channel (a backfill); a machine client only into the channels that list it */
  isAdmin: boolean;
  actor: string;
}

export function makeImports(deps: ImportDeps) {
  return {
    async putSkuMap(channel: string, input: SkuMapInput, principal: string, now: Date): Promise<{ map: StoredSkuMap; created: boolean }> {
      const stored = await deps.skuMaps.get(channel);
      const map: StoredSkuMap = { channel, skus: input.skus, clients: input.clients, version: (stored?.version ?? 0) + 1, updatedAt: now.toISOString(), updatedBy: principal };
      if (!(await deps.skuMaps.put(map, stored?.version))) {
        throw new ConflictError(`The SKU map of ${channel} changed meanwhile; read it and try again`, {}, 'write-conflict', 'Changed meanwhile');
      }
      return { map, created: !stored };
    },

    /**
     * Places an imported order: every SKU must be in the channel's map (else a 422 naming
     * each unknown one, and nothing is created); the marketplace's reference is claimed per
     * channel, so importing the same order twice answers the first order.
     */
    async importOrder(channel: string, input: ImportOrder, who: Importer, opts: { orderId: string; requestHash: string; causationId: string; now: Date }): Promise<StoredResponse & { replayed: boolean }> {
      const map = await deps.skuMaps.get(channel);
      if (!who.isAdmin && !map?.clients.includes(who.principal)) throw new ForbiddenError(`This client does not import ${channel} orders`);
      const mapped = mapImport(channel, input, map?.skus ?? {});
      if (!mapped.ok) {
        throw new BusinessRuleError(`Unknown ${channel} SKUs: ${mapped.unknownSkus.join(', ')}; add them to the channel's SKU map`, { skus: mapped.unknownSkus }, 'unknown-skus');
      }
      const { response, replayed } = await placeOrder(deps.orders, {
        body: mapped.order, principal: who.principal, actor: who.actor, causationId: opts.causationId, now: opts.now, orderId: opts.orderId,
        externalRefScope: `extref:marketplace:${channel}`, requestHash: opts.requestHash,
      });
      return { ...response, replayed };
    },
  };
}
export type Imports = ReturnType<typeof makeImports>;

/** Marketplace imports over one table. */
export const importsService = (ctx: TableContext) => makeImports({ skuMaps: skuMapRepository(ctx), orders: placeOrderSteps(ctx).orders });
