import { timingSafeEqual } from 'node:crypto';
import type { CarrierCallbackReply, CarrierVerifyResult, ShipmentStatus } from '../port';

// What the four tracking adapters share: constant-time comparison of signatures,
// reading times and dates the way providers write them, and the JSON replies.

export { callbackShaped, lazyCredentials, MalformedCallbackError, type CredentialSource } from '../../payments/providers/common';

/** Compares a received signature with ours in constant time (a length mismatch is a plain mismatch). */
export function sameBytes(received: Buffer, expected: Buffer): boolean {
  return received.length === expected.length && timingSafeEqual(received, expected);
}

/** The body as JSON once its signature verified. */
export function jsonPayload(body: Buffer): CarrierVerifyResult {
  try {
    return { ok: true, payload: JSON.parse(body.toString('utf8')) as unknown };
  } catch {
    return { ok: false, reason: 'malformed', detail: 'body is not JSON' };
  }
}

/** An ISO 8601 time with its offset; a time without one is taken as UTC. Undefined when unreadable. */
export function isoTime(value: unknown): string | undefined {
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) return undefined;
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/.test(value)) return value;
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/.test(value)) return new Date(`${value.replace(' ', 'T')}Z`).toISOString();
  return new Date(value).toISOString();
}

/** `yyyy-MM-dd` of a date or date-time as written (the carrier's calendar day). */
export function isoDate(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^(\d{4}-\d{2}-\d{2})/.exec(value);
  return m ? m[1] : undefined;
}

/** A status from a table, or the fallback for values the table does not name. */
export const mapped = (table: Readonly<Record<string, ShipmentStatus>>, value: unknown, fallback: ShipmentStatus): ShipmentStatus =>
  (typeof value === 'string' || typeof value === 'number') && Object.hasOwn(table, String(value)) ? table[String(value)]! : fallback;

/** AfterShip, EasyPost and 17TRACK take any 2xx; a refused callback gets a 400 with the reason. */
export function jsonReply(outcome: 'accepted' | 'rejected', message?: string): CarrierCallbackReply {
  return outcome === 'accepted'
    ? { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ received: true }) }
    : { statusCode: 400, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: message ?? 'rejected' }) };
}

/** Descriptions and locations as the port bounds them (kept as sent, only cut to size). */
export const text = (value: unknown, max: number): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.slice(0, max) : undefined;
