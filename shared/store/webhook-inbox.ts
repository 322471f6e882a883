import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Key } from './keys';
import type { TableContext } from './table';
import { TABLE_SCHEMA } from './table-schema';

// The inbox of a provider's callbacks (payments and carriers alike): one item per
// provider event (provider, eventKey), put with attribute_not_exists and kept 7 days
// (longer than every provider's retry window). An item says whether its notification
// reached its queue (`enqueuedAt`); while one delivery is sending it, it holds a short
// claim (`claimUntil`) so a concurrent redelivery neither sends it twice nor answers
// before it is sent.

export const INBOX_TTL_SECONDS = 7 * 24 * 3600;
/** How long a delivery may take to send before another delivery may send instead. */
export const INBOX_CLAIM_MS = 20_000;

export type InboxTake =
  /** this caller must send it (new, or a previous send did not finish), then call `enqueued` */
  | 'send'
  /** already on the queue: nothing to do */
  | 'done'
  /** another delivery is sending it right now */
  | 'busy';

const isConditionFailed = (err: unknown) => err instanceof Error && err.name === 'ConditionalCheckFailedException';

export interface InboxSpec<N extends { provider: string; eventKey: string }> {
  /** the item's type (ENTITY) */
  type: string;
  key: (n: Pick<N, 'provider' | 'eventKey'>) => Key;
  /** attributes beside the notification worth reading on the item itself */
  attributes?: (n: N) => Record<string, unknown>;
}

export function webhookInbox<N extends { provider: string; eventKey: string }>(ctx: TableContext, spec: InboxSpec<N>) {
  const { key } = spec;
  return {
    /** Records a notification if it is new, or takes over the send of one whose send never finished. */
    async take(n: N, now: Date): Promise<InboxTake> {
      const claimUntil = now.getTime() + INBOX_CLAIM_MS;
      try {
        await ctx.doc.send(new PutCommand({
          TableName: ctx.tableName,
          Item: {
            ...key(n), type: spec.type, provider: n.provider, eventKey: n.eventKey, ...spec.attributes?.(n),
            notification: n, receivedAt: now.toISOString(), claimUntil,
            [TABLE_SCHEMA.timeToLiveAttribute]: Math.floor(now.getTime() / 1000) + INBOX_TTL_SECONDS,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }));
        return 'send';
      } catch (err) {
        if (!isConditionFailed(err)) throw err;
      }
      try {
        await ctx.doc.send(new UpdateCommand({
          TableName: ctx.tableName,
          Key: key(n),
          UpdateExpression: 'SET claimUntil = :until',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(enqueuedAt) AND claimUntil < :now',
          ExpressionAttributeValues: { ':until': claimUntil, ':now': now.getTime() },
        }));
        return 'send';
      } catch (err) {
        if (!isConditionFailed(err)) throw err;
      }
      const { Item } = await ctx.doc.send(new GetCommand({ TableName: ctx.tableName, Key: key(n), ConsistentRead: true }));
      return Item?.enqueuedAt ? 'done' : 'busy';
    },

    /** The notification is on the queue: later deliveries of it are answered without sending. */
    async enqueued(n: N, now: Date): Promise<void> {
      await ctx.doc.send(new UpdateCommand({
        TableName: ctx.tableName, Key: key(n),
        UpdateExpression: 'SET enqueuedAt = :at REMOVE claimUntil',
        ExpressionAttributeValues: { ':at': now.toISOString() },
      }));
    },

    /** The send failed: let the provider's next delivery send it at once. */
    async release(n: N): Promise<void> {
      await ctx.doc.send(new UpdateCommand({
        TableName: ctx.tableName, Key: key(n),
        UpdateExpression: 'SET claimUntil = :zero',
        ConditionExpression: 'attribute_not_exists(enqueuedAt)',
        ExpressionAttributeValues: { ':zero': 0 },
      })).catch((err: unknown) => {
        if (!isConditionFailed(err)) throw err;
      });
    },
  };
}
