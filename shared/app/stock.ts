import { INVENTORY_EVENTS } from '../../events/inventory';
import { NotFoundError } from '../domain/errors';
import { adjustmentConflict, emptyLevel, type StockLevel } from '../domain/inventory';
import { assessReplenishment, type ReorderSettings, type ReplenishmentAdvice } from '../domain/replenishment';
import { adjustmentChangeSet, reorderFlagChangeSet, reorderFlagMove, type Adjustment } from '../domain/stock-changes';
import { claimChange, resolveLostClaim, type IdempotencyClaim } from '../store/idempotency';
import { newId } from '../store/ids';
import type { StockLedger } from '../store/stock-ledger';
import type { ReorderState, StockRepository } from '../store/stock-repository';
import type { Page, TableContext } from '../store/table';
import { sleep } from '../store/table';
import { ConditionFailed, type Writer } from '../store/writer';
import { stamper } from './events';

/** The events these use cases publish, stamped for the outbox. */
const stamped = stamper(INVENTORY_EVENTS);

export type { Adjustment };

/** A below-reorder-point product with the advice for it. */
export interface LowStock extends StockLevel, ReplenishmentAdvice {
  settings: ReorderSettings;
  averageDailyDemand: number;
  lowSince?: string;
  /** purchasing was reminded of this crossing already (remindedFor = lowSince) */
  reminded?: boolean;
}

export interface StockDeps {
  stock: StockRepository;
  ledger: StockLedger;
  writer: Pick<Writer, 'commit'>;
  /** for reading a lost claim when the cancellation carried no item */
  ctx: TableContext;
}

