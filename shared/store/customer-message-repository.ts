import { DeleteCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { MessageLanguage, type CustomerContact } from '../domain/customer-messages';
import * as keys from './keys';
import { ENTITY, INDEX } from './keys';
import type { TableContext } from './table';

/** How long a sent-marker is kept: well past every redelivery of its event (queue retention, DLQ redrive). */
export const SENT_MARKER_DAYS = 30;

export interface SentMessage {
  eventId: string;
  orderId: string;
  detailType: string;
  /** the mail service's id of the message */
  messageId: string;
  sentAt: string;
}

/**
 * What the customer-messages worker reads and writes: the order's contact (by the
 * order's key; events carry no personal data) and one sent-marker per event, which
 * holds no address either.
 */
export function customerMessageRepository(ctx: TableContext) {
  const T = ctx.tableName;
  return {
    /** The order's customer e-mail, name and language; undefined for an unknown order. */
    async contact(orderId: string): Promise<CustomerContact | undefined> {
      const res = await ctx.doc.send(
        new GetCommand({
          TableName: T,
          Key: keys.order(orderId),
          ConsistentRead: true,
          ProjectionExpression: '#c.email, #c.#n, #l',
          ExpressionAttributeNames: { '#c': 'customer', '#n': 'name', '#l': 'language' },
        }),
      );
      if (!res.Item) return undefined;
      const customer = (res.Item.customer ?? {}) as { email?: unknown; name?: unknown };
      const language = MessageLanguage.safeParse(res.Item.language);
      return {
        email: typeof customer.email === 'string' ? customer.email : undefined,
        name: typeof customer.name === 'string' ? customer.name : undefined,
        language: language.success ? language.data : undefined,
      };
    },

    async wasSent(eventId: string): Promise<boolean> {
      const res = await ctx.doc.send(new GetCommand({ TableName: T, Key: keys.customerMessageSent(eventId), ConsistentRead: true, ProjectionExpression: 'pk' }));
      return res.Item !== undefined;
    },

    /**
     * Takes the event's send for `holder` until `until` (ms): true when no other delivery
     * holds it (or its hold ran out, the holder gone); false while another one is sending it.
     */
    async claimSend(eventId: string, holder: string, now: Date, until: number): Promise<boolean> {
      try {
        await ctx.doc.send(new PutCommand({
          TableName: T,
          Item: { ...keys.customerMessageClaim(eventId), type: ENTITY.customerMessage, holder, until, expiresAt: Math.floor(until / 1000) + 86_400 },
          ConditionExpression: 'attribute_not_exists(pk) OR #until < :now OR holder = :holder',
          ExpressionAttributeNames: { '#until': 'until' },
          ExpressionAttributeValues: { ':now': now.getTime(), ':holder': holder },
        }));
        return true;
      } catch (err) {
        if (err instanceof Error && err.name === 'ConditionalCheckFailedException') return false;
        throw err;
      }
    },

    /** Gives the send back (it failed), so another delivery may take it at once; only the holder's own hold. */
    async releaseSend(eventId: string, holder: string): Promise<void> {
      try {
        await ctx.doc.send(new DeleteCommand({
          TableName: T, Key: keys.customerMessageClaim(eventId), ConditionExpression: 'holder = :holder', ExpressionAttributeValues: { ':holder': holder },
        }));
      } catch (err) {
        if (!(err instanceof Error && err.name === 'ConditionalCheckFailedException')) throw err;
      }
    },

    /** Records a send; false when the event was already marked sent (a concurrent delivery got there first). */
    async markSent(m: SentMessage): Promise<boolean> {
      const expiresAt = Math.floor(Date.parse(m.sentAt) / 1000) + SENT_MARKER_DAYS * 86_400;
      try {
        await ctx.doc.send(
          new PutCommand({
            TableName: T,
            Item: {
              ...keys.customerMessageSent(m.eventId), ...keys.orderCustomerMessage(m), type: ENTITY.customerMessage, ...m, expiresAt,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return true;
      } catch (err) {
        if (err instanceof Error && err.name === 'ConditionalCheckFailedException') return false;
        throw err;
      }
    },

    /** What was sent to the customer about an order (while its marker lasts), oldest first: gsi1, at most `limit`. */
    async aboutOrder(orderId: string, limit = 100): Promise<SentMessage[]> {
      const res = await ctx.doc.send(new QueryCommand({
        TableName: T, IndexName: INDEX.gsi1,
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.orderCustomerMessagePk(orderId) },
        Limit: limit,
      }));
      return (res.Items ?? []).map((i) => ({
        eventId: String(i.eventId), orderId: String(i.orderId), detailType: String(i.detailType), messageId: String(i.messageId), sentAt: String(i.sentAt),
      }));
    },
  };
}
export type CustomerMessageRepository = ReturnType<typeof customerMessageRepository>;
