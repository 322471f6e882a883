import { createHmac } from 'node:crypto';

// How a delivery is signed (the README's "Integrations" section documents it for
// partners): X-OMS-Signature = "v1=" + hex(HMAC-SHA256(secret, `${timestamp}.${body}`)),
// timestamp = X-OMS-Timestamp (Unix seconds), body = the raw request body. While a
// replaced secret still signs, the header carries one v1 entry per secret, newest
// first, separated by commas (`v1=<new>,v1=<old>`): a partner accepts the delivery if
// any entry matches a secret it holds.

export const SIGNATURE_VERSION = 'v1';

export const HEADERS = {
  eventId: 'x-oms-event-id',
  eventType: 'x-oms-event-type',
  timestamp: 'x-oms-timestamp',
  signature: 'x-oms-signature',
} as const;

export const sign = (secret: string, timestamp: number, body: string) =>
  createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');

/** The X-OMS-Signature value for these secrets (newest first). */
export const signatureHeader = (secrets: readonly string[], timestamp: number, body: string) =>
  secrets.map((s) => `${SIGNATURE_VERSION}=${sign(s, timestamp, body)}`).join(',');

/** Every header of one attempt. */
export function deliveryHeaders(e: { eventId: string; detailType: string }, secrets: readonly string[], now: Date, body: string): Record<string, string> {
  const timestamp = Math.floor(now.getTime() / 1000);
  return {
    'content-type': 'application/json',
    'user-agent': 'OMS-Webhooks/1',
    [HEADERS.eventId]: e.eventId,
    [HEADERS.eventType]: e.detailType,
    [HEADERS.timestamp]: String(timestamp),
    [HEADERS.signature]: signatureHeader(secrets, timestamp, body),
  };
}