/** Stock use cases: adjustments, the reorder flag and its settings, the replenishment listing. */
export function makeStock(deps: StockDeps) {
  /**
   * Keeps the sparse "below reorder point" index entry of the total item in step with
   * its level, and raises StockLow when it sets it: once per crossing. Decided on the
   * revision read; a lost race re-reads. Called after every movement that can lower
   * `available` (adjustments, reservations) and by the hourly reconciliation, which
   * repairs a flag whose follow-up never ran.
   */
  async function syncReorderFlag(sku: string, now: Date, causationId: string, read?: { state?: ReorderState }): Promise<'raised' | 'cleared' | 'unchanged'> {
    for (let attempt = 0; attempt < 8; attempt++) {
      // the first decision may use a state just read (syncReorderFlags); a lost race re-reads
      const state = attempt === 0 && read ? read.state : await deps.stock.reorderState(sku);
      if (!state) return 'unchanged';
      const move = reorderFlagMove(state.level, state.settings, state.flagged);
      if (move === 'unchanged') return 'unchanged';
      try {
        await deps.writer.commit(stamped(reorderFlagChangeSet(state, move, now), { now, correlationId: sku, causationId }));
        return move === 'raise' ? 'raised' : 'cleared';
      } catch (err) {
        if (!(err instanceof ConditionFailed)) throw err;
        await sleep(Math.random() * 20 * (attempt + 1));
      }
    }
    throw new Error(`Reorder flag of ${sku} kept changing; the next movement or reconciliation will set it`);
  }

  return {
    ...deps.stock,
    ...deps.ledger,
    syncReorderFlag,

    /**
     * syncReorderFlag for several SKUs (the lines of one reservation), their states
     * read in one BatchGetItem rather than one GetItem each. Each SKU's outcome is
     * its own: one that fails does not stop the others.
     */
    async syncReorderFlags(skus: readonly string[], now: Date, causationId: string): Promise<PromiseSettledResult<'raised' | 'cleared' | 'unchanged'>[]> {
      const states = await deps.stock.reorderStates(skus);
      return Promise.allSettled(skus.map((sku) => syncReorderFlag(sku, now, causationId, { state: states.get(sku) })));
    },

    /**
     * Copies a product's reorder settings onto its total stock item, then re-evaluates
     * the flag. Nothing is written when unchanged (the hourly check calls this for every SKU).
     */
    async setReorderSettings(sku: string, settings: ReorderSettings | undefined, now: Date, causationId: string): Promise<void> {
      const stored = await deps.stock.reorderSettings(sku);
      const same = JSON.stringify(stored.settings) === JSON.stringify(settings);
      if (!same && (settings || stored.exists)) await deps.stock.storeReorderSettings(sku, settings);
      await syncReorderFlag(sku, now, causationId);
    },

    /**
     * Products at or below their reorder point, by SKU, from the sparse index (no scan,
     * no per-product read), each with a suggested quantity. A flag left behind by a
     * release is skipped (and cleared by the next movement or reconciliation).
     */
    async listLow(opts: { cursor?: string; limit: number }, now: Date): Promise<Page<LowStock>> {
      const page = await deps.stock.flaggedLow(opts);
      const items = await Promise.all(
        page.items.map(async ({ level, settings, lowSince, remindedFor }): Promise<LowStock | undefined> => {
          if (!settings) return undefined;
          const demand = await deps.ledger.averageDailyDemand(level.sku, now);
          const advice = assessReplenishment({ sku: level.sku, available: level.available, settings, averageDailyDemand: demand });
          if (!advice.needsReorder) return undefined;
          return {
            ...level, ...advice, settings, averageDailyDemand: demand, ...(lowSince ? { lowSince } : {}),
            ...(lowSince && remindedFor === lowSince ? { reminded: true } : {}),
          };
        }),
      );
      return { items: items.filter((i): i is LowStock => i !== undefined), nextCursor: page.nextCursor };
    },

    /**
     * One transaction (see adjustmentChangeSet), with the idempotency claim when given:
     * a repeated request changes nothing and answers with the current level. Returns
     * the total level read back after the write.
     */
    async adjust(adj: Adjustment, now: Date, opts: { claim?: IdempotencyClaim } = {}): Promise<StockLevel> {
      const adjustmentId = newId(now);
      const set = adjustmentChangeSet(adj, adjustmentId, now);
      // a retried request (same Idempotency-Key) must not move stock twice
      if (opts.claim) set.changes.push(claimChange(opts.claim, { statusCode: 201, body: { adjustmentId } }, now, 'claim', { sku: adj.sku }));
      try {
        await deps.writer.commit(stamped(set, { now, correlationId: adjustmentId, causationId: adj.causationId }));
      } catch (err) {
        if (!(err instanceof ConditionFailed)) throw err;
        const claim = err.find('claim');
        if (opts.claim && claim) {
          // already applied (or 409 for a different request): answer with today's level
          await resolveLostClaim(deps.ctx, opts.claim, claim.old);
          return deps.stock.get(adj.sku);
        }
        if (err.find('product')) throw new NotFoundError(`No product with SKU ${adj.sku}`, { sku: adj.sku });
        if (err.find('location')) throw new NotFoundError(`No stock location ${set.movements[0]!.locationId}`, { locationId: set.movements[0]!.locationId });
        // the location's level fails first, so its ALL_OLD explains the refusal
        const level = err.failed.find((f) => f.tag.startsWith(`stock:${adj.sku}`));
        if (level) {
          const old = level.old;
          throw adjustmentConflict(
            old ? { sku: adj.sku, onHand: Number(old.onHand ?? 0), reserved: Number(old.reserved ?? 0), available: Number(old.available ?? 0) } : emptyLevel(adj.sku),
            adj.delta,
          );
        }
        throw err;
      }
      // a receipt may lift the level above the reorder point, a write-off take it below
      await syncReorderFlag(adj.sku, now, adj.causationId);
      // TransactWriteItems returns no values; a strongly consistent read shows the
      // level right after (a concurrent change may already be included).
      return deps.stock.get(adj.sku);
    },
  };
}
export type Stock = ReturnType<typeof makeStock>;
