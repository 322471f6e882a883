import { GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { z } from 'zod';
import { ConflictError } from '../domain/errors';
import { ENTITY, keys } from './keys';
import { cursors } from './cursor';
import { cancellationReasons, isConditionFailure, type Page, type TableContext } from './table';

// Admin-edited settings documents (workflow, notification routing, ...): one CURRENT
// item per kind, replaced only by a PUT that names the version it replaces, and one
// history item per version with who changed what and when, in the same transaction,
// so the audit trail can never miss a change nor record one that did not happen.

/** Every stored document carries these; the domain schema says the rest. */
export interface Versioned {
  version: number;
  updatedAt: string;
  updatedBy: string;
}

export interface SettingsChange<T> {
  version: number;
  previousVersion: number;
  changedAt: string;
  changedBy: string;
  /** top-level fields whose value changed */
  changed: string[];
  settings: T;
}


function changedFields(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const meta = new Set(['version', 'updatedAt', 'updatedBy']);
  return [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter((k) => !meta.has(k) && JSON.stringify(before[k]) !== JSON.stringify(after[k]))
    .sort();
}

export function settingsRepository(ctx: TableContext) {
  const T = ctx.tableName;

  return {
    /** The stored document, or the defaults when nobody ever changed them. */
    async get<S extends z.ZodType<Versioned>>(kind: string, schema: S, defaults: z.output<S>): Promise<z.output<S>> {
      const res = await ctx.doc.send(new GetCommand({ TableName: T, Key: keys.settings(kind), ConsistentRead: true }));
      return res.Item ? schema.parse(res.Item.settings) : defaults;
    },

    /**
     * Replace `current` (what the caller read) with `next` (version current + 1).
     * Another admin's change in between fails the condition: 409 with the version now stored.
     */
    async replace<T extends Versioned>(kind: string, current: T, next: T): Promise<SettingsChange<T>> {
      const change: SettingsChange<T> = {
        version: next.version,
        previousVersion: current.version,
        changedAt: next.updatedAt,
        changedBy: next.updatedBy,
        changed: changedFields(current as unknown as Record<string, unknown>, next as unknown as Record<string, unknown>),
        settings: next,
      };
      try {
        await ctx.doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: T,
                  Item: { ...keys.settings(kind), type: ENTITY.settings, kind, version: next.version, settings: next },
                  // never stored: only the defaults' version may be replaced
                  ConditionExpression: '(attribute_not_exists(pk) AND :expected = :defaultVersion) OR version = :expected',
                  ExpressionAttributeValues: { ':expected': current.version, ':defaultVersion': 1 },
                },
              },
              {
                Put: {
                  TableName: T,
                  Item: { ...keys.settingsVersion(kind, next.version), type: ENTITY.settings, kind, ...change },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
            ],
          }),
        );
      } catch (err) {
        const reasons = cancellationReasons(err);
        if (reasons && (isConditionFailure(reasons[0]) || isConditionFailure(reasons[1]))) {
          const stored = await ctx.doc.send(new GetCommand({ TableName: T, Key: keys.settings(kind), ConsistentRead: true }));
          const version = Number(stored.Item?.version ?? 1);
          throw new ConflictError(
            `The ${kind} settings changed meanwhile: version ${version} is stored, the change was made to version ${current.version}`,
            { version, expectedVersion: current.version },
            'stale-version',
            'Settings changed',
          );
        }
        throw err;
      }
      return change;
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
export type SettingsRepository = ReturnType<typeof settingsRepository>;
