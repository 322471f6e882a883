import type { Demand, Shortage } from '../domain/inventory';
import { byPriority, chooseLocation, covers, type StockLocation } from '../domain/replenishment';
import { locationRepository } from './location-repository';
import { stockRepository } from './stock-repository';
import type { TableContext } from './table';

export type ReservationPlan = { locationId: string } | { shortages: Shortage[] };

/**
 * Where an order should reserve: the first location by priority whose available
 * stock covers every line (domain chooseLocation). The read is only advice: the
 * reservation transaction re-checks each level under its condition, and a lost race
 * plans again. When no location covers the order, the shortages are reported
 * against the location that covers most of its SKUs (ties by priority), so a
 * rejection names what is missing where the order came closest.
 */
export async function planReservation(ctx: TableContext, demand: readonly Demand[]): Promise<ReservationPlan> {
  const [locations, availability] = await Promise.all([
    locationRepository(ctx).list(),
    stockRepository(ctx).availabilityByLocation(demand.map((d) => d.sku)),
  ]);
  const candidates: StockLocation[] = locations.map((l) => ({
    locationId: l.locationId,
    priority: l.priority,
    available: availability.get(l.locationId) ?? {},
  }));
  const chosen = chooseLocation(candidates, demand);
  if (chosen) return { locationId: chosen.locationId };

  const coveredSkus = (l: StockLocation) => demand.filter((d) => covers(l, [d])).length;
  const closest = byPriority(candidates).reduce<StockLocation | undefined>(
    (best, l) => (best === undefined || coveredSkus(l) > coveredSkus(best) ? l : best),
    undefined,
  );
  const shortages = demand
    .map(({ sku, quantity }) => ({ sku, requested: quantity, available: Math.max(0, closest?.available[sku] ?? 0) }))
    .filter((s) => s.available < s.requested);
  return { shortages };
}
