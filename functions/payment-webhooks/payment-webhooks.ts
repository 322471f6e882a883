import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { logger } from '../../shared/middleware/logger';
import { problemResponse } from '../../shared/middleware/problem';
import * as z from 'zod';
import { CallbackProvider, ProviderNotification, type CallbackReply, type PaymentProviderAdapter } from '../../shared/payments/port';
import { MalformedCallbackError } from '../../shared/payments/providers/common';
import { businessMetrics, COUNTS, SIGNATURE_FAILURES } from '../../shared/observability/metrics';

export interface PaymentWebhooksDeps {
  adapterFor(provider: CallbackProvider): PaymentProviderAdapter;
  /** records a notification in the inbox and on the queue (shared/app/payment-inbox.ts) */
  record(n: ProviderNotification): Promise<boolean>;
  now: () => Date;
}

const answer = (r: CallbackReply): APIGatewayProxyStructuredResultV2 => ({ statusCode: r.statusCode, headers: r.headers, body: r.body });

/** The exact bytes the provider sent: API Gateway may hand a form body over base64-encoded. */
export function rawBody(event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>): Buffer {
  if (!event.body) return Buffer.alloc(0);
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}

/**
 * `POST /webhooks/payments/{provider}` (public). Verifies the callback on its raw bytes
 * before anything else; a forged, stale or probe callback is refused with a 4xx in the
 * provider's format and nothing is written. Each notification is recorded once in the
 * inbox and sent once to the payment-callbacks queue; a redelivery of a recorded one
 * is answered as accepted without sending again. The answer is the provider's success
 * only once every notification is on the queue: a failure answers 500, so the
 * provider delivers again and the unsent notification is sent then.
 */
export function makeHandler(deps: PaymentWebhooksDeps) {
  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const parsed = CallbackProvider.safeParse(event.pathParameters?.provider);
    if (!parsed.success) {
      return problemResponse({ type: 'about:blank', title: 'Not found', status: 404, detail: `No payment provider ${JSON.stringify(event.pathParameters?.provider ?? '')}` });
    }
    const provider = parsed.data;
    const adapter = deps.adapterFor(provider);
    const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    const unavailable = () => ({ ...answer(adapter.reply('rejected', 'temporarily unavailable')), statusCode: 500 });
    let verified: Awaited<ReturnType<PaymentProviderAdapter['verifyCallback']>>;
    try {
      verified = await adapter.verifyCallback({ headers, body: rawBody(event), receivedAt: deps.now() });
    } catch (err) {
      // e.g. the provider's secret could not be read: not the caller's fault, so it delivers again
      logger.error('Callback not verified', { provider, error: err instanceof Error ? err.message : String(err) });
      return unavailable();
    }
    if (!verified.ok) {
      if (SIGNATURE_FAILURES.has(verified.reason)) businessMetrics.count(COUNTS.callbacksRejectedBySignature);
      logger.warn('Callback refused', { provider, reason: verified.reason, detail: verified.detail });
      return answer(adapter.reply('rejected', verified.reason));
    }
    let notifications: ProviderNotification[];
    try {
      // checked against the queue's contract here, so the worker never gets a message it cannot read
      notifications = ProviderNotification.array().parse(adapter.normalize(verified.payload));
    } catch (err) {
      if (!(err instanceof MalformedCallbackError) && !(err instanceof z.ZodError)) throw err;
      logger.warn('Callback unreadable', { provider, detail: err.message });
      return answer(adapter.reply('rejected', 'malformed'));
    }
    for (const n of notifications) {
      if (!(await deps.record(n))) return unavailable();
    }
    if (notifications.length === 0) logger.info('Callback acknowledged, nothing to act on', { provider });
    return answer(adapter.reply('accepted'));
  };
}
