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
