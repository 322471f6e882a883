import { ORDER_STATUS_EVENTS } from '../../events/orders';
import { actorLabel, systemActor } from '../domain/actor';
import { reservedFacts, type PlacedOrder } from '../domain/carried-order';
import type { ChangeSet, StockMovement } from '../domain/decision';
import { shortageReason, summarizeDemand, type Demand, type Location, type Shortage } from '../domain/inventory';
import { decide, type LifecycleCommand } from '../domain/lifecycle';
import { orderChangeSet, type OrderChangeFacts, type ReservedLine } from '../domain/order-changes';
import type { OrderStatus } from '../domain/order-status';
import { byPriority, planReservation, type StockLocation } from '../domain/replenishment';
import { endHoldStageChangeSet, holdsEndBy, holdStageChangeSet, staged, stages } from '../domain/stock-changes';
import type { LocationRepository } from '../store/location-repository';
import type { OrderRepository } from '../store/order-repository';
import type { ReorderState, StockRepository } from '../store/stock-repository';
import { ConditionFailed, type FailedCondition, type Writer } from '../store/writer';
import { stamper } from './events';

/** The events these use cases publish, stamped for the outbox. */
const stamped = stamper(ORDER_STATUS_EVENTS);

export type ReserveOutcome =
  /**
   * `reorderCheck`: the SKUs whose reorder flag may have to move now. The others had
   * neither a reorder point nor a flag when planned, and the reservation's transaction
   * held only if their total still had no reorder point, so no flag can be due.
   */
  | { outcome: 'reserved'; reservations: Demand[]; reorderCheck: string[]; /** when the order was placed (placed-to-reserved latency) */ placedAt?: string }
  | { outcome: 'rejected'; shortages: Shortage[] }
  | { outcome: 'skipped'; status: OrderStatus };

export interface ReserveDeps {
  orders: Pick<OrderRepository, 'getRecord'>;
  stock: Pick<StockRepository, 'planningLevels' | 'holdsOf'>;
  locations: Pick<LocationRepository, 'list'>;
  writer: Pick<Writer, 'commit'>;
  /**
   * How long the list of locations read for one order is reused for the next (default 0: read
   * for every order). Locations are few and change rarely; the levels are always read fresh,
   * and a plan short of stock reads the list again before the order is refused.
   */
  locationsTtlMs?: number;
  /**
   * How long the levels and reorder states read for one order may plan the next order of the
   * same SKUs (default 0: read for every order). They are advice either way: every level the
   * reservation moves is conditioned on what it takes, and a SKU planned as having no reorder
   * point on having none. So a plan from kept levels is acted on only when it ships from the
   * first location by priority (which a fresh read could only confirm when the reservation
   * holds); any other plan, and any plan after a failed condition, reads the levels again.
   */
  levelsTtlMs?: number;
}

const RESERVER = systemActor('reserve-stock');
/** plans tried while levels keep moving under the reservation */
const MAX_PLANS = 8;

/** An order that may hold stock: its id, its status, and its lines (or what its reservation holds). */
interface HoldingOrder { orderId: string; status: OrderStatus; lines: readonly Demand[] }

/** The SKUs of failed `<prefix>:<sku>...` conditions, with the item each failed on. */
const failedSkus = (err: ConditionFailed, prefix: 'hold' | 'stock') =>
  err.failed.filter((f) => f.tag.startsWith(`${prefix}:`)).map((f: FailedCondition) => ({ sku: f.tag.slice(prefix.length + 1).split('@')[0]!, old: f.old }));

/**
 * Ends what an order still holds once its status says how (released when it left
 * unshipped, committed when shipped), a few SKUs per transaction. Only an order of
 * more SKUs than one transaction moves can hold anything here: a smaller one moves
 * its stock in the transaction that moves the order. Each hold ends at most once
 * (its delete is conditioned on it existing), so a repeated or concurrent run ends
 * only what is left. Returns how many holds this run ended.
 */
