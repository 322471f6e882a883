import * as z from 'zod';
import { lazySchema } from './lazy-schema';

// The order's story for customer service: everything that happened to one order,
// merged into one list in time order. Pure: the reads are the store's (one Query of
// the order's partition, the parcels' tracking records by key, the notifications
// index), the merging is here.

export const STORY_KINDS = ['timeline', 'payment', 'refund', 'fulfilment', 'shipment', 'checkpoint', 'return', 'notification', 'feedback'] as const;

/** One thing that happened, as a line of the story. */
export const StoryEvent = lazySchema(() =>
  z.object({
    /** ISO timestamp (UTC) */
    at: z.iso.datetime(),
    kind: z.enum(STORY_KINDS),
    /** what happened, in the source's own terms (ORDER_PLACED, SUCCEEDED, IN_TRANSIT, OrderCancelled, ...) */
    type: z.string(),
    summary: z.string(),
    /** the id of what it is about (paymentId, refundId, shipmentId, trackingNumber, returnId, ...) */
    ref: z.string().optional(),
    actor: z.string().optional(),
  }),
);
export type StoryEvent = z.infer<typeof StoryEvent>;

interface Amount {
  amount: number;
  currency: string;
}
const money = (m: Amount) => `${m.amount} ${m.currency}`;

/** What the story is merged from (each part as the order's own views show it). */
export interface StorySources {
  timeline: readonly { at: string; type: string; actor: string; detail?: string | undefined }[];
  payments: readonly { paymentId: string; provider: string; method: string; amount: Amount; status: string; createdAt: string; settledAt?: string | undefined }[];
  refunds: readonly { refundId: string; amount: Amount; reason: string; status: string; createdAt: string; settledAt?: string | undefined }[];
  fulfilments: readonly { fulfillmentId: string; status: string; createdAt: string; packedAt?: string | undefined }[];
  shipments: readonly { shipmentId: string; carrier: string; trackingNumber: string; createdAt: string }[];
  tracking: readonly { trackingNumber: string; checkpoints: readonly { at: string; status: string; description: string; location?: string | undefined }[] }[];
  returns: readonly { returnId?: unknown; type?: unknown; status?: unknown; createdAt?: unknown }[];
  notifications: readonly { department: string; detailType: string; subject: string; occurredAt: string; recordedAt: string }[];
  feedback?: { rating: number; comment?: string | undefined; createdAt: string } | undefined;
}

const utc = (at: string) => new Date(at).toISOString();

/**
 * Every source as lines of one list, oldest first (ties keep the order of the kinds in
 * STORY_KINDS, then the source's own order): the timeline, each payment (started,
 * settled), each refund (requested, settled), fulfilments (created, packed),
 * shipments, every tracking checkpoint, returns, the notifications sent and feedback.
 */
export function storyEvents(s: StorySources): StoryEvent[] {
  const out: StoryEvent[] = [];
  const add = (e: StoryEvent) => out.push({ ...e, at: utc(e.at) });
  for (const t of s.timeline) add({ at: t.at, kind: 'timeline', type: t.type, summary: t.detail ?? t.type, actor: t.actor });
  for (const p of s.payments) {
    add({ at: p.createdAt, kind: 'payment', type: 'STARTED', summary: `${p.method} payment of ${money(p.amount)} with ${p.provider}`, ref: p.paymentId });
    if (p.settledAt) add({ at: p.settledAt, kind: 'payment', type: p.status, summary: `Payment ${p.status.toLowerCase()}: ${money(p.amount)}`, ref: p.paymentId });
  }
  for (const r of s.refunds) {
    add({ at: r.createdAt, kind: 'refund', type: 'REQUESTED', summary: `Refund of ${money(r.amount)}: ${r.reason}`, ref: r.refundId });
    if (r.settledAt) add({ at: r.settledAt, kind: 'refund', type: r.status, summary: `Refund ${r.status.toLowerCase()}: ${money(r.amount)}`, ref: r.refundId });
  }
  for (const f of s.fulfilments) {
    add({ at: f.createdAt, kind: 'fulfilment', type: 'CREATED', summary: 'Fulfilment created', ref: f.fulfillmentId });
    if (f.packedAt) add({ at: f.packedAt, kind: 'fulfilment', type: 'PACKED', summary: 'Fulfilment packed', ref: f.fulfillmentId });
  }
  for (const sh of s.shipments) add({ at: sh.createdAt, kind: 'shipment', type: 'SHIPPED', summary: `Shipped with ${sh.carrier}, tracking ${sh.trackingNumber}`, ref: sh.shipmentId });
  for (const t of s.tracking) {
    for (const c of t.checkpoints) {
      add({ at: c.at, kind: 'checkpoint', type: c.status, summary: c.location ? `${c.description} (${c.location})` : c.description, ref: t.trackingNumber });
    }
  }
  for (const r of s.returns) {
    if (typeof r.createdAt !== 'string') continue;
    add({ at: r.createdAt, kind: 'return', type: String(r.status ?? 'REQUESTED'), summary: `${String(r.type ?? 'return')} requested`, ...(typeof r.returnId === 'string' ? { ref: r.returnId } : {}) });
  }
  for (const n of s.notifications) add({ at: n.recordedAt, kind: 'notification', type: n.detailType, summary: `${n.department}: ${n.subject}` });
  if (s.feedback) add({ at: s.feedback.createdAt, kind: 'feedback', type: `RATED_${s.feedback.rating}`, summary: s.feedback.comment ?? `Rated ${s.feedback.rating} of 5` });
  const rank = (k: StoryEvent['kind']) => STORY_KINDS.indexOf(k);
  return out
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.at.localeCompare(b.e.at) || rank(a.e.kind) - rank(b.e.kind) || a.i - b.i)
    .map(({ e }) => e);
}
