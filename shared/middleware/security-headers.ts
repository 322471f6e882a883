import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/** Two years, the usual value for a host that is HTTPS-only for good. */
const HSTS = 'max-age=63072000; includeSubDomains';

/**
 * Headers on every API answer. `nosniff`: a JSON or problem body is never run as
 * script or styles. `no-store`: answers carry orders, customers and notifications,
 * which no shared or browser cache may keep; the API has nothing worth caching.
 * `Strict-Transport-Security` only on answers to HTTPS requests, as RFC 6797 (7.2)
 * asks: API Gateway terminates TLS and says so in X-Forwarded-Proto, so every AWS
 * stage sends it and a plain-HTTP development server does not.
 */
export function securityHeaders(event: Pick<APIGatewayProxyEventV2, 'headers'> | undefined): Record<string, string> {
  const proto = event?.headers?.['x-forwarded-proto'] ?? event?.headers?.['X-Forwarded-Proto'];
  return {
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
    ...(proto?.split(',')[0]?.trim().toLowerCase() === 'https' ? { 'strict-transport-security': HSTS } : {}),
  };
}