export function makeSettleHolds(deps: Pick<ReserveDeps, 'stock' | 'writer'>) {
  return async function settleHolds(order: HoldingOrder, opts: { causationId: string; now: Date; actor?: string }): Promise<number> {
    const movement = holdsEndBy(order.status);
    const skus = summarizeDemand(order.lines).map((d) => d.sku);
    if (!movement || !staged(skus.length)) return 0;
    const at = opts.now.toISOString();
    let ended = 0;
    for (const stage of stages(await deps.stock.holdsOf(order.orderId, skus))) {
      let left = stage;
      while (left.length > 0) {
        const set = endHoldStageChangeSet(order.orderId, left, movement, opts.actor ?? actorLabel(RESERVER), `ORDER_${order.status}`, at);
        try {
          await deps.writer.commit(stamped(set, { now: opts.now, correlationId: order.orderId, causationId: opts.causationId }));
          ended += left.length;
          left = [];
        } catch (err) {
          if (!(err instanceof ConditionFailed)) throw err;
          // holds another run ended meanwhile: end the rest
          const gone = new Set(failedSkus(err, 'hold').map((f) => f.sku));
          if (gone.size === 0) throw err;
          left = left.filter((h) => !gone.has(h.sku));
        }
      }
    }
    return ended;
  };
}

/**
 * Reserve stock for a PENDING order, all or nothing, at ONE location: the first by
 * priority that covers the whole order (domain planReservation, from levels read as
 * advice). An order of up to SKUS_PER_TRANSACTION SKUs is decided in ONE transaction
 * (reserve-succeeded: stock, holds, ledger, reservation, IN_REVIEW, StockReserved; or
 * reserve-failed: REJECTED naming the short SKUs, nothing reserved), which re-checks
 * every level under its condition; a level that moved means plan again.
 *
 * A bigger order is reserved in stages (reserveStaged). An order that is no longer
 * PENDING (redelivered message) is left alone, apart from ending what a staged
 * reservation interrupted by a crash or a cancellation still holds.
 *
 * Given the order as placed (OrderPlaced's copy), a small order is decided on it without
 * reading the order: the transaction is conditioned on the order's version and status,
 * so a stale copy (the order moved, or a redelivery) only fails, and the order is then
 * read and decided on as it is, in the same call.
 */
