import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context } from 'aws-lambda';

// Hand-built API Gateway HTTP API (payload 2.0) events, shaped like the real thing.

export type Claims = Record<string, string | number | boolean | string[]>;

export const TOKENS = {
  storefront: { sub: 'shop-client-1', client_id: 'shop-client-1', scope: 'oms/storefront', token_use: 'access' },
  otherStorefront: { sub: 'shop-client-2', client_id: 'shop-client-2', scope: 'oms/storefront', token_use: 'access' },
  ops: { sub: 'user-ops', 'cognito:groups': '[ops]', token_use: 'id' },
  cs: { sub: 'user-cs', 'cognito:groups': '[cs]' },
  finance: { sub: 'user-fin', 'cognito:groups': '[finance]' },
  admin: { sub: 'user-admin', 'cognito:groups': ['admin'] },
} satisfies Record<string, Claims>;

export interface EventInput {
  routeKey: string;
  pathParameters?: Record<string, string>;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: unknown;
  rawBody?: string;
  claims?: Claims;
  isBase64Encoded?: boolean;
}

let counter = 0;

export function apiEvent(input: EventInput): APIGatewayProxyEventV2WithJWTAuthorizer {
  const [method, template] = input.routeKey.split(' ') as [string, string];
  const rawPath = template.replace(/\{(\w+)\}/g, (_, name: string) => input.pathParameters?.[name] ?? `:${name}`);
  const body = input.rawBody ?? (input.body === undefined ? undefined : JSON.stringify(input.body));
  const headers: Record<string, string> = {
    host: 'api.example.test',
    ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
    ...input.headers,
  };
  const requestId = `req-${++counter}`;
  return {
    version: '2.0',
    routeKey: input.routeKey,
    rawPath,
    rawQueryString: new URLSearchParams(input.query ?? {}).toString(),
    headers,
    queryStringParameters: input.query,
    pathParameters: input.pathParameters,
    body,
    isBase64Encoded: input.isBase64Encoded ?? false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: 'api.example.test',
      domainPrefix: 'api',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
      requestId,
      routeKey: input.routeKey,
      stage: '$default',
      time: '27/Nov/2026:03:00:00 +0000',
      timeEpoch: 1795748400000,
      authorizer: input.claims
        ? { principalId: '', integrationLatency: 0, jwt: { claims: input.claims, scopes: [] } }
        : (undefined as never),
    },
  } as APIGatewayProxyEventV2WithJWTAuthorizer;
}

export const lambdaContext = { functionName: 'test', awsRequestId: 'ctx-1', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

export interface Answer<T = Record<string, unknown>> {
  status: number;
  headers: Record<string, string>;
  body: T;
}

/** Invokes an HTTP handler and parses its answer. */
export async function call<T = Record<string, unknown>>(
  handler: (e: APIGatewayProxyEventV2WithJWTAuthorizer, c: Context) => Promise<{ statusCode?: number; headers?: Record<string, unknown>; body?: string }>,
  input: EventInput,
): Promise<Answer<T>> {
  const res = await handler(apiEvent(input), lambdaContext);
  return {
    status: res.statusCode ?? 200,
    headers: Object.fromEntries(Object.entries(res.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)])),
    body: (res.body ? JSON.parse(res.body) : undefined) as T,
  };
}
