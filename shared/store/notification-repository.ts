import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DEFAULT_NOTIFICATION_SETTINGS, Notification, NotificationSettings } from '../domain/notifications';
import * as keys from './keys';
import { INDEX } from './keys';
import { cursors } from './cursor';
import type { Page, TableContext } from './table';

export const NOTIFICATION_SETTINGS_KIND = 'notifications';

const stripKeys = (item: Record<string, unknown>) => {
  const { pk: _pk, sk: _sk, type: _type, gsi1pk: _gpk, gsi1sk: _gsk, ...rest } = item;
  return rest;
};

export function notificationRepository(ctx: TableContext) {
  const T = ctx.tableName;
  return {
    /** Current settings; the built-in defaults until an admin saves a version. */
    async settings(): Promise<NotificationSettings> {
      const res = await ctx.doc.send(new GetCommand({ TableName: T, Key: keys.settings(NOTIFICATION_SETTINGS_KIND), ConsistentRead: true }));
      return res.Item ? NotificationSettings.parse(stripKeys(res.Item)) : DEFAULT_NOTIFICATION_SETTINGS;
    },

    /** The notifications sent about an order, oldest first (gsi1; at most `limit`). */
    async aboutOrder(orderId: string, limit = 100): Promise<Notification[]> {
      const res = await ctx.doc.send(new QueryCommand({
        TableName: T, IndexName: INDEX.gsi1,
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.orderNotificationPk(orderId) },
        Limit: limit,
      }));
      return (res.Items ?? []).map((i) => Notification.parse(stripKeys(i)));
    },

    /** A department's notifications, newest first. */
    async list(department: string, opts: { limit: number; cursor?: string }): Promise<Page<Notification>> {
      const query = { list: 'notifications', department };
      const res = await ctx.doc.send(
        new QueryCommand({
          TableName: T,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.notificationPk(department) },
          ScanIndexForward: false,
          Limit: opts.limit,
          ExclusiveStartKey: cursors().startKey(query, opts.cursor),
        }),
      );
      return { items: (res.Items ?? []).map((i) => Notification.parse(stripKeys(i))), nextCursor: cursors().next(query, res.LastEvaluatedKey) };
    },
  };
}
export type NotificationRepository = ReturnType<typeof notificationRepository>;
