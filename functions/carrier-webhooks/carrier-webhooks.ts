import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import * as z from 'zod';
import { logger } from '../../shared/middleware/logger';
import { problemResponse } from '../../shared/middleware/problem';
import { MalformedCallbackError } from '../../shared/payments/providers/common';
import { TrackingNotification, TrackingProvider, type CarrierCallbackReply, type TrackingProviderAdapter } from '../../shared/shipping/port';
import { businessMetrics, COUNTS, SIGNATURE_FAILURES } from '../../shared/observability/metrics';

export interface CarrierWebhooksDeps {
  adapterFor(provider: TrackingProvider): TrackingProviderAdapter;
  /** records a notification in the inbox and on the queue (shared/app/carrier-inbox.ts) */
  record(n: TrackingNotification): Promise<boolean>;
  now: () => Date;
}

/** The exact bytes the carrier sent: API Gateway may hand a form body (Kuaidi100) over base64-encoded. */
export function rawBody(event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>): Buffer {
  if (!event.body) return Buffer.alloc(0);
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}

const answer = (r: CarrierCallbackReply): APIGatewayProxyStructuredResultV2 => ({ statusCode: r.statusCode, headers: r.headers, body: r.body });

/**
 * `POST /webhooks/carriers/{provider}` (public). Verifies the callback on its raw bytes
 * before anything else; a forged or unreadable one is refused with a 4xx in the
 * provider's format and nothing is written. Each notification is recorded once in the
 * inbox and sent once to the carrier-callbacks queue; the provider's success answer
 * goes out only once every notification is on the queue (otherwise 500, so it
 * delivers again and the unsent one is sent then).
 */
export function makeHandler(deps: CarrierWebhooksDeps) {
  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const parsed = TrackingProvider.safeParse(event.pathParameters?.provider);
    if (!parsed.success) {
      return problemResponse({ type: 'about:blank', title: 'Not found', status: 404, detail: `No tracking provider ${JSON.stringify(event.pathParameters?.provider ?? '')}` });
    }
    const provider = parsed.data;
    const adapter = deps.adapterFor(provider);
    const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    const unavailable = () => ({ ...answer(adapter.reply('rejected', 'temporarily unavailable')), statusCode: 500 });
    let verified: Awaited<ReturnType<TrackingProviderAdapter['verifyCallback']>>;
    try {
      verified = await adapter.verifyCallback({ headers, body: rawBody(event), receivedAt: deps.now() });
    } catch (err) {
      // e.g. the provider's secret could not be read: not the caller's fault, so it delivers again
      logger.error('Carrier callback not verified', { provider, error: err instanceof Error ? err.message : String(err) });
      return unavailable();
    }
    if (!verified.ok) {
      if (SIGNATURE_FAILURES.has(verified.reason)) businessMetrics.count(COUNTS.callbacksRejectedBySignature);
      logger.warn('Carrier callback refused', { provider, reason: verified.reason, detail: verified.detail });
      return answer(adapter.reply('rejected', verified.reason));
    }
    let notifications: TrackingNotification[];
    try {
      // checked against the queue's contract here, so the worker never gets a message it cannot read
      notifications = TrackingNotification.array().parse(adapter.normalize(verified.payload));
    } catch (err) {
      if (!(err instanceof MalformedCallbackError) && !(err instanceof z.ZodError)) throw err;
      logger.warn('Carrier callback unreadable', { provider, detail: err.message });
      return answer(adapter.reply('rejected', 'malformed'));
    }
    for (const n of notifications) {
      if (!(await deps.record(n))) return unavailable();
    }
    if (notifications.length === 0) logger.info('Carrier callback acknowledged, nothing to act on', { provider });
    return answer(adapter.reply('accepted'));
  };
}
