// Report math: which event adds what to which counter, the business day an instant
// falls on, the shard a write goes to, and how stored counters are read back
// (sums, groups, percentiles). Pure: the aggregation worker and the reports API
// call it with what they read.
//
// Counters are flat attributes of small items (one per business day and shard, one
// per business day, SKU and shard), added to with DynamoDB's ADD and never rewritten:
// `orders_CNY`, `rev_CNY`, `ch_web_rev_CNY`, `pm_card_amt_CNY`, `h_placed_paid_3`.
// Money counters are integer minor units of the currency named in the attribute.

/** Adds to counters by attribute name. */
export type Tally = Record<string, number>;

// --- where and when -----------------------------------------------------------

/**
 * Every event adds to one of this many day items (by a hash of its event id; the events
 * of one queue batch, counted together, by a hash of the batch's first), and a report sums them. Why 8: a transaction writing one day item costs 2 WCU per KB of the
 * item (a day item with channels, payment methods and histograms is 2-4 KB: 4-8 WCU),
 * and a partition takes about 1,000 WCU/s; one item therefore takes 125-250 events a
 * second before it throttles, and concurrent transactions on one item cancel each other
 * long before that. A million orders a month is ~0.4 orders/s on average and a sale
 * peak perhaps 100 times that (40 orders/s, ~250 events/s): 8 shards give that peak
 * 4-8 times headroom, while a month's report reads 8 x 31 small items (8 queries).
 */
export const REPORT_SHARDS = 8;

/** FNV-1a: stable across runs and runtimes, so a redelivered event picks the same shard. */
export function shardOf(eventId: string, shards = REPORT_SHARDS): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < eventId.length; i++) {
    h ^= eventId.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % shards;
}

export const DEFAULT_REPORT_TIME_ZONE = 'Asia/Shanghai';

const dayFormats = new Map<string, Intl.DateTimeFormat>();
/** The business day (YYYY-MM-DD) an instant falls on in the business's time zone. */
export function businessDay(at: string | Date, timeZone: string): string {
  let f = dayFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(timeZone, f);
  }
  return f.format(typeof at === 'string' ? new Date(at) : at);
}

const DAY_MS = 86_400_000;
const toUtc = (day: string) => Date.parse(`${day}T00:00:00Z`);
const fromUtc = (ms: number) => new Date(ms).toISOString().slice(0, 10);
export const addDays = (day: string, n: number) => fromUtc(toUtc(day) + n * DAY_MS);
/** Days from `from` to `to`, both included. */
export const daysBetween = (from: string, to: string) => Math.round((toUtc(to) - toUtc(from)) / DAY_MS) + 1;
/** The months (YYYY-MM) a day range touches. */
export function monthsOf(from: string, to: string): string[] {
  const months: string[] = [];
  for (let m = from.slice(0, 7); m <= to.slice(0, 7); ) {
    months.push(m);
    const [y, mo] = m.split('-').map(Number) as [number, number];
    m = mo === 12 ? `${y + 1}-01` : `${y}-${String(mo + 1).padStart(2, '0')}`;
  }
  return months;
}
/** The same length of time just before [from, to] (compare=previous). */
export function previousRange(from: string, to: string): { from: string; to: string } {
  const n = daysBetween(from, to);
  return { from: addDays(from, -n), to: addDays(from, -1) };
}

// --- stage durations ----------------------------------------------------------

export const STAGES = ['placed', 'approved', 'paid', 'shipped', 'delivered'] as const;
export type Stage = (typeof STAGES)[number];
/** The durations kept: each step, and the whole way from placed to delivered. */
export const STAGE_PAIRS: readonly (readonly [Stage, Stage])[] = [
  ['placed', 'approved'], ['approved', 'paid'], ['paid', 'shipped'], ['shipped', 'delivered'], ['placed', 'delivered'],
];
/**
 * Upper bounds (seconds) of the histogram buckets; one more bucket holds everything
 * longer. Fixed, so histograms of any two days add up bucket by bucket.
 */
