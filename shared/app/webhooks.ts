import { EVENTS } from '../../events/catalog';
import type { ChangeSet } from '../domain/decision';
import { BusinessRuleError, ConflictError, NotFoundError, ValidationError } from '../domain/errors';
import { RefusedUrl, checkUrl, type UrlRules } from '../domain/webhook-urls';
import { deliveryHeaders } from '../domain/webhook-signature';
import {
  afterAttempt, deliveryBody, pausesAfter, postponed, rotateSecrets, secretHint, signingSecrets, subscribedTo, unknownPatterns,
  type AttemptResult, type RetryPolicy, type SigningSecret, type WebhookInput,
} from '../domain/webhooks';
import type { Page } from '../store/table';
import type { StoredDelivery, StoredWebhook, WebhookRepository } from '../store/webhook-repository';
import type { Writer } from '../store/writer';
import { INTEGRATION_EVENTS } from '../../events/integrations';
import { stamper } from './events';
import { checkedAddresses, generateSecret, type Resolve, type SecretBox, type WebhookPost } from './webhook-transport';
import { readEvery } from './read-every';

/** The events these use cases publish, stamped for the outbox. */
const stamped = stamper(INTEGRATION_EVENTS);

// Outbound webhooks: an admin's subscriptions, and the deliveries of events to them.
// Every matching event gets one delivery record per subscription (put once, so a
// redelivered event is not sent twice), sent at once and, while the partner fails,
// retried from the table with exponential backoff and jitter (RetryPolicy) until
// delivered or the retry window ends (FAILED). A delivery is claimed for each attempt,
// so two workers never send it at the same moment, and a worker that dies mid-attempt
// leaves it due again when its claim ends: at least once, nothing lost.

export interface WebhookDeps {
  repo: WebhookRepository;
  writer: Pick<Writer, 'commit'>;
  box: SecretBox;
  post: WebhookPost;
  resolve: Resolve;
  rules: UrlRules;
  policy: RetryPolicy;
  /** how long a replaced secret keeps signing */
  secretOverlapMs: number;
  /** how long one attempt holds a delivery (longer than the POST's deadline) */
  claimMs: number;
  now: () => Date;
  random: () => number;
  /**
   * How long the delivery worker reuses the list of subscriptions it read (0, the default:
   * read for every event). A subscription added or changed meanwhile takes effect for
   * events fanned out after that time; one paused meanwhile is still sent nothing (each
   * attempt reads its subscription), its new deliveries wait like any paused one's.
   */
  subscriptionsTtlMs?: number;
}

