import { INVENTORY_EVENTS } from '../../events/inventory';
import type { ChangeSet, DomainEvent } from '../domain/decision';
import type { Product } from '../domain/product';
import { reconcile, reconcileLocations, type ReconciliationReport } from '../domain/reconciliation';
import { reorderSettingsOf } from '../domain/replenishment';
import { storeFor, type Store } from '../store';
import type { ProductRepository } from '../store/product-repository';
import type { StockRepository } from '../store/stock-repository';
import type { TableContext } from '../store/table';
import { ConditionFailed, type Writer } from '../store/writer';
import { stamper } from './events';
import { makeStock, type LowStock, type Stock } from './stock';

/** The events these use cases publish, stamped for the outbox. */
const stamped = stamper(INVENTORY_EVENTS);

/** A disagreement found for one SKU, at one location or (no locationId) in its total. */
export interface Drift {
  report: ReconciliationReport;
  locationId?: string;
}

export interface ReconciliationRun {
  skus: number;
  drifts: Drift[];
  /** SKUs that kept moving while being read; checked again by the next run */
  unsettled: string[];
}

const CONCURRENCY = 8;

async function inBatches<T>(items: readonly T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

/**
 * The scheduled checks of the stock store. Reconciliation walks the catalog through
 * its listing index (a Query, page by page) and, per SKU, reads the levels and the
 * holds of live reservations from the SKU's own partition: reserved must equal the
 * sum of the holds, in total and at each location, and the total must be the sum of
 * the locations. A disagreement is published as StockDriftDetected and returned, and
 * is never corrected here: a person decides what the right number is.
 */
export interface StockChecksDeps {
  stock: Pick<StockRepository, 'reconciliationSnapshot'> & Pick<Stock, 'setReorderSettings' | 'listLow'>;
  products: Pick<ProductRepository, 'list'>;
  writer: Pick<Writer, 'commit'>;
}

/** An event about a SKU alone: only its outbox item, in the SKU's partition. */
const announce = (sku: string, event: DomainEvent, now: Date): ChangeSet => ({
  aggregate: { entity: 'stock', id: sku }, at: now.toISOString(), changes: [], events: [event], movements: [],
});

export function makeStockChecks(deps: StockChecksDeps) {
  const { stock, products } = deps;

  async function publish(sku: string, event: DomainEvent, now: Date, causationId: string) {
    await deps.writer.commit(stamped(announce(sku, event, now), { now, correlationId: sku, causationId }));
  }

  async function publishDrift(drift: Drift, now: Date, causationId: string) {
    const { report, locationId } = drift;
    await publish(report.sku, {
      detailType: 'StockDriftDetected',
      data: {
        sku: report.sku, ...(locationId ? { locationId } : {}), onHand: report.onHand, reserved: report.reserved, available: report.available,
        expectedReserved: report.expectedReserved, drift: report.drift, problems: report.problems,
      },
    }, now, causationId);
  }

  async function checkSku(product: Product, now: Date, causationId: string): Promise<Drift[] | 'unsettled'> {
    const snapshot = await stock.reconciliationSnapshot(product.sku);
    if (!snapshot.settled) return 'unsettled';
    const drifts: Drift[] = [];
    if (snapshot.total) {
      const total = reconcile(snapshot.total, snapshot.holds);
      const sums = reconcileLocations(snapshot.total, snapshot.locations);
      if (!total.ok || sums.length) drifts.push({ report: { ...total, ok: false, problems: [...total.problems, ...sums] } });
    } else if (snapshot.holds.length) {
      drifts.push({ report: reconcile({ sku: product.sku, onHand: 0, reserved: 0, available: 0 }, snapshot.holds) });
    }
    for (const level of snapshot.locations) {
      const report = reconcile({ sku: product.sku, ...level }, snapshot.holds.filter((h) => h.locationId === level.locationId));
      if (!report.ok) drifts.push({ report, locationId: level.locationId });
    }
    // the reorder settings are copied from the product, and its flag follows every
    // movement: repair either if a follow-up write was lost
    await stock.setReorderSettings(product.sku, reorderSettingsOf(product), now, causationId);
    return drifts;
  }

  return {
    checkSku,

    async reconcileAll(now: Date, causationId: string): Promise<ReconciliationRun> {
      const run: ReconciliationRun = { skus: 0, drifts: [], unsettled: [] };
      let cursor: string | undefined;
      do {
        const page = await products.list({ cursor, limit: 100 });
        await inBatches(page.items, CONCURRENCY, async (product) => {
          run.skus++;
          const result = await checkSku(product, now, causationId);
          if (result === 'unsettled') {
            run.unsettled.push(product.sku);
            return;
          }
          for (const drift of result) {
            await publishDrift(drift, now, causationId);
            run.drifts.push(drift);
          }
        });
        cursor = page.nextCursor;
      } while (cursor);
      return run;
    },

    /**
     * ReplenishmentNeeded for each product at or below its reorder point, from the sparse
     * index (no walk of the catalog), once per crossing: the event goes out in the same
     * transaction that marks the crossing reminded (`remindedFor` = its `lowSince`, written
     * only while the flag is still that crossing's and unmarked), so a later run, a rerun
     * or two runs at once remind nobody twice. A new crossing (the flag cleared and
     * raised again) is reminded afresh.
     */
    async remindReplenishment(now: Date, causationId: string): Promise<LowStock[]> {
      const low: LowStock[] = [];
      let cursor: string | undefined;
      do {
        const page = await stock.listLow({ cursor, limit: 100 }, now);
        for (const item of page.items) {
          if (item.reminded || !item.lowSince) continue;
          const set = announce(item.sku, {
            detailType: 'ReplenishmentNeeded',
            data: {
              sku: item.sku, available: item.available, ...item.settings,
              averageDailyDemand: item.averageDailyDemand, suggestedQuantity: item.suggestedQuantity, daysOfCover: item.daysOfCover,
            },
          }, now);
          set.changes.push({
            op: 'update', entity: 'stock', id: [item.sku], tag: 'reminded',
            expect: { equals: { lowSince: item.lowSince }, missing: ['remindedFor'] }, set: { remindedFor: item.lowSince },
          });
          try {
            await deps.writer.commit(stamped(set, { now, correlationId: item.sku, causationId }));
          } catch (err) {
            // reminded meanwhile, or the crossing ended: nothing to send
            if (err instanceof ConditionFailed && err.find('reminded')) continue;
            throw err;
          }
          low.push(item);
        }
        cursor = page.nextCursor;
      } while (cursor);
      return low;
    },
  };
}
export type StockChecks = ReturnType<typeof makeStockChecks>;

/** The scheduled checks over one table. */
export function stockChecks(ctx: TableContext | Store) {
  const store = 'writer' in ctx ? ctx : storeFor(ctx);
  const stock = makeStock({ stock: store.stock, ledger: store.ledger, writer: store.writer, ctx: store.ctx });
  return makeStockChecks({ stock: { ...store.stock, ...stock }, products: store.products, writer: store.writer });
}
