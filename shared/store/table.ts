import { paginateQuery, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** What every repository needs: a document client (created once, at module scope) and the table. */
export interface TableContext {
  doc: DynamoDBDocumentClient;
  tableName: string;
}

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

/** One entry of TransactionCanceledException.CancellationReasons, as the low-level protocol returns it. */
export interface CancellationReason {
  Code?: string;
  Message?: string;
  /** ALL_OLD image (AttributeValue form) when ReturnValuesOnConditionCheckFailure was set */
  Item?: Record<string, { S?: string; N?: string } | undefined>;
}

export function cancellationReasons(err: unknown): CancellationReason[] | undefined {
  if (err instanceof Error && err.name === 'TransactionCanceledException') {
    return (err as Error & { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? [];
  }
  return undefined;
}

export const isConditionFailure = (r: CancellationReason | undefined) => r?.Code === 'ConditionalCheckFailed';

/** Another transaction held one of our items: safe to retry the whole transaction. */
export function isRetryableCancellation(reasons: readonly CancellationReason[]): boolean {
  return (
    reasons.some((r) => r.Code === 'TransactionConflict') &&
    !reasons.some((r) => r.Code === 'ConditionalCheckFailed')
  );
}

export function isTransactionConflict(err: unknown): boolean {
  const reasons = cancellationReasons(err);
  if (reasons) return isRetryableCancellation(reasons);
  return err instanceof Error && (err.name === 'TransactionConflictException' || err.name === 'TransactionInProgressException');
}

export const numberAttr = (item: CancellationReason['Item'], name: string): number | undefined => {
  const n = item?.[name]?.N;
  return n === undefined ? undefined : Number(n);
};

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Full-jitter backoff for transaction conflicts. */
export async function withConflictRetry<T>(fn: () => Promise<T>, attempts = 6): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= attempts || !isTransactionConflict(err)) throw err;
      await sleep(Math.random() * Math.min(1000, 25 * 2 ** i));
    }
  }
}

/** Every item a Query returns, following LastEvaluatedKey with the SDK's own paginator. */
export async function queryAll(ctx: TableContext, input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for await (const page of paginateQuery({ client: ctx.doc }, { TableName: ctx.tableName, ...input })) items.push(...(page.Items ?? []));
  return items;
}
