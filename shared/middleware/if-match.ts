import { ValidationError } from '../domain/errors';
import type { HttpEvent } from './http';

/**
 * The version a client says it is changing, from If-Match: `"3"`, `3` or `W/"3"` -> 3;
 * absent or `*` -> undefined (no precondition). Versions are our ETags.
 */
export function ifMatchVersion(event: HttpEvent): number | undefined {
  const header = event.headers?.['if-match'];
  if (header === undefined || header.trim() === '*') return undefined;
  const m = /^(?:W\/)?"?(\d{1,9})"?$/.exec(header.trim());
  if (!m) throw new ValidationError('If-Match must be a version', [{ path: 'headers.if-match', message: 'is not a version' }]);
  return Number(m[1]);
}

/**
 * The version a replacing PUT says it replaces: `version` in the body or If-Match
 * (one is required; both must agree). Versioned settings use it, so a change made
 * to a stale copy is a 409 instead of silently overwriting someone else's.
 */
export function replacedVersion(event: HttpEvent, bodyVersion: number | undefined): number {
  const headerVersion = ifMatchVersion(event);
  if (bodyVersion !== undefined && headerVersion !== undefined && bodyVersion !== headerVersion) {
    throw new ValidationError('body.version and If-Match disagree', [{ path: 'body.version', message: 'differs from If-Match' }]);
  }
  const replaces = bodyVersion ?? headerVersion;
  if (replaces === undefined) {
    throw new ValidationError('Say which version this change replaces', [
      { path: 'body.version', message: 'is required (or the If-Match header)' },
    ]);
  }
  return replaces;
}

/** Versions are our ETags. */
export const etag = (version: number) => ({ etag: `"${version}"` });
