import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { z } from 'zod';
import type { SettingsChange, Versioned } from '../domain/settings-change';
import * as keys from './keys';
import { cursors } from './cursor';
import type { Page, TableContext } from './table';

// Admin-edited settings documents (workflow, notification routing, ...): one CURRENT
// item per kind, replaced only by a PUT that names the version it replaces, and one
// history item per version with who changed what and when, in the same transaction,
// so the audit trail can never miss a change nor record one that did not happen.


export function settingsRepository(ctx: TableContext) {
  const T = ctx.tableName;

  return {
    /** The stored document, or the defaults when nobody ever changed them. */
    async get<S extends z.ZodType<Versioned>>(kind: string, schema: S, defaults: z.output<S>): Promise<z.output<S>> {
      const res = await ctx.doc.send(new GetCommand({ TableName: T, Key: keys.settings(kind), ConsistentRead: true }));
      return res.Item ? schema.parse(res.Item.settings) : defaults;
    },

    /** The version stored for a kind (1: never changed, the defaults). */
    async storedVersion(kind: string): Promise<number> {
      const stored = await ctx.doc.send(new GetCommand({ TableName: T, Key: keys.settings(kind), ConsistentRead: true, ProjectionExpression: 'version' }));
      return Number(stored.Item?.version ?? 1);
    },

    /** Changes of a kind, newest first: one Query of its partition. */
    async history<T>(kind: string, opts: { cursor?: string; limit: number }): Promise<Page<SettingsChange<T>>> {
      const { pk, sk: first } = keys.settingsVersion(kind, 0);
      const query = { list: 'settings-history', kind };
      const res = await ctx.doc.send(
        new QueryCommand({
          TableName: T,
          KeyConditionExpression: 'pk = :pk AND sk > :first',
          ExpressionAttributeValues: { ':pk': pk, ':first': first },
          ScanIndexForward: false,
          ExclusiveStartKey: cursors().startKey(query, opts.cursor),
          Limit: opts.limit,
          ConsistentRead: true,
        }),
      );
      const items = (res.Items ?? []).map((i) => ({
        version: Number(i.version), previousVersion: Number(i.previousVersion), changedAt: String(i.changedAt),
        changedBy: String(i.changedBy), changed: i.changed as string[], settings: i.settings as T,
      }));
      return { items, nextCursor: cursors().next(query, res.LastEvaluatedKey) };
    },
  };
}
export type { SettingsChange, Versioned };
export type SettingsRepository = ReturnType<typeof settingsRepository>;
