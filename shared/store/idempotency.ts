import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../domain/errors';
import * as keys from './keys';
import type { Change } from '../domain/decision';
import type { TableContext } from './table';

/** A stored answer to a request, replayed verbatim when the same request comes again. */
export interface StoredResponse {
  statusCode: number;
  headers?: Record<string, string>;
  body: unknown;
}

/**
 * "This request may only take effect once": an Idempotency-Key of a principal, or a
 * channel's externalRef. The first request claims it inside the transaction of the
 * change it makes, so the change exists iff its claim does.
 */
export interface IdempotencyClaim {
  scope: string;
  key: string;
  requestHash: string;
}

/** Replays are kept a day; after that a key may be reused. */
const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;
const epoch = (d: Date) => Math.floor(d.getTime() / 1000);

interface Stored {
  requestHash?: string;
  response?: string;
}

function conflictFor(claim: IdempotencyClaim): ConflictError {
  return new ConflictError(
    claim.scope.startsWith('extref:')
      ? `externalRef ${claim.key} was already used for a different order`
      : `Idempotency-Key ${claim.key} was already used with a different request`,
    { key: claim.key },
    'idempotency-conflict',
    'Idempotency conflict',
  );
}

function replayOrConflict(claim: IdempotencyClaim, stored: Stored): StoredResponse {
  if (stored.requestHash !== claim.requestHash) throw conflictFor(claim);
  return JSON.parse(stored.response ?? 'null') as StoredResponse;
}

/**
 * The change that claims a key in a change set, tagged `tag`; an expired claim not yet
 * swept by TTL counts as absent. The loser of a race gets the winner's item back.
 */
export function claimChange(claim: IdempotencyClaim, response: StoredResponse, now: Date, tag: string, extra: Record<string, unknown> = {}): Change {
  return {
    op: 'put',
    entity: 'idempotency',
    id: [claim.scope, claim.key],
    tag,
    returnOld: true,
    expect: { orAbsent: true, below: { expiresAt: epoch(now) } },
    item: {
      requestHash: claim.requestHash,
      response: JSON.stringify(response),
      createdAt: now.toISOString(),
      expiresAt: epoch(now) + IDEMPOTENCY_TTL_SECONDS,
      ...extra,
    },
  };
}

/**
 * A previous answer for any of the claims, from their items already read (by key, as
 * `itemOf` finds them), or a 409 if a claim was used for a different request.
 */
export function replayAmong(
  claims: readonly IdempotencyClaim[],
  itemOf: (key: { pk: string; sk: string }) => Record<string, unknown> | undefined,
  now: Date,
): StoredResponse | undefined {
  for (const claim of claims) {
    const item = itemOf(keys.idempotency(claim.scope, claim.key));
    if (item && Number(item.expiresAt) >= epoch(now)) return replayOrConflict(claim, item as Stored);
  }
  return undefined;
}

/** A previous answer for any of the claims, or a 409 if a claim was used for a different request. */
export async function findReplay(ctx: TableContext, claims: readonly IdempotencyClaim[], now: Date): Promise<StoredResponse | undefined> {
  for (const claim of claims) {
    const res = await ctx.doc.send(
      new GetCommand({ TableName: ctx.tableName, Key: keys.idempotency(claim.scope, claim.key), ConsistentRead: true }),
    );
    const item = res.Item;
    if (item && Number(item.expiresAt) >= epoch(now)) return replayOrConflict(claim, item as Stored);
  }
  return undefined;
}

/** After losing a transaction on a claim: the winner's response (same request) or a 409. */
export async function resolveLostClaim(ctx: TableContext, claim: IdempotencyClaim, old: Record<string, unknown> | undefined): Promise<StoredResponse> {
  const stored: Stored = old
    ? (old as Stored)
    : (((await ctx.doc.send(
        new GetCommand({ TableName: ctx.tableName, Key: keys.idempotency(claim.scope, claim.key), ConsistentRead: true }),
      )).Item ?? {}) as Stored);
  return replayOrConflict(claim, stored);
}