/** What GET shows of a subscription: never a secret, only hints of those that sign. */
export interface WebhookView {
  id: string;
  url: string;
  events: string[];
  active: boolean;
  description?: string;
  secrets: { hint: string; createdAt: string; retiresAt?: string }[];
  consecutiveFailures: number;
  pausedAt?: string;
  pausedReason?: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export type DeliveryView = Omit<StoredDelivery, 'body' | 'webhookId'>;

/** An event as the delivery worker reads it off the bus. */
export interface BusEvent {
  eventId: string;
  detailType: string;
  source: string;
  occurredAt: string;
  data: unknown;
}

const KNOWN_EVENTS = EVENTS.map((e) => e.detailType);

export const viewOf = (w: StoredWebhook, now: Date): WebhookView => ({
  id: w.webhookId, url: w.url, events: w.events, active: w.active,
  ...(w.description !== undefined ? { description: w.description } : {}),
  secrets: w.secrets
    .filter((s) => signingSecrets([{ secret: '', createdAt: s.createdAt, ...(s.retiresAt ? { retiresAt: s.retiresAt } : {}) }], now).length > 0)
    .map((s) => ({ hint: s.hint, createdAt: s.createdAt, ...(s.retiresAt ? { retiresAt: s.retiresAt } : {}) })),
  consecutiveFailures: w.consecutiveFailures,
  ...(w.pausedAt ? { pausedAt: w.pausedAt } : {}),
  ...(w.pausedReason ? { pausedReason: w.pausedReason } : {}),
  version: w.version, createdAt: w.createdAt, updatedAt: w.updatedAt,
});

const deliveryView = ({ body: _b, webhookId: _w, ...d }: StoredDelivery): DeliveryView => d;

export function makeWebhooks(deps: WebhookDeps) {
  const { repo, box } = deps;
  const currentSubscriptions = readEvery(() => repo.list(), deps.subscriptionsTtlMs ?? 0, () => deps.now().getTime());
  const plainSecrets = (w: StoredWebhook): SigningSecret[] =>
    w.secrets.map((s) => ({ secret: box.open(s.ciphertext), createdAt: s.createdAt, ...(s.retiresAt ? { retiresAt: s.retiresAt } : {}) }));

  /** Refuses a URL the stage's rules forbid, also by what its host resolves to now (each attempt checks again). */
  async function assertAllowedUrl(raw: string): Promise<void> {
    const refuse = (why: string) => { throw new ValidationError('The webhook URL is not allowed', [{ path: 'body.url', message: why }]); };
    let url: URL;
    try {
      url = checkUrl(raw, deps.rules);
    } catch (err) {
      return refuse((err as Error).message);
    }
    try {
      await checkedAddresses(url.hostname.replace(/^\[|\]$/g, ''), deps.rules, deps.resolve);
    } catch (err) {
      // a host that does not resolve yet may be registered ahead of the partner's go-live
      if (err instanceof RefusedUrl) refuse(err.message);
    }
  }

  /** Pauses a subscription after its failure streak, once (its WebhookPaused tells the admins). */
  async function pause(w: StoredWebhook, streak: number, last: { status?: number; error?: string }, causationId: string): Promise<void> {
    const at = deps.now();
    const reason = `${streak} consecutive failed deliveries (last: ${last.status !== undefined ? `HTTP ${last.status}` : last.error ?? 'unknown'})`;
    const set: ChangeSet = {
      aggregate: { entity: 'webhook', id: w.webhookId },
      at: at.toISOString(),
      changes: [{ op: 'update', entity: 'webhook', id: [w.webhookId], tag: 'webhook', expect: { equals: { active: true } }, set: { active: false, pausedAt: at.toISOString(), pausedReason: reason } }],
      events: [{
        detailType: 'WebhookPaused',
        data: {
          webhookId: w.webhookId, url: w.url, consecutiveFailures: streak,
          ...(last.error !== undefined ? { lastError: last.error.slice(0, 500) } : {}),
          ...(last.status !== undefined ? { lastResponseStatus: last.status } : {}),
        },
      }],
      movements: [],
    };
    try {
      await deps.writer.commit(stamped(set, { now: at, correlationId: w.webhookId, causationId }));
    } catch (err) {
      // already paused (or deactivated) meanwhile: nothing to tell
      if (!(err instanceof ConflictError)) throw err;
    }
  }

  /**
   * One attempt of one delivery, if it is due: claim, sign with every live secret, POST,
   * record the outcome; a failure lengthens the subscription's streak, which may pause it.
   * A paused or deleted subscription's deliveries wait (retried later, failed at the end
   * of their window) without an attempt.
   */
  async function attempt(webhookId: string, eventId: string, asOf = deps.now()): Promise<StoredDelivery | undefined> {
    const claimed = await repo.claim(webhookId, eventId, asOf, deps.claimMs);
    if (!claimed) return undefined;
    const w = await repo.get(webhookId);
    const now = deps.now();
    let result: AttemptResult;
    let response: { status?: number; error?: string };
    if (!w?.active) {
      response = { error: w ? 'subscription paused: not sent' : 'subscription removed: not sent' };
      result = postponed(claimed, now, deps.policy);
    } else {
      const secrets = signingSecrets(plainSecrets(w), now).map((s) => s.secret);
      const outcome = await deps.post(w.url, deliveryHeaders({ eventId, detailType: claimed.eventType }, secrets, now, claimed.body), claimed.body);
      response = 'status' in outcome ? { status: outcome.status } : { error: outcome.error };
      result = afterAttempt(claimed, outcome, deps.now(), deps.policy, deps.random());
      if (result.status === 'DELIVERED') await repo.succeeded(webhookId);
      else {
        const streak = await repo.failed(webhookId);
        if (pausesAfter(streak, deps.policy)) await pause(w, streak, response, eventId);
      }
    }
    await repo.settle(webhookId, eventId, result, response);
    return { ...claimed, ...result, ...(result.status === 'PENDING' ? { nextAttemptAt: result.nextAttemptAt } : {}), lastAttemptAt: result.at, ...(response.status !== undefined ? { lastResponseStatus: response.status } : {}), ...(response.error !== undefined ? { lastError: response.error } : {}) };
  }

  return {
    attempt,

    /** Creates or replaces a subscription. A new one without a secret gets a generated one, answered this once. */
    async put(webhookId: string, input: WebhookInput, principal: string): Promise<{ webhook: WebhookView; created: boolean; secret?: string }> {
      const unknown = unknownPatterns(input.events, KNOWN_EVENTS);
      if (unknown.length > 0) {
        throw new ValidationError('Unknown events', unknown.map((p) => ({ path: `body.events.${input.events.indexOf(p)}`, message: `matches no event of the catalog (${p})` })));
      }
      await assertAllowedUrl(input.url);
      const stored = await repo.get(webhookId);
      const now = deps.now();
      const generated = !stored && !input.secret ? generateSecret() : undefined;
      const next = input.secret ?? generated;
      const secrets = next ? rotateSecrets(stored ? plainSecrets(stored) : [], next, now, deps.secretOverlapMs) : signingSecrets(plainSecrets(stored!), now);
      const at = now.toISOString();
      const webhook = {
        webhookId, url: input.url, events: input.events, active: input.active,
        ...(input.description !== undefined ? { description: input.description } : {}),
        secrets: secrets.map((s) => ({ ciphertext: box.seal(s.secret), hint: secretHint(s.secret), createdAt: s.createdAt, ...(s.retiresAt ? { retiresAt: s.retiresAt } : {}) })),
        version: (stored?.version ?? 0) + 1,
        createdAt: stored?.createdAt ?? at, updatedAt: at, updatedBy: principal,
      };
      if (!(await repo.save(webhook, stored?.version))) {
        throw new ConflictError(`The webhook ${webhookId} changed meanwhile; read it and try again`, {}, 'write-conflict', 'Changed meanwhile');
      }
      const saved = (await repo.get(webhookId))!;
      return { webhook: viewOf(saved, now), created: !stored, ...(generated ? { secret: generated } : {}) };
    },

    async list(): Promise<WebhookView[]> {
      const now = deps.now();
      return (await repo.list()).map((w) => viewOf(w, now));
    },

    async deliveries(webhookId: string, page: { limit: number; cursor?: string }): Promise<Page<DeliveryView>> {
      if (!(await repo.get(webhookId))) throw new NotFoundError(`No webhook ${webhookId}`);
      const { items, nextCursor } = await repo.deliveries(webhookId, page);
      return { items: items.map(deliveryView), ...(nextCursor ? { nextCursor } : {}) };
    },

    /** Sends one delivery again now (whatever its status), and answers how that went. */
    async redeliver(webhookId: string, eventId: string): Promise<DeliveryView> {
      const w = await repo.get(webhookId);
      if (!w) throw new NotFoundError(`No webhook ${webhookId}`);
      if (!(await repo.getDelivery(webhookId, eventId))) throw new NotFoundError(`No delivery of event ${eventId} to webhook ${webhookId}`);
      if (!w.active) throw new BusinessRuleError(`The webhook ${webhookId} is paused: activate it first`, { webhookId }, 'webhook-paused');
      if (!(await repo.requeue(webhookId, eventId, deps.now()))) {
        throw new ConflictError('This delivery is being attempted right now', { eventId }, 'delivery-in-progress', 'Delivery in progress');
      }
      const sent = await attempt(webhookId, eventId);
      return deliveryView(sent ?? (await repo.getDelivery(webhookId, eventId))!);
    },

    /**
     * An event off the bus: one delivery per active subscription that takes it (a
     * redelivered event finds its records and adds none), then an attempt of each that
     * is due (new ones are due at once).
     */
    async fanOut(e: BusEvent): Promise<{ matched: number; delivered: number }> {
      const subs = (await currentSubscriptions()).filter((w) => w.active && subscribedTo(w.events, e.detailType));
      const at = deps.now().toISOString();
      const body = deliveryBody(e);
      let delivered = 0;
      await Promise.all(subs.map(async (w) => {
        await repo.createDelivery({
          webhookId: w.webhookId, eventId: e.eventId, eventType: e.detailType, body, status: 'PENDING', attempts: 0,
          createdAt: at, firstAttemptAt: at, nextAttemptAt: at,
        });
        const d = await attempt(w.webhookId, e.eventId);
        if (d?.status === 'DELIVERED') delivered++;
      }));
      return { matched: subs.length, delivered };
    },

    /** Attempts the deliveries due now (the retry job), soonest first, until the page is done or time runs short. */
    /** Attempts the deliveries due as of `asOf` (a scheduled run's tick; the clock by default). */
    async retryDue(limit: number, timeLeft: () => number, asOf = deps.now()): Promise<{ attempted: number; delivered: number; failed: number }> {
      const due = await repo.dueDeliveries(asOf, limit);
      const run = { attempted: 0, delivered: 0, failed: 0 };
      // a few at a time: one slow partner must not hold up the rest, nor every partner's sockets open at once
      const lanes = 4;
      let next = 0;
      await Promise.all(Array.from({ length: lanes }, async () => {
        while (next < due.length && timeLeft() > deps.claimMs) {
          const d = due[next++]!;
          const r = await attempt(d.webhookId, d.eventId, asOf);
          if (!r) continue;
          run.attempted++;
          if (r.status === 'DELIVERED') run.delivered++;
          if (r.status === 'FAILED') run.failed++;
        }
      }));
      return run;
    },
  };
}
export type Webhooks = ReturnType<typeof makeWebhooks>;
