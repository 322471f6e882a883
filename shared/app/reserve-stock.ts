import { systemActor } from '../domain/actor';
import { shortageReason, summarizeDemand, type Demand, type Shortage } from '../domain/inventory';
import { decide, type LifecycleCommand } from '../domain/lifecycle';
import type { OrderRecord } from '../domain/order';
import { orderChangeSet } from '../domain/order-changes';
import type { OrderStatus } from '../domain/order-status';
import { planReservation, type StockLocation } from '../domain/replenishment';
import type { LocationRepository } from '../store/location-repository';
import type { OrderRepository } from '../store/order-repository';
import type { StockRepository } from '../store/stock-repository';
import { ConditionFailed, type Writer } from '../store/writer';
import { stamped } from './events';

export type ReserveOutcome =
  | { outcome: 'reserved'; reservations: Demand[] }
  | { outcome: 'rejected'; shortages: Shortage[] }
  | { outcome: 'skipped'; status: OrderStatus };

export interface ReserveDeps {
  orders: Pick<OrderRepository, 'getRecord'>;
  stock: Pick<StockRepository, 'availabilityByLocation'>;
  locations: Pick<LocationRepository, 'list'>;
  writer: Pick<Writer, 'commit'>;
}

const RESERVER = systemActor('reserve-stock');
/** plans tried while levels keep moving under the reservation */
const MAX_PLANS = 8;

/**
 * Reserve stock for a PENDING order, all or nothing, in ONE transaction at ONE
 * location: the first by priority that covers the whole order (domain
 * planReservation, from levels read as advice). The decision (reserve-succeeded:
 * stock, holds, ledger, reservation, IN_REVIEW, StockReserved; or reserve-failed:
 * REJECTED naming the short SKUs, nothing reserved) is committed by the writer, which
 * re-checks every level under its condition; a level that moved means plan again.
 * An order that is no longer PENDING (redelivered message) is left alone.
 */
export function makeReserveStock(deps: ReserveDeps) {
  async function skipped(orderId: string): Promise<ReserveOutcome> {
    const current = await deps.orders.getRecord(orderId);
    if (!current || current.status === 'PENDING') throw new Error(`Order ${orderId} changed while reserving; retry`);
    return { outcome: 'skipped', status: current.status };
  }

  async function plan(demand: readonly Demand[]) {
    const [locations, availability] = await Promise.all([deps.locations.list(), deps.stock.availabilityByLocation(demand.map((d) => d.sku))]);
    const candidates: StockLocation[] = locations.map((l) => ({ locationId: l.locationId, priority: l.priority, available: availability.get(l.locationId) ?? {} }));
    return planReservation(candidates, demand);
  }

  async function commit(order: OrderRecord, command: LifecycleCommand, facts: Parameters<typeof decide>[3], locationId: string | undefined, causationId: string, now: Date) {
    const decision = decide(order, command, now, facts);
    const set = orderChangeSet(order, decision, locationId ? { locationId } : {});
    await deps.writer.commit(stamped(set, { now, correlationId: order.orderId, causationId }));
  }

  return async function reserve(orderId: string, causationId: string, now: Date): Promise<ReserveOutcome> {
    const order = await deps.orders.getRecord(orderId);
    if (!order) throw new Error(`Order ${orderId} not found`);
    if (order.status !== 'PENDING') return { outcome: 'skipped', status: order.status };
    const demand = summarizeDemand(order.lines);

    for (let attempt = 1; ; attempt++) {
      const p = await plan(demand);
      try {
        if ('shortages' in p) {
          const reason = shortageReason(p.shortages);
          await commit(order, { type: 'reserve-failed', actor: RESERVER, reason }, { shortages: p.shortages }, undefined, causationId, now);
          return { outcome: 'rejected', shortages: p.shortages };
        }
        await commit(order, { type: 'reserve-succeeded', actor: RESERVER, reason: `at ${p.locationId}` }, { reservations: demand }, p.locationId, causationId, now);
        return { outcome: 'reserved', reservations: demand };
      } catch (err) {
        if (!(err instanceof ConditionFailed)) throw err;
        // the order or its reservation changed meanwhile: another delivery won
        if (err.find('order') || err.find('reservation')) return skipped(orderId);
        // a level moved since it was read: plan again (another location may cover it now)
        if (!err.find('stock') || attempt >= MAX_PLANS) throw err;
      }
    }
  };
}