export function makeReserveStock(deps: ReserveDeps) {
  const settleHolds = makeSettleHolds(deps);
  const reserver = actorLabel(RESERVER);

  /** The order moved on under the reservation: nothing more to reserve, and a staged one ends what it held. */
  async function leftPending(orderId: string, causationId: string, now: Date): Promise<ReserveOutcome> {
    const current = await deps.orders.getRecord(orderId);
    if (!current || current.status === 'PENDING') throw new Error(`Order ${orderId} changed while reserving; retry`);
    await settleHolds(current, { causationId, now });
    return { outcome: 'skipped', status: current.status };
  }

  let known: { locations: Location[]; until: number } | undefined;
  async function listLocations(fresh: boolean): Promise<{ locations: Location[]; reused: boolean }> {
    const now = Date.now();
    if (!fresh && known && known.until > now) return { locations: known.locations, reused: true };
    known = { locations: await deps.locations.list(), until: now + (deps.locationsTtlMs ?? 0) };
    return { locations: known.locations, reused: false };
  }

  type Plan = ReturnType<typeof planReservation> & { reorder: Map<string, ReorderState> };

  /** Levels read for earlier orders, per SKU: available by location (for the locations then listed), the reorder state, when read. */
  const kept = new Map<string, { until: number; locations: string; available: Record<string, number>; reorder?: ReorderState }>();
  const MAX_KEPT_SKUS = 2_000;
  const locationSet = (locations: readonly Location[]) => locations.map((l) => l.locationId).join('\n');

  function keep(skus: readonly string[], locations: readonly Location[], levels: Awaited<ReturnType<ReserveDeps['stock']['planningLevels']>>) {
    if (!deps.levelsTtlMs) return;
    if (kept.size > MAX_KEPT_SKUS) kept.clear();
    const until = Date.now() + deps.levelsTtlMs;
    for (const sku of skus) {
      const available = Object.fromEntries(locations.map((l) => [l.locationId, levels.available.get(l.locationId)?.[sku] ?? 0]));
      const reorder = levels.reorder.get(sku);
      kept.set(sku, { until, locations: locationSet(locations), available, ...(reorder ? { reorder } : {}) });
    }
  }

  /** A plan from kept levels, only when every SKU's are fresh and it ships from the first location by priority. */
  async function planFromKept(demand: readonly Demand[]): Promise<Plan | undefined> {
    const { locations } = await listLocations(false);
    const now = Date.now();
    const set = locationSet(locations);
    const entries = demand.map((d) => kept.get(d.sku));
    if (entries.some((e) => !e || e.until <= now || e.locations !== set)) return undefined;
    const candidates: StockLocation[] = locations.map((l) => ({
      locationId: l.locationId, priority: l.priority, available: Object.fromEntries(demand.map((d, i) => [d.sku, entries[i]!.available[l.locationId] ?? 0])),
    }));
    const p = planReservation(candidates, demand);
    if ('shortages' in p || p.locationId !== byPriority(candidates)[0]?.locationId) return undefined;
    const reorder = new Map<string, ReorderState>();
    demand.forEach((d, i) => entries[i]!.reorder && reorder.set(d.sku, entries[i]!.reorder!));
    return { ...p, reorder };
  }

  /** What this container's kept levels should say after it reserved `demand` at `locationId`. */
  function keptReserved(demand: readonly Demand[], locationId: string) {
    for (const d of demand) {
      const e = kept.get(d.sku);
      if (e && e.available[locationId] !== undefined) e.available[locationId] -= d.quantity;
    }
  }

  /**
   * Where the order ships from, from the locations and their levels read as advice; and the
   * SKUs' reorder states as read. `kept`: levels read lately for earlier orders may do.
   */
  async function plan(demand: readonly Demand[], opts: { freshLocations?: boolean; kept?: boolean } = {}): Promise<Plan> {
    const fromKept = opts.kept && deps.levelsTtlMs ? await planFromKept(demand) : undefined;
    if (fromKept) return fromKept;
    const { locations, reused } = await listLocations(opts.freshLocations ?? false);
    const skus = demand.map((d) => d.sku);
    const levels = await deps.stock.planningLevels(skus, locations.map((l) => l.locationId));
    keep(skus, locations, levels);
    const candidates: StockLocation[] = locations.map((l) => ({ locationId: l.locationId, priority: l.priority, available: levels.available.get(l.locationId) ?? {} }));
    const p = { ...planReservation(candidates, demand), reorder: levels.reorder };
    // a reused list may lack a location added since: read it again before refusing the order
    return 'shortages' in p && reused ? plan(demand, { freshLocations: true }) : p;
  }

  /**
   * SKUs without a reorder point or flag when planned need no reorder follow-up if their
   * total still has no reorder point when the reservation commits: that is made a
   * condition of the reservation (a reorder point set meanwhile means plan again).
   */
  function withoutReorderPoint(reorder: Map<string, ReorderState>, demand: readonly Demand[]) {
    const unset = new Set(demand.map((d) => d.sku).filter((sku) => { const r = reorder.get(sku); return !r?.settings && !r?.flagged; }));
    const guard = (m: StockMovement): StockMovement => (unset.has(m.sku) ? { ...m, totalMissing: ['reorderPoint'] } : m);
    return { guard, reorderCheck: demand.map((d) => d.sku).filter((sku) => !unset.has(sku)) };
  }

  const write = (set: ChangeSet, orderId: string, causationId: string, now: Date) =>
    deps.writer.commit(stamped(set, { now, correlationId: orderId, causationId }));

  async function commit(
    order: PlacedOrder, command: LifecycleCommand, facts: Parameters<typeof decide>[3], changeFacts: OrderChangeFacts, causationId: string, now: Date,
    guard: (m: StockMovement) => StockMovement = (m) => m,
  ) {
    const set = orderChangeSet(order, decide(order, command, now, facts), changeFacts);
    await write({ ...set, movements: set.movements.map(guard) }, order.orderId, causationId, now);
  }

  /** REJECTED naming the short SKUs; then a staged order's stages give back what they held. */
  async function reject(order: PlacedOrder, shortages: Shortage[], causationId: string, now: Date): Promise<ReserveOutcome> {
    try {
      await commit(order, { type: 'reserve-failed', actor: RESERVER, reason: shortageReason(shortages) }, { shortages }, {}, causationId, now);
    } catch (err) {
      if (err instanceof ConditionFailed && err.find('order')) return leftPending(order.orderId, causationId, now);
      throw err;
    }
    await settleHolds({ ...order, status: 'REJECTED' }, { causationId, now });
    return { outcome: 'rejected', shortages };
  }

  /**
   * Staged: each stage (a few SKUs) is one transaction that holds them at the planned
   * location while the order is still PENDING at the version read; a hold already there
   * (a redelivery, or another copy of this worker) counts as held, where it was held.
   * Every SKU held: one transaction moves the order to IN_REVIEW with its reservation
   * and StockReserved. A short level in any stage: the order is REJECTED first (so no
   * other copy can hold more or reserve it), then what the stages hold is released.
   */
  async function reserveStaged(order: PlacedOrder, demand: Demand[], causationId: string, now: Date): Promise<ReserveOutcome> {
    const at = now.toISOString();
    const held = new Map<string, ReservedLine>();
    for (const h of await deps.stock.holdsOf(order.orderId, demand.map((d) => d.sku))) held.set(h.sku, { sku: h.sku, quantity: h.quantity, locationId: h.locationId });
    const rest = demand.filter((d) => !held.has(d.sku));
    const p = rest.length > 0 ? await plan(rest) : { locationId: held.values().next().value!.locationId! };
    if ('shortages' in p) return reject(order, p.shortages, causationId, now);

    for (const stage of stages(rest)) {
      let left = stage;
      while (left.length > 0) {
        const movements: StockMovement[] = left.map((d) => ({
          sku: d.sku, locationId: p.locationId, movement: 'RESERVE', quantity: d.quantity, actor: reserver, cause: { orderId: order.orderId }, hold: 'create',
        }));
        try {
          await write(holdStageChangeSet(order, movements, at), order.orderId, causationId, now);
          for (const d of left) held.set(d.sku, { ...d, locationId: p.locationId });
          left = [];
        } catch (err) {
          if (!(err instanceof ConditionFailed)) throw err;
          if (err.find('order')) return leftPending(order.orderId, causationId, now);
          const already = failedSkus(err, 'hold');
          if (already.length > 0) {
            for (const { sku, old } of already) held.set(sku, { sku, quantity: Number(old?.quantity), locationId: String(old?.locationId) });
            left = left.filter((d) => !held.has(d.sku));
            continue;
          }
          // a level short at the planned location (it moved since it was read): the
          // location's item as it was says how many were available
          const levels = failedSkus(err, 'stock');
          const shortages = left.filter((d) => levels.some((l) => l.sku === d.sku)).map((d) => ({
            sku: d.sku, requested: d.quantity, available: Number(levels.find((l) => l.sku === d.sku && l.old?.locationId === p.locationId)?.old?.available ?? 0),
          }));
          if (shortages.length === 0) throw err;
          return reject(order, shortages, causationId, now);
        }
      }
    }

    try {
      const reservedLines = demand.map((d) => held.get(d.sku)!);
      await commit(order, { type: 'reserve-succeeded', actor: RESERVER, reason: `at ${p.locationId}` }, succeeded(order, demand), { locationId: p.locationId, reservedLines }, causationId, now);
      return { outcome: 'reserved', reservations: demand, reorderCheck: demand.map((d) => d.sku), placedAt: order.createdAt };
    } catch (err) {
      if (err instanceof ConditionFailed && (err.find('order') || err.find('reservation'))) return leftPending(order.orderId, causationId, now);
      throw err;
    }
  }

  /** What a reservation's decision knows: the demand, and what StockReserved tells review. */
  const succeeded = (order: PlacedOrder, demand: readonly Demand[]) => {
    const reserved = reservedFacts(order);
    return { reservations: demand, ...(reserved ? { reserved } : {}) };
  };

  /** The order as stored: PENDING is reserved (in stages when big), anything else only ends what it may still hold. */
  async function reserveStored(orderId: string, causationId: string, now: Date): Promise<ReserveOutcome> {
    const order = await deps.orders.getRecord(orderId);
    if (!order) throw new Error(`Order ${orderId} not found`);
    if (order.status !== 'PENDING') {
      await settleHolds(order, { causationId, now });
      return { outcome: 'skipped', status: order.status };
    }
    const demand = summarizeDemand(order.lines);
    if (staged(demand.length)) return reserveStaged(order, demand, causationId, now);
    return reserveWhole(order, demand, false, causationId, now);
  }

  /**
   * One transaction for the whole order. `copy`: the order is the placement's copy, not
   * read; when its condition fails (the order moved since it was placed, or this is a
   * redelivery) the order is read and decided on as it is, in this same call.
   */
  async function reserveWhole(order: PlacedOrder, demand: Demand[], copy: boolean, causationId: string, now: Date): Promise<ReserveOutcome> {
    for (let attempt = 1; ; attempt++) {
      // levels kept from earlier orders may plan the first attempt; one that failed reads them
      const p = await plan(demand, { kept: attempt === 1 });
      try {
        if ('shortages' in p) {
          const reason = shortageReason(p.shortages);
          await commit(order, { type: 'reserve-failed', actor: RESERVER, reason }, { shortages: p.shortages }, {}, causationId, now);
          return { outcome: 'rejected', shortages: p.shortages };
        }
        const { guard, reorderCheck } = withoutReorderPoint(p.reorder, demand);
        await commit(order, { type: 'reserve-succeeded', actor: RESERVER, reason: `at ${p.locationId}` }, succeeded(order, demand), { locationId: p.locationId }, causationId, now, guard);
        keptReserved(demand, p.locationId);
        return { outcome: 'reserved', reservations: demand, reorderCheck, placedAt: order.createdAt };
      } catch (err) {
        if (!(err instanceof ConditionFailed)) throw err;
        // the order or its reservation changed meanwhile: another delivery won (or the copy was stale)
        if (err.find('order') || err.find('reservation')) return copy ? reserveStored(order.orderId, causationId, now) : leftPending(order.orderId, causationId, now);
        // a level moved since it was read, or a reorder point was set: plan again (another location may cover it now)
        if (!err.find('stock') || attempt >= MAX_PLANS) throw err;
      }
    }
  }

  /**
   * `placed`: the order as its OrderPlaced described it (placedOrder), decided on without
   * reading it; a big order, or one that is not PENDING, is read as without it.
   */
  return async function reserve(orderId: string, causationId: string, now: Date, placed?: PlacedOrder): Promise<ReserveOutcome> {
    if (placed?.orderId === orderId && placed.status === 'PENDING') {
      const demand = summarizeDemand(placed.lines);
      if (!staged(demand.length)) return reserveWhole(placed, demand, true, causationId, now);
    }
    return reserveStored(orderId, causationId, now);
  };
}
