import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { DELIVERY_STATUSES, type AttemptResult } from '../domain/webhooks';
import { cursors } from './cursor';
import * as keys from './keys';
import { ENTITY, INDEX } from './keys';
import { queryAll, type Page, type TableContext } from './table';
import { TABLE_SCHEMA } from './table-schema';

// Webhook subscriptions and their deliveries. Single-item writes only (PutItem,
// UpdateItem with conditions); a subscription's pause, which publishes an event, goes
// through the writer (app/webhooks.ts). Signing secrets are stored as the app hands
// them over: encrypted, with a hint.

/** Deliveries are kept a month: long enough to look into a partner's complaint and redeliver. */
export const DELIVERY_TTL_SECONDS = 30 * 24 * 3600;

export const StoredSecret = z.object({
  /** AES-256-GCM under the stage's webhook key: iv.tag.ciphertext, base64url */
  ciphertext: z.string().min(1),
  hint: z.string(),
  createdAt: z.string(),
  retiresAt: z.string().optional(),
});
export type StoredSecret = z.infer<typeof StoredSecret>;

export const StoredWebhook = z.object({
  webhookId: z.string(),
  url: z.string(),
  events: z.array(z.string()),
  active: z.boolean(),
  description: z.string().optional(),
  secrets: z.array(StoredSecret),
  consecutiveFailures: z.number().default(0),
  pausedAt: z.string().optional(),
  pausedReason: z.string().optional(),
  version: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
  updatedBy: z.string(),
});
export type StoredWebhook = z.infer<typeof StoredWebhook>;

export const StoredDelivery = z.object({
  webhookId: z.string(),
  eventId: z.string(),
  eventType: z.string(),
  /** the exact body sent (and sent again by a retry or a redelivery) */
  body: z.string(),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.number(),
  createdAt: z.string(),
  firstAttemptAt: z.string(),
  nextAttemptAt: z.string().optional(),
  lastAttemptAt: z.string().optional(),
  lastResponseStatus: z.number().optional(),
  lastError: z.string().optional(),
  deliveredAt: z.string().optional(),
  failedAt: z.string().optional(),
  redeliveredAt: z.string().optional(),
});
export type StoredDelivery = z.infer<typeof StoredDelivery>;

const isConditionFailed = (err: unknown) => err instanceof Error && err.name === 'ConditionalCheckFailedException';
const webhookOf = (item: Record<string, unknown>) => StoredWebhook.parse(item);
const deliveryOf = (item: Record<string, unknown>) => StoredDelivery.parse(item);