export const DURATION_BOUNDS = [
  60, 300, 900, 1800, 3600, 7200, 14_400, 28_800, 43_200, 86_400, 172_800, 259_200, 432_000, 604_800, 1_209_600, 2_592_000,
] as const;

export function durationBucket(seconds: number): number {
  const i = DURATION_BOUNDS.findIndex((b) => seconds <= b);
  return i === -1 ? DURATION_BOUNDS.length : i;
}
const pairName = ([a, b]: readonly [Stage, Stage]) => `${a}_${b}`;
export const histogramAttr = (pair: readonly [Stage, Stage], bucket: number) => `h_${pairName(pair)}_${bucket}`;
export const histogramSumAttr = (pair: readonly [Stage, Stage]) => `hsum_${pairName(pair)}`;

/**
 * The q-quantile (0..1) of a histogram, interpolated linearly inside the bucket it
 * falls in; in the open last bucket, its lower bound. Undefined when empty.
 */
export function percentile(counts: readonly number[], q: number): number | undefined {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return undefined;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i] ?? 0;
    if (c > 0 && seen + c >= rank) {
      const lower = i === 0 ? 0 : DURATION_BOUNDS[i - 1]!;
      const upper = DURATION_BOUNDS[i];
      if (upper === undefined) return lower;
      return Math.round(lower + ((rank - seen) / c) * (upper - lower));
    }
    seen += c;
  }
  return DURATION_BOUNDS[DURATION_BOUNDS.length - 1];
}

// --- what an event adds -------------------------------------------------------

export const money = (metric: string, currency: string) => `${metric}_${currency}`;
export const byChannel = (channel: string, metric: string) => `ch_${channel}_${metric}`;
export const byMethod = (method: string, metric: string) => `pm_${method}_${metric}`;

/** What the aggregation keeps per order between its events (placement facts and stage times). */
export interface OrderTrail {
  channel?: string;
  currency?: string;
  subtotal?: number;
  total?: number;
  lines?: { sku: string; quantity: number; unitPrice: number; unitCost?: number }[];
  /** ISO instants the order reached each stage */
  at: Partial<Record<Stage, string>>;
  version: number;
}

/** An event as the aggregation reads it: its identity and time, and the facts it carries. */
export type ReportEvent = { eventId: string; occurredAt: string; orderId: string } & (
  | {
      type: 'OrderPlaced';
      channel: string;
      placedAt: string;
      subtotal: { amount: number; currency: string };
      total: { amount: number; currency: string };
      lines: { sku: string; quantity: number; unitPrice: { amount: number }; unitCost?: { amount: number } }[];
    }
  | { type: 'OrderApproved' | 'OrderPaid' | 'OrderShipped' | 'OrderDelivered' }
  | { type: 'PaymentSucceeded'; method: string; amount: { amount: number; currency: string } }
  | { type: 'RefundIssued'; amount: { amount: number; currency: string } }
  | { type: ReturnEventType; kind: string; lines: { sku: string; quantity: number; reason: string }[] }
);

/** The return events the reports count: requests (by SKU and reason), rejections and receipts. */
export const RETURN_REPORT_EVENTS = ['ReturnRequested', 'ReturnRejected', 'ReturnReceived'] as const;
export type ReturnEventType = (typeof RETURN_REPORT_EVENTS)[number];
/** Counter name stems of a return step: requests `rq`, rejections `rj`, receipts `rc`. */
const RETURN_STEP: Record<ReturnEventType, string> = { ReturnRequested: 'rq', ReturnRejected: 'rj', ReturnReceived: 'rc' };

/**
 * A return reason as counted: trimmed, inner spaces collapsed, at most 60 characters and
 * 120 bytes of UTF-8 (its counter's name, in hex, must stay inside DynamoDB's 255 bytes per
 * expression attribute name); empty is "unspecified".
 */
