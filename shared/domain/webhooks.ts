import * as z from 'zod';
import { humanText } from './text';
import { lazySchema } from './lazy-schema';

// Outbound webhooks: what a subscription is, which events it takes, and how a delivery
// moves from its first attempt to delivered or failed. Pure: the clock and the random
// source are arguments, so the retry schedule is a table a test can read.

/** A subscription's id, chosen by the admin (it names the partner): `erp`, `crm-eu`. */
export const WebhookId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be 1-63 lowercase letters, digits or "-"');

/**
 * An event pattern: a detail type (`OrderPaid`), a prefix of detail types (`Order*`,
 * `Shipment*`), or `*` for every event.
 */
export const EventPatternText = z.string().regex(/^(\*|[A-Z][A-Za-z0-9]{0,63}\*?)$/, 'must be a detail type (OrderPaid), a prefix ending in * (Order*), or *');

/** Secrets partners sign with: at least 24 characters, printable ASCII (whsec_… as generated). */
export const WebhookSecretText = z.string().regex(/^[\x21-\x7e]{24,200}$/, 'must be 24-200 visible ASCII characters');

export const WebhookInput = lazySchema(() =>
  z.strictObject({
    url: z.string().max(2048),
    events: z.array(EventPatternText).min(1).max(50),
    /** a new signing secret; absent: keep the current one (or generate one for a new subscription) */
    secret: WebhookSecretText.optional(),
    active: z.boolean(),
    description: humanText({ max: 200 }).optional(),
  }),
);
export type WebhookInput = z.infer<typeof WebhookInput>;

/** Whether an event's detail type is one a subscription's patterns take. */
export function patternMatches(pattern: string, detailType: string): boolean {
  if (pattern === '*') return true;
  return pattern.endsWith('*') ? detailType.startsWith(pattern.slice(0, -1)) : pattern === detailType;
}

export const subscribedTo = (patterns: readonly string[], detailType: string) => patterns.some((p) => patternMatches(p, detailType));

/** Patterns that match no known event: a typo the admin should hear about, not a silent subscription to nothing. */
export const unknownPatterns = (patterns: readonly string[], known: readonly string[]) =>
  patterns.filter((p) => !known.some((t) => patternMatches(p, t)));

// --- signing secrets ---------------------------------------------------------------

/** A signing secret as the domain sees it (the store keeps it encrypted). */
export interface SigningSecret {
  secret: string;
  createdAt: string;
  /** while set, this (replaced) secret still signs, until then */
  retiresAt?: string;
}

/** What GET shows of a secret: never the secret, enough to tell which one the partner holds. */
export const secretHint = (secret: string) => `${secret.slice(0, 6)}…${secret.slice(-4)}`;

/**
 * The secrets that sign after `next` is set: the new one first, then the one it replaces,
 * which keeps signing for `overlapMs` so the partner can switch without losing a delivery.
 * Secrets already retired drop out.
 */
export function rotateSecrets(current: readonly SigningSecret[], next: string, now: Date, overlapMs: number): SigningSecret[] {
  const live = signingSecrets(current, now);
  if (live[0]?.secret === next) return live;
  const retiresAt = new Date(now.getTime() + overlapMs).toISOString();
  const previous = live[0] ? [{ ...live[0], retiresAt: live[0].retiresAt ?? retiresAt }] : [];
  return [{ secret: next, createdAt: now.toISOString() }, ...previous];
}

/** The secrets that sign now: the current one and any replaced one not yet retired. */
export const signingSecrets = (secrets: readonly SigningSecret[], now: Date) =>
  secrets.filter((s) => s.retiresAt === undefined || new Date(s.retiresAt).getTime() > now.getTime());

// --- deliveries ----------------------------------------------------------------------

export const DELIVERY_STATUSES = ['PENDING', 'DELIVERED', 'FAILED'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface RetryPolicy {
  /** the first retry's delay; each next one doubles */
  baseDelayMs: number;
  /** no delay is longer than this */
  maxDelayMs: number;
  /** how long after the event's first attempt a delivery keeps being retried */
  giveUpAfterMs: number;
  /** consecutive failed attempts (any event) that pause the subscription */
  pauseAfterFailures: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  baseDelayMs: 30_000,
  maxDelayMs: 2 * 3600_000,
  giveUpAfterMs: 24 * 3600_000,
  pauseAfterFailures: 10,
};

/**
 * The delay before retry number `attempt` (1 = after the first failure): exponential
 * (base × 2^(attempt-1), capped) with "equal jitter" — half fixed, half random — so a
 * partner coming back is not hit by every delivery in the same second, and no retry
 * comes sooner than half its step. `random` is in [0, 1).
 */
export function retryDelayMs(attempt: number, policy: RetryPolicy, random: number): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(step / 2 + (step / 2) * random);
}

/** What an attempt returned: the partner's HTTP status, or why there was none. */
export type AttemptOutcome = { status: number } | { error: string };

/** A 2xx is the partner's acknowledgement; anything else (3xx included: redirects are not followed) is a failure. */
export const acknowledged = (o: AttemptOutcome) => 'status' in o && o.status >= 200 && o.status < 300;

export interface DeliveryState {
  status: DeliveryStatus;
  attempts: number;
  /** when the first attempt was made (the retry window runs from it) */
  firstAttemptAt?: string;
}

export type AttemptResult =
  | { status: 'DELIVERED'; attempts: number; at: string }
  | { status: 'PENDING'; attempts: number; at: string; nextAttemptAt: string }
  | { status: 'FAILED'; attempts: number; at: string };

/** Where a delivery stands after an attempt: delivered, due again after a backoff, or failed for good past the retry window. */
export function afterAttempt(d: DeliveryState, outcome: AttemptOutcome, now: Date, policy: RetryPolicy, random: number): AttemptResult {
  const attempts = d.attempts + 1;
  const at = now.toISOString();
  if (acknowledged(outcome)) return { status: 'DELIVERED', attempts, at };
  const first = new Date(d.firstAttemptAt ?? at).getTime();
  const next = now.getTime() + retryDelayMs(attempts, policy, random);
  if (next - first > policy.giveUpAfterMs) return { status: 'FAILED', attempts, at };
  return { status: 'PENDING', attempts, at, nextAttemptAt: new Date(next).toISOString() };
}

/**
 * A delivery whose subscription is paused is not sent: it waits the longest step and
 * is looked at again (sent once the subscription is active), failed at the end of its
 * window like any other. Its attempts are not counted.
 */
export function postponed(d: DeliveryState, now: Date, policy: RetryPolicy): AttemptResult {
  const at = now.toISOString();
  const first = new Date(d.firstAttemptAt ?? at).getTime();
  const next = now.getTime() + policy.maxDelayMs;
  if (next - first > policy.giveUpAfterMs) return { status: 'FAILED', attempts: d.attempts, at };
  return { status: 'PENDING', attempts: d.attempts, at, nextAttemptAt: new Date(next).toISOString() };
}

/** A subscription is paused when this many attempts in a row failed (any event). */
export const pausesAfter = (consecutiveFailures: number, policy: RetryPolicy) => consecutiveFailures >= policy.pauseAfterFailures;

/** The body a partner receives: the event's identity, type and time, and its data as published. */
export function deliveryBody(e: { eventId: string; detailType: string; source: string; occurredAt: string; data: unknown }): string {
  return JSON.stringify({ id: e.eventId, type: e.detailType, source: e.source, occurredAt: e.occurredAt, data: e.data });
}
