import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { TrackingNotification } from '../shipping/port';
import { ENTITY, keys } from './keys';
import { INBOX_CLAIM_MS, INBOX_TTL_SECONDS, type InboxTake } from './payment-inbox';
import type { TableContext } from './table';
import { TABLE_SCHEMA } from './table-schema';

// The inbox of carrier tracking callbacks, as the payment inbox: one item per provider
// event (provider, eventKey), put with attribute_not_exists and kept 7 days (longer than
// every carrier's retry window: AfterShip about 68 hours, EasyPost about 24 hours,
// Kuaidi100 3 x 35 minutes); `enqueuedAt` once on the carrier-callbacks queue, a short
// `claimUntil` while one delivery sends it.

export { INBOX_CLAIM_MS, INBOX_TTL_SECONDS, type InboxTake };

const isConditionFailed = (err: unknown) => err instanceof Error && err.name === 'ConditionalCheckFailedException';

export function carrierInbox(ctx: TableContext) {
  const key = (n: Pick<TrackingNotification, 'provider' | 'eventKey'>) => keys.carrierInbox(n.provider, n.eventKey);

  return {
    /** Records a notification if it is new, or takes over the send of one whose send never finished. */
    async take(n: TrackingNotification, now: Date): Promise<InboxTake> {
      const claimUntil = now.getTime() + INBOX_CLAIM_MS;
      try {
        await ctx.doc.send(new PutCommand({
          TableName: ctx.tableName,
          Item: {
            ...key(n), type: ENTITY.carrierInbox, provider: n.provider, eventKey: n.eventKey, trackingNumber: n.trackingNumber,
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
    async enqueued(n: TrackingNotification, now: Date): Promise<void> {
      await ctx.doc.send(new UpdateCommand({
        TableName: ctx.tableName, Key: key(n),
        UpdateExpression: 'SET enqueuedAt = :at REMOVE claimUntil',
        ExpressionAttributeValues: { ':at': now.toISOString() },
      }));
    },

    /** The send failed: let the provider's next delivery send it at once. */
    async release(n: TrackingNotification): Promise<void> {
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
export type CarrierInbox = ReturnType<typeof carrierInbox>;