export function reasonOf(text: string): string {
  const encoder = new TextEncoder();
  let clean = '';
  for (const ch of [...text.trim().replace(/\s+/g, ' ')].slice(0, 60)) {
    if (encoder.encode(clean + ch).length > 120) break;
    clean += ch;
  }
  return clean.trim() || 'unspecified';
}
/**
 * The counter of a SKU's requested units for one reason: the reason's UTF-8 bytes in hex
 * (an attribute name DynamoDB's expressions take, whatever the language of the reason).
 */
export const reasonAttr = (reason: string) => `rr_${[...new TextEncoder().encode(reasonOf(reason))].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
/** The reasons counted in a tally, with their units. */
export function reasonsIn(t: Tally): { reason: string; units: number }[] {
  const decoder = new TextDecoder();
  return Object.entries(t)
    .filter(([k, v]) => /^rr_(?:[0-9a-f]{2})+$/.test(k) && v !== 0)
    .map(([k, units]) => ({ reason: decoder.decode(Uint8Array.from(k.slice(3).match(/../g)!.map((h) => parseInt(h, 16)))), units }));
}

const STAGE_OF: Partial<Record<ReportEvent['type'], Stage>> = {
  OrderPlaced: 'placed', OrderApproved: 'approved', OrderPaid: 'paid', OrderShipped: 'shipped', OrderDelivered: 'delivered',
};

/**
 * A day's counters are kept in parts, one counter item per part and shard, so that each
 * report reads only the counters it shows: the sales totals (sales and profit by time);
 * the same by channel; payments by method; stage durations (the histograms); return
 * counts. Each part has a small, fixed set of counters that the first few orders of a day
 * fill, so a report reads as many bytes at a thousand orders a month as at a million, and
 * the sales report does not carry the histograms.
 */
export const DAY_PARTS = ['sales', 'channels', 'payments', 'times', 'returns'] as const;
export type DayPart = (typeof DAY_PARTS)[number];

/** The part of a day's counters a counter belongs to (by its name). */
export function dayPartOf(counter: string): DayPart {
  if (counter.startsWith('ch_')) return 'channels';
  if (counter.startsWith('pm_')) return 'payments';
  if (counter.startsWith('h_') || counter.startsWith('hsum_')) return 'times';
  if (/^r[qjc]_/.test(counter)) return 'returns';
  return 'sales';
}

/** Adds to one counter item: one part of a day's counters, or a day's line of one SKU. */
export interface Increment {
  day: string;
  sku?: string;
  /** which part of the day's counters (day items only; merge() sets it) */
  part?: DayPart;
  add: Tally;
}

export type Aggregation =
  | {
      /** what to set on the trail (absent: the trail is not touched) */
      trail?: { set: Partial<Omit<OrderTrail, 'version' | 'at'>>; at: Partial<Record<Stage, string>> };
      increments: Increment[];
    }
  /** the event needs its order's placement facts, which have not been counted yet: retry later */
  | { wait: string };

/** What an aggregation sets on the order's trail. */
export type TrailChange = NonNullable<Extract<Aggregation, { increments: Increment[] }>['trail']>;

/** The order's trail once an event's trail change is written: the next version. */
export function trailAfter(trail: OrderTrail | undefined, change: TrailChange): OrderTrail {
  return { ...trail, ...change.set, at: { ...trail?.at, ...change.at }, version: (trail?.version ?? 0) + 1 };
}

function addTo(target: Tally, key: string, n: number) {
  if (n !== 0) target[key] = (target[key] ?? 0) + n;
}

/**
 * What one event adds, on which business day: OrderPlaced records the order's facts and
 * counts a placed order; OrderPaid counts the sale (orders, units, revenue, discounts,
 * cost of goods as captured at placement) by channel and SKU on the day it was paid;
 * PaymentSucceeded counts money per method; RefundIssued counts the refund on its own
 * day (a return's refund too: it lowers that day's net revenue and profit); a return
 * request counts its units per SKU and reason, a rejection and a receipt their units per
 * SKU, each on its own day. Each stage event records the stage's time and every
 * duration it completes.
 */
export function aggregate(event: ReportEvent, trail: OrderTrail | undefined, timeZone: string): Aggregation {
  const day = businessDay(event.occurredAt, timeZone);
  const totals: Tally = {};
  const increments: Increment[] = [];
  let set: Partial<Omit<OrderTrail, 'version' | 'at'>> | undefined;

  switch (event.type) {
    case 'OrderPlaced': {
      const cur = event.total.currency;
      set = {
        channel: event.channel, currency: cur, subtotal: event.subtotal.amount, total: event.total.amount,
        lines: event.lines.map((l) => ({
          sku: l.sku, quantity: l.quantity, unitPrice: l.unitPrice.amount, ...(l.unitCost ? { unitCost: l.unitCost.amount } : {}),
        })),
      };
      addTo(totals, money('placed', cur), 1);
      addTo(totals, byChannel(event.channel, money('placed', cur)), 1);
      break;
    }
    case 'OrderPaid': {
      if (!trail?.lines || !trail.currency || !trail.channel) return { wait: `order ${event.orderId} is not counted as placed yet` };
      const cur = trail.currency;
      const units = trail.lines.reduce((n, l) => n + l.quantity, 0);
      const cogs = trail.lines.reduce((n, l) => n + (l.unitCost ?? 0) * l.quantity, 0);
      const sale: Tally = { orders: 1, units, rev: trail.total ?? 0, disc: (trail.subtotal ?? 0) - (trail.total ?? 0), cogs };
      for (const [metric, n] of Object.entries(sale)) {
        addTo(totals, money(metric, cur), n);
        addTo(totals, byChannel(trail.channel, money(metric, cur)), n);
      }
      const bySku = new Map<string, Tally>();
      for (const l of trail.lines) {
        const t = bySku.get(l.sku) ?? {};
        addTo(t, money('units', cur), l.quantity);
        addTo(t, money('rev', cur), l.unitPrice * l.quantity);
        addTo(t, money('cogs', cur), (l.unitCost ?? 0) * l.quantity);
        bySku.set(l.sku, t);
      }
      for (const [sku, t] of bySku) {
        addTo(t, money('orders', cur), 1);
        increments.push({ day, sku, add: t });
      }
      break;
    }
    case 'PaymentSucceeded': {
      const cur = event.amount.currency;
      addTo(totals, byMethod(event.method, money('n', cur)), 1);
      addTo(totals, byMethod(event.method, money('amt', cur)), event.amount.amount);
      break;
    }
    case 'RefundIssued': {
      if (!trail?.channel) return { wait: `order ${event.orderId} is not counted as placed yet` };
      const cur = event.amount.currency;
      addTo(totals, money('refunds', cur), event.amount.amount);
      addTo(totals, byChannel(trail.channel, money('refunds', cur)), event.amount.amount);
      addTo(totals, money('refundn', cur), 1);
      break;
    }
    case 'ReturnRequested':
    case 'ReturnRejected':
    case 'ReturnReceived': {
      const step = RETURN_STEP[event.type];
      addTo(totals, `${step}_n`, 1);
      if (event.type === 'ReturnRequested') addTo(totals, `rq_${event.kind}`, 1);
      for (const l of event.lines) {
        const add: Tally = { [`${step}_units`]: l.quantity };
        if (event.type === 'ReturnRequested') add[reasonAttr(l.reason)] = l.quantity;
        increments.push({ day, sku: l.sku, add });
      }
      break;
    }
    default:
      break;
  }

  const stage = STAGE_OF[event.type];
  const at: Partial<Record<Stage, string>> = {};
  if (stage && !trail?.at[stage]) {
    const when = event.type === 'OrderPlaced' ? event.placedAt : event.occurredAt;
    at[stage] = when;
    const known = { ...trail?.at, [stage]: when };
    for (const pair of STAGE_PAIRS) {
      if (!pair.includes(stage)) continue;
      const [a, b] = pair;
      const start = known[a];
      const end = known[b];
      if (!start || !end) continue;
      const seconds = Math.max(0, Math.round((Date.parse(end) - Date.parse(start)) / 1000));
      // a duration counts on the business day it ended
      increments.push({ day: businessDay(end, timeZone), add: { [histogramAttr(pair, durationBucket(seconds))]: 1, [histogramSumAttr(pair)]: seconds } });
    }
  }
  if (Object.keys(totals).length) increments.unshift({ day, add: totals });
  const touched = set || Object.keys(at).length;
  return { ...(touched ? { trail: { set: set ?? {}, at } } : {}), increments: merge(increments) };
}

/** One increment per counter item: a day's counters split into their parts, a SKU's kept whole. */
export function merge(increments: readonly Increment[]): Increment[] {
  const out = new Map<string, Increment>();
  for (const inc of increments) {
    for (const [a, n] of Object.entries(inc.add)) {
      const where = inc.sku ? { sku: inc.sku } : { part: dayPartOf(a) };
      const k = itemId({ day: inc.day, shard: 0, ...where });
      const cur = out.get(k) ?? { day: inc.day, ...where, add: {} };
      addTo(cur.add, a, n);
      out.set(k, cur);
    }
  }
  return [...out.values()];
}

// --- reading back -------------------------------------------------------------

/** The sum of several counter items' numeric attributes (the shards of a bucket). */
export function sumTallies(tallies: Iterable<Tally>): Tally {
  const out: Tally = {};
  for (const t of tallies) for (const [k, v] of Object.entries(t)) if (typeof v === 'number') addTo(out, k, v);
  return out;
}

export type GroupBy = 'day' | 'week' | 'month' | 'channel' | 'sku';

/** The Monday (YYYY-MM-DD) of a day's ISO week. */
export function weekOf(day: string): string {
  const dow = (new Date(toUtc(day)).getUTCDay() + 6) % 7;
  return addDays(day, -dow);
}

export const timeGroup = (day: string, groupBy: 'day' | 'week' | 'month') =>
  groupBy === 'day' ? day : groupBy === 'week' ? weekOf(day) : day.slice(0, 7);

/** The channels seen in a tally (`ch_<channel>_...`). */
export function channelsIn(t: Tally): string[] {
  return [...new Set(Object.keys(t).filter((k) => k.startsWith('ch_')).map((k) => k.split('_')[1]!))].sort();
}

/** The sub-tally of one channel, with the channel prefix taken off. */
export function channelTally(t: Tally, channel: string): Tally {
  const prefix = `ch_${channel}_`;
  return Object.fromEntries(Object.entries(t).filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
}

/** The currencies named by money counters of a tally, most orders (or payments) first. */
export function currenciesIn(t: Tally): string[] {
  const cur = new Map<string, number>();
  for (const [k, v] of Object.entries(t)) {
    const m = /_([A-Z]{3})$/.exec(k);
    if (m) cur.set(m[1]!, (cur.get(m[1]!) ?? 0) + (k.startsWith('orders_') || /^pm_.+_n_[A-Z]{3}$/.test(k) ? v : 0));
  }
  return [...cur.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([c]) => c);
}

export interface SalesFigures { orders: number; units: number; revenue: number; discounts: number; refunds: number; netRevenue: number }
export function salesOf(t: Tally, currency: string): SalesFigures {
  const g = (m: string) => t[money(m, currency)] ?? 0;
  return { orders: g('orders'), units: g('units'), revenue: g('rev'), discounts: g('disc'), refunds: g('refunds'), netRevenue: g('rev') - g('refunds') };
}

export interface ProfitFigures { revenue: number; costOfGoods: number; refunds: number; paymentFees: number; grossProfit: number; marginPercent: number | null }
/** Profit = revenue - cost of goods - refunds - payment fees (none reported by the providers yet: 0). */
export function profitOf(t: Tally, currency: string): ProfitFigures {
  const g = (m: string) => t[money(m, currency)] ?? 0;
  const revenue = g('rev');
  const fees = g('fees');
  const grossProfit = revenue - g('cogs') - g('refunds') - fees;
  return {
    revenue, costOfGoods: g('cogs'), refunds: g('refunds'), paymentFees: fees, grossProfit,
    marginPercent: revenue === 0 ? null : Math.round((grossProfit / revenue) * 1000) / 10,
  };
}

/** Count, mean, p50 and p90 (seconds) of each stage duration in a tally. */
export function durationsOf(t: Tally): { from: Stage; to: Stage; count: number; meanSeconds: number | null; p50Seconds: number | null; p90Seconds: number | null }[] {
  return STAGE_PAIRS.map((pair) => {
    const counts = Array.from({ length: DURATION_BOUNDS.length + 1 }, (_, i) => t[histogramAttr(pair, i)] ?? 0);
    const count = counts.reduce((a, b) => a + b, 0);
    return {
      from: pair[0], to: pair[1], count,
      meanSeconds: count ? Math.round((t[histogramSumAttr(pair)] ?? 0) / count) : null,
      p50Seconds: percentile(counts, 0.5) ?? null,
      p90Seconds: percentile(counts, 0.9) ?? null,
    };
  });
}

/** The payment methods in a tally, with count and amount in one currency. */
export function paymentsOf(t: Tally, currency: string): { method: string; payments: number; amount: number }[] {
  // methods may hold underscores (bank_transfer): the metric and currency are the last two parts
  const methods = [...new Set(Object.keys(t).flatMap((k) => /^pm_(.+)_(?:n|amt)_[A-Z]{3}$/.exec(k)?.[1] ?? []))].sort();
  return methods
    .map((m) => ({ method: m, payments: t[byMethod(m, money('n', currency))] ?? 0, amount: t[byMethod(m, money('amt', currency))] ?? 0 }))
    .filter((r) => r.payments > 0 || r.amount > 0);
}

/** Return requests of a day tally: all, by kind, and the rejections and receipts. */
export function returnCountsOf(t: Tally) {
  const g = (k: string) => t[k] ?? 0;
  return { requests: g('rq_n'), returns: g('rq_return'), exchanges: g('rq_exchange'), claims: g('rq_claim'), rejected: g('rj_n'), received: g('rc_n') };
}

/**
 * Returned units of a SKU tally (or several summed): requested, rejected, received, the
 * units sold in the same days, and the return rate (requested and not rejected over sold).
 */
export function returnUnitsOf(t: Tally) {
  const g = (k: string) => t[k] ?? 0;
  const sold = Object.entries(t).filter(([k]) => /^units_[A-Z]{3}$/.test(k)).reduce((n, [, v]) => n + v, 0);
  const kept = g('rq_units') - g('rj_units');
  return {
    unitsRequested: g('rq_units'), unitsRejected: g('rj_units'), unitsReceived: g('rc_units'), unitsSold: sold,
    returnRatePercent: sold === 0 ? null : Math.round((kept / sold) * 1000) / 10,
  };
}

/** Change from `previous` to `current` in percent (one decimal); null when there was nothing before. */
export function changePercent(current: number, previous: number): number | null {
  if (previous === 0) return null;
  return Math.round(((current - previous) / Math.abs(previous)) * 1000) / 10;
}

// --- sales velocity (inventory report and replenishment) -------------------------
// One definition, in the replenishment rules: the inventory report shows the velocity and
// days of cover that replenishment's suggested quantity is computed from.
export { daysOfCover, salesVelocity, VELOCITY_WINDOW_DAYS } from './replenishment';

// --- counting a whole history at once (rebuild, bulk loads) ------------------------

/** A counter item's increments: its business day, shard and (for a SKU line) SKU. */
export interface ShardIncrement extends Increment {
  shard: number;
}

function itemId(i: { day: string; shard: number; sku?: string; part?: DayPart }): string {
  return `${i.day}|${i.shard}|${i.sku ?? ''}|${i.part ?? ''}`;
}
const TYPE_RANK: Partial<Record<ReportEvent['type'], number>> = { OrderPlaced: 0 };

/**
 * Counts a history of events in memory, with the same rules as the worker counts them one
 * by one: each event id once, an order's placement before its other events (the worker
 * waits for it), then in the order they happened; each event on the shard of its id.
 * Events of an order whose placement is not in the history are returned uncounted.
 */
export function countAll(events: Iterable<ReportEvent>, timeZone: string, shards = REPORT_SHARDS): { items: ShardIncrement[]; counted: number; uncounted: ReportEvent[] } {
  const byOrder = new Map<string, Map<string, ReportEvent>>();
  for (const e of events) {
    const of = byOrder.get(e.orderId) ?? new Map<string, ReportEvent>();
    if (!of.has(e.eventId)) of.set(e.eventId, e);
    byOrder.set(e.orderId, of);
  }
  const items = new Map<string, ShardIncrement>();
  const uncounted: ReportEvent[] = [];
  let counted = 0;
  for (const of of byOrder.values()) {
    const ordered = [...of.values()].sort((a, b) =>
      (TYPE_RANK[a.type] ?? 1) - (TYPE_RANK[b.type] ?? 1) || a.occurredAt.localeCompare(b.occurredAt) || a.eventId.localeCompare(b.eventId));
    let trail: OrderTrail | undefined;
    for (const e of ordered) {
      const decided = aggregate(e, trail, timeZone);
      if ('wait' in decided) {
        uncounted.push(e);
        continue;
      }
      counted++;
      if (decided.trail) trail = trailAfter(trail, decided.trail);
      const shard = shardOf(e.eventId, shards);
      for (const inc of decided.increments) {
        const k = itemId({ ...inc, shard });
        const cur = items.get(k) ?? { day: inc.day, shard, ...(inc.sku ? { sku: inc.sku } : { part: inc.part ?? 'sales' }), add: {} };
        for (const [a, n] of Object.entries(inc.add)) addTo(cur.add, a, n);
        items.set(k, cur);
      }
    }
  }
  return { items: [...items.values()], counted, uncounted };
}

/** One counter that differs between two sets of report items (shards summed). */
export interface CounterDrift {
  day: string;
  sku?: string;
  counter: string;
  live: number;
  rebuilt: number;
}

/**
 * The counters that differ between the live items and the rebuilt ones, per business day
 * (and SKU), shards summed: the same events counted twice, missed, or a counter changed
 * by hand all show here.
 */
export function compareCounters(
  live: readonly { day: string; sku?: string; tally: Tally }[],
  rebuilt: readonly { day: string; sku?: string; tally: Tally }[],
): CounterDrift[] {
  const sum = (xs: readonly { day: string; sku?: string; tally: Tally }[]) => {
    const out = new Map<string, { day: string; sku?: string; tally: Tally }>();
    for (const x of xs) {
      const k = `${x.day}|${x.sku ?? ''}`;
      const cur = out.get(k) ?? { day: x.day, ...(x.sku !== undefined ? { sku: x.sku } : {}), tally: {} };
      for (const [a, n] of Object.entries(x.tally)) addTo(cur.tally, a, n);
      out.set(k, cur);
    }
    return out;
  };
  const a = sum(live);
  const b = sum(rebuilt);
  const drifts: CounterDrift[] = [];
  for (const k of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const l = a.get(k);
    const r = b.get(k);
    const at = (l ?? r)!;
    for (const counter of [...new Set([...Object.keys(l?.tally ?? {}), ...Object.keys(r?.tally ?? {})])].sort()) {
      const lv = l?.tally[counter] ?? 0;
      const rv = r?.tally[counter] ?? 0;
      if (lv !== rv) drifts.push({ day: at.day, ...(at.sku !== undefined ? { sku: at.sku } : {}), counter, live: lv, rebuilt: rv });
    }
  }
  return drifts;
}
