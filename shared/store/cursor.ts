import { createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import { parseConfig } from '../config';
import { ValidationError } from '../domain/errors';

// List cursors: opaque to clients and bound to the query that issued them.
//
// A cursor is `<payload>.<mac>`, both base64url: the payload is the JSON of where the
// next page starts (DynamoDB's LastEvaluatedKey, plus whatever a multi-query walk must
// remember), the mac is HMAC-SHA256 with the stage's cursor secret over a version tag,
// the canonical JSON of the query (list name, partition value, filters) and the
// payload. So a cursor that was altered, made up, or issued for another query (another
// customer, another SKU, other filters) fails verification and is a 400 on
// `query.cursor`: it never reaches DynamoDB as an ExclusiveStartKey outside the
// query's key condition (a 500) and never reads another partition's rows.
//
// The secret is CURSOR_SECRET, set by the infrastructure (see OmsFunction.bindTable):
// a Secrets Manager secret of the stateful stack, given to functions as a CloudFormation
// dynamic reference, which the local cloud resolves to a secret it generates.

const VERSION = 'oms-cursor-v1';

/** What a cursor is bound to: the list's name plus every value that selects its rows. */
export type CursorQuery = Readonly<Record<string, string | number | boolean | undefined>>;

/** A DynamoDB key as a page's start (LastEvaluatedKey / ExclusiveStartKey). */
export type StartKey = Record<string, string | number>;

const StartKeySchema = z.record(z.string(), z.union([z.string(), z.number()]));

/** JSON with sorted keys and without undefined values, so equal queries sign alike. */
function canonical(query: CursorQuery): string {
  const entries = Object.entries(query)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(entries);
}

/** The 400 of a cursor that is not one this query issued. */
export const invalidCursor = () =>
  new ValidationError('Invalid cursor', [{ path: 'query.cursor', message: 'is not a cursor returned by this API' }]);

export interface CursorCodec {
  /** A cursor for `state` under `query`; undefined when there is no next page. */
  seal(query: CursorQuery, state: object | undefined): string | undefined;
  /** The state sealed in `cursor` if `query` issued it (undefined without a cursor); else a 400. */
  open(query: CursorQuery, cursor: string | undefined): unknown;
  /** The ExclusiveStartKey of the page a cursor points at (undefined for the first page). */
  startKey(query: CursorQuery, cursor: string | undefined): StartKey | undefined;
  /** The cursor of the page after one whose query answered `lastKey`. */
  next(query: CursorQuery, lastKey: Record<string, unknown> | undefined): string | undefined;
}

export function cursorCodec(secret: string): CursorCodec {
  const mac = (query: CursorQuery, payload: string) =>
    createHmac('sha256', secret).update(`${VERSION}\n${canonical(query)}\n${payload}`).digest();

  const codec: CursorCodec = {
    seal(query, state) {
      if (state === undefined) return undefined;
      const payload = Buffer.from(JSON.stringify(state)).toString('base64url');
      return `${payload}.${mac(query, payload).toString('base64url')}`;
    },
    open(query, cursor) {
      if (cursor === undefined) return undefined;
      const [payload, signature, ...rest] = cursor.split('.');
      if (!payload || !signature || rest.length > 0) throw invalidCursor();
      const given = Buffer.from(signature, 'base64url');
      const expected = mac(query, payload);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalidCursor();
      try {
        return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown;
      } catch {
        throw invalidCursor();
      }
    },
    startKey(query, cursor) {
      const state = codec.open(query, cursor);
      if (state === undefined) return undefined;
      const key = StartKeySchema.safeParse(state);
      if (!key.success) throw invalidCursor();
      return key.data;
    },
    next(query, lastKey) {
      return codec.seal(query, lastKey);
    },
  };
  return codec;
}

const CursorConfig = z.object({
  CURSOR_SECRET: z.string().min(32, 'must be at least 32 characters (a generated secret)'),
});

let stageCodec: CursorCodec | undefined;

/** The codec of this stage, keyed by CURSOR_SECRET (read once, on the first list call). */
export function cursors(): CursorCodec {
  stageCodec ??= cursorCodec(parseConfig(CursorConfig).CURSOR_SECRET);
  return stageCodec;
}