export function webhookRepository(ctx: TableContext) {
  const T = ctx.tableName;
  const due = (d: { nextAttemptAt: string; webhookId: string; eventId: string }) => keys.webhookDue(d);

  return {
    async get(webhookId: string): Promise<StoredWebhook | undefined> {
      const { Item } = await ctx.doc.send(new GetCommand({ TableName: T, Key: keys.webhook(webhookId), ConsistentRead: true }));
      return Item ? webhookOf(Item) : undefined;
    },

    /** Every subscription (an index Query: a stage has a handful). */
    async list(): Promise<StoredWebhook[]> {
      const items = await queryAll(ctx, {
        IndexName: INDEX.gsi1,
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.webhookListingPk },
      });
      return items.map(webhookOf);
    },

    /**
     * Stores the admin's fields of a subscription, conditioned on the version read
     * (none: it must not exist yet). The failure counter is the delivery worker's: set
     * to 0 only when the subscription is (re)activated.
     */
    async save(w: Omit<StoredWebhook, 'consecutiveFailures' | 'pausedAt' | 'pausedReason'>, readVersion: number | undefined): Promise<boolean> {
      const fields: Record<string, unknown> = {
        type: ENTITY.webhook, ...keys.webhookListing(w.webhookId),
        webhookId: w.webhookId, url: w.url, events: w.events, active: w.active, secrets: w.secrets,
        version: w.version, createdAt: w.createdAt, updatedAt: w.updatedAt, updatedBy: w.updatedBy,
        ...(w.description !== undefined ? { description: w.description } : {}),
      };
      const names = Object.keys(fields);
      const remove = [...(w.description === undefined ? ['description'] : []), ...(w.active ? ['pausedAt', 'pausedReason'] : [])];
      try {
        await ctx.doc.send(new UpdateCommand({
          TableName: T,
          Key: keys.webhook(w.webhookId),
          UpdateExpression:
            `SET ${names.map((n, i) => `#f${i} = :f${i}`).join(', ')}${w.active ? ', consecutiveFailures = :zero' : ''}` +
            (remove.length ? ` REMOVE ${remove.join(', ')}` : ''),
          ConditionExpression: readVersion === undefined ? 'attribute_not_exists(pk)' : 'version = :read',
          ExpressionAttributeNames: Object.fromEntries(names.map((n, i) => [`#f${i}`, n])),
          ExpressionAttributeValues: {
            ...Object.fromEntries(names.map((n, i) => [`:f${i}`, fields[n]])),
            ...(w.active ? { ':zero': 0 } : {}),
            ...(readVersion === undefined ? {} : { ':read': readVersion }),
          },
        }));
        return true;
      } catch (err) {
        if (isConditionFailed(err)) return false;
        throw err;
      }
    },

    /** A delivery was acknowledged: the failure streak ends. */
    async succeeded(webhookId: string): Promise<void> {
      await ctx.doc.send(new UpdateCommand({
        TableName: T, Key: keys.webhook(webhookId),
        UpdateExpression: 'SET consecutiveFailures = :zero',
        ConditionExpression: 'attribute_exists(pk) AND consecutiveFailures <> :zero',
        ExpressionAttributeValues: { ':zero': 0 },
      })).catch((err: unknown) => {
        if (!isConditionFailed(err)) throw err;
      });
    },

    /** An attempt failed: the streak grows by one; answers its new length. */
    async failed(webhookId: string): Promise<number> {
      const res = await ctx.doc.send(new UpdateCommand({
        TableName: T, Key: keys.webhook(webhookId),
        UpdateExpression: 'ADD consecutiveFailures :one',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      })).catch((err: unknown) => {
        if (isConditionFailed(err)) return { Attributes: { consecutiveFailures: 0 } };
        throw err;
      });
      return Number(res.Attributes?.consecutiveFailures ?? 0);
    },

    /** Records a delivery unless one exists for this event (a redelivered event): true when new. */
    async createDelivery(d: StoredDelivery): Promise<boolean> {
      try {
        await ctx.doc.send(new PutCommand({
          TableName: T,
          Item: {
            ...keys.webhookDelivery(d.webhookId, d.eventId), type: ENTITY.webhookDelivery, ...d,
            ...(d.status === 'PENDING' && d.nextAttemptAt ? due({ nextAttemptAt: d.nextAttemptAt, webhookId: d.webhookId, eventId: d.eventId }) : {}),
            [TABLE_SCHEMA.timeToLiveAttribute]: Math.floor(new Date(d.createdAt).getTime() / 1000) + DELIVERY_TTL_SECONDS,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }));
        return true;
      } catch (err) {
        if (isConditionFailed(err)) return false;
        throw err;
      }
    },

    async getDelivery(webhookId: string, eventId: string): Promise<StoredDelivery | undefined> {
      const { Item } = await ctx.doc.send(new GetCommand({ TableName: T, Key: keys.webhookDelivery(webhookId, eventId), ConsistentRead: true }));
      return Item ? deliveryOf(Item) : undefined;
    },

    /** A subscription's deliveries, newest first. */
    async deliveries(webhookId: string, opts: { limit: number; cursor?: string }): Promise<Page<StoredDelivery>> {
      const query = { list: 'webhook-deliveries', webhookId };
      const prefix = keys.webhookDeliveriesPrefix(webhookId);
      const res = await ctx.doc.send(new QueryCommand({
        TableName: T,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': prefix.pk, ':prefix': prefix.skPrefix },
        ScanIndexForward: false,
        Limit: opts.limit,
        ExclusiveStartKey: cursors().startKey(query, opts.cursor),
      }));
      return { items: (res.Items ?? []).map(deliveryOf), nextCursor: cursors().next(query, res.LastEvaluatedKey) };
    },

    /** Deliveries due at `now` or before, soonest first. */
    async dueDeliveries(now: Date, limit: number): Promise<StoredDelivery[]> {
      const res = await ctx.doc.send(new QueryCommand({
        TableName: T, IndexName: INDEX.gsi2,
        KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk <= :until',
        ExpressionAttributeValues: { ':pk': keys.webhookDuePk, ':until': keys.webhookDueUntil(now.toISOString()) },
        Limit: limit,
      }));
      return (res.Items ?? []).map(deliveryOf);
    },

    /**
     * Takes a due delivery for one attempt: its next attempt moves `leaseMs` ahead, so
     * no other worker sends it meanwhile, and a worker that dies mid-attempt leaves it due
     * again when the lease ends (nothing is lost). Answers the delivery, or undefined when
     * it is not due (delivered, failed, or someone else's attempt is under way).
     */
    async claim(webhookId: string, eventId: string, now: Date, leaseMs: number): Promise<StoredDelivery | undefined> {
      const until = new Date(now.getTime() + leaseMs).toISOString();
      try {
        const res = await ctx.doc.send(new UpdateCommand({
          TableName: T, Key: keys.webhookDelivery(webhookId, eventId),
          UpdateExpression: 'SET nextAttemptAt = :until, claimedUntil = :until, gsi2pk = :duePk, gsi2sk = :dueSk',
          ConditionExpression: '#s = :pending AND nextAttemptAt <= :now',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: {
            ':until': until, ':now': now.toISOString(), ':pending': 'PENDING',
            ':duePk': keys.webhookDuePk, ':dueSk': due({ nextAttemptAt: until, webhookId, eventId }).gsi2sk,
          },
          ReturnValues: 'ALL_NEW',
        }));
        return deliveryOf(res.Attributes!);
      } catch (err) {
        if (isConditionFailed(err)) return undefined;
        throw err;
      }
    },

    /** Records an attempt's result: delivered and failed leave the due index, pending moves in it. */
    async settle(webhookId: string, eventId: string, r: AttemptResult, response: { status?: number; error?: string }): Promise<void> {
      const set: Record<string, unknown> = { status: r.status, attempts: r.attempts, lastAttemptAt: r.at };
      if (response.status !== undefined) set.lastResponseStatus = response.status;
      if (response.error !== undefined) set.lastError = response.error.slice(0, 500);
      const remove = [...(response.status === undefined ? ['lastResponseStatus'] : []), ...(response.error === undefined ? ['lastError'] : [])];
      if (r.status === 'PENDING') Object.assign(set, { nextAttemptAt: r.nextAttemptAt, gsi2pk: keys.webhookDuePk, gsi2sk: due({ nextAttemptAt: r.nextAttemptAt, webhookId, eventId }).gsi2sk });
      else remove.push('nextAttemptAt', 'gsi2pk', 'gsi2sk');
      remove.push('claimedUntil');
      if (r.status === 'DELIVERED') set.deliveredAt = r.at;
      if (r.status === 'FAILED') set.failedAt = r.at;
      const names = Object.keys(set);
      await ctx.doc.send(new UpdateCommand({
        TableName: T, Key: keys.webhookDelivery(webhookId, eventId),
        UpdateExpression: `SET ${names.map((n, i) => `#a${i} = :a${i}`).join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: Object.fromEntries(names.map((n, i) => [`#a${i}`, n])),
        ExpressionAttributeValues: Object.fromEntries(names.map((n, i) => [`:a${i}`, set[n]])),
      }));
    },

    /** Puts a delivery back in line to be sent now (redeliver): a fresh retry window, attempts counted on. */
    async requeue(webhookId: string, eventId: string, now: Date): Promise<boolean> {
      const at = now.toISOString();
      try {
        await ctx.doc.send(new UpdateCommand({
          TableName: T, Key: keys.webhookDelivery(webhookId, eventId),
          UpdateExpression: 'SET #s = :pending, nextAttemptAt = :at, firstAttemptAt = :at, redeliveredAt = :at, gsi2pk = :duePk, gsi2sk = :dueSk REMOVE failedAt',
          // not while an attempt holds it (its claim is in the future)
          ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(claimedUntil) OR claimedUntil <= :at)',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':pending': 'PENDING', ':at': at, ':duePk': keys.webhookDuePk, ':dueSk': due({ nextAttemptAt: at, webhookId, eventId }).gsi2sk },
        }));
        return true;
      } catch (err) {
        if (isConditionFailed(err)) return false;
        throw err;
      }
    },
  };
}
export type WebhookRepository = ReturnType<typeof webhookRepository>;
