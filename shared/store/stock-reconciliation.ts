import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { ReplenishmentNeeded, StockDriftDetected } from '../../events/catalog';
import { buildEvent } from '../../events/define-event';
import type { Product } from '../domain/product';
import { reconcile, reconcileLocations, type ReconciliationReport } from '../domain/reconciliation';
import { reorderSettingsOf } from '../domain/replenishment';
import { newId } from './ids';
import { keys } from './keys';
import { outboxItem } from './outbox';
import { productRepository } from './product-repository';
import { stockRepository, type LowStock } from './stock-repository';
import type { TableContext } from './table';

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
export function stockChecks(ctx: TableContext) {
  const stock = stockRepository(ctx);
  const products = productRepository(ctx);

  async function publishDrift(drift: Drift, now: Date, causationId: string) {
    const { report, locationId } = drift;
    const event = buildEvent(
      StockDriftDetected,
      {
        sku: report.sku, ...(locationId ? { locationId } : {}), onHand: report.onHand, reserved: report.reserved, available: report.available,
        expectedReserved: report.expectedReserved, drift: report.drift, problems: report.problems,
      },
      { eventId: newId(now), occurredAt: now, correlationId: report.sku, causationId },
    );
    await ctx.doc.send(new PutCommand({ TableName: ctx.tableName, Item: outboxItem(keys.stock(report.sku).pk, event, now) }));
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

    /** One ReplenishmentNeeded per product at or below its reorder point, from the sparse index (no walk of the catalog). */
    async remindReplenishment(now: Date, causationId: string): Promise<LowStock[]> {
      const low: LowStock[] = [];
      let cursor: string | undefined;
      do {
        const page = await stock.listLow({ cursor, limit: 100 }, now);
        for (const item of page.items) {
          const event = buildEvent(
            ReplenishmentNeeded,
            {
              sku: item.sku, available: item.available, ...item.settings,
              averageDailyDemand: item.averageDailyDemand, suggestedQuantity: item.suggestedQuantity,
            },
            { eventId: newId(now), occurredAt: now, correlationId: item.sku, causationId },
          );
          await ctx.doc.send(new PutCommand({ TableName: ctx.tableName, Item: outboxItem(keys.stock(item.sku).pk, event, now) }));
          low.push(item);
        }
        cursor = page.nextCursor;
      } while (cursor);
      return low;
    },
  };
}
export type StockChecks = ReturnType<typeof stockChecks>;
