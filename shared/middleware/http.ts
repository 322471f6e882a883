import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import * as z from 'zod';
import {
  NotFoundError, PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError, type FieldError,
} from '../domain/errors';
import { authFromClaims, authorize, type Auth, type Role } from './auth';
import { logger, withRequestLogContext } from './logger';
import { problemResponse, toProblem } from './problem';
import { securityHeaders } from './security-headers';

export type HttpEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
export type HttpResult = APIGatewayProxyStructuredResultV2;
export type HttpHandler = (event: HttpEvent, context: Context) => Promise<HttpResult>;

export const MAX_BODY_BYTES = 64 * 1024;
const JSON_TYPE = /^application\/([\w.+-]+\+)?json\s*(;.*)?$/i;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

type Infer<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteSpec<B extends z.ZodType | undefined, P extends z.ZodType | undefined, Q extends z.ZodType | undefined> {
  /** 'public', or the roles allowed to call the route */
  auth: 'public' | readonly Role[];
  body?: B;
  /** path parameters */
  params?: P;
  query?: Q;
}

export interface HttpRequest<B, P, Q, A> {
  body: B;
  /** path parameters */
  params: P;
  query: Q;
  auth: A;
  idempotencyKey: string | undefined;
  /** API Gateway's request id: the causation id of whatever the request changes */
  requestId: string;
  event: HttpEvent;
}

export interface Reply {
  statusCode: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** a body sent as it is instead of as JSON (HTML as text; a Buffer, such as a PDF, base64-encoded) */
  raw?: { contentType: string; data: string | Buffer };
}

export const ok = (body: unknown): Reply => ({ statusCode: 200, body });
export const created = (body: unknown, location?: string): Reply => ({
  statusCode: 201, body, ...(location ? { headers: { location } } : {}),
});
export const accepted = (body: unknown, location: string): Reply => ({ statusCode: 202, body, headers: { location } });

/** zod issues -> `[{ path: 'body.lines.0.quantity', message }]`; unknown keys are listed one by one. */
export function fieldErrors(location: string, error: z.ZodError): FieldError[] {
  return error.issues.flatMap((issue) => {
    const base = [location, ...issue.path.map(String)];
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: [...base, key].join('.'), message: 'is not allowed' }));
    }
    return [{ path: base.join('.'), message: issue.message }];
  });
}

function validate<S extends z.ZodType | undefined>(schema: S | undefined, location: string, value: unknown): Infer<S> {
  if (!schema) return undefined as Infer<S>;
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new ValidationError(`The request ${location} is invalid`, fieldErrors(location, result.error));
  }
  return result.data as Infer<S>;
}

const hasBody = (event: HttpEvent): event is HttpEvent & { body: string } => event.body !== undefined && event.body !== null && event.body !== '';

/** A route that takes no input still reads any body it is sent: it must be `{}` (or absent). */
const EmptyBody = z.strictObject({});

/**
 * Keys that name an object's prototype machinery. JSON.parse keeps them as plain own
 * properties, but the next spread, merge or schema may not (zod drops `__proto__` from
 * a record without a word), so no body may use them, at any depth.
 */
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function parseJson(text: string): unknown {
  const reserved: string[] = [];
  const value = JSON.parse(text, function (this: unknown, key: string, v: unknown) {
    if (RESERVED_KEYS.has(key)) reserved.push(key);
    return v;
  }) as unknown;
  if (reserved.length > 0) {
    throw new ValidationError('The request body uses reserved keys', [
      ...new Set(reserved),
    ].map((key) => ({ path: `body.${key}`, message: 'is a reserved key' })));
  }
  return value;
}

/** Size limit, content type and JSON parsing of the raw body (our own: 413/415/400 rather than the parser's). */
function readJsonBody(event: HttpEvent): unknown {
  if (!hasBody(event)) {
    throw new ValidationError('A JSON request body is required', [{ path: 'body', message: 'is required' }]);
  }
  const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
  if (raw.byteLength > MAX_BODY_BYTES) {
    throw new PayloadTooLargeError(`The request body exceeds ${MAX_BODY_BYTES} bytes`);
  }
  const contentType = event.headers?.['content-type'];
  if (!contentType || !JSON_TYPE.test(contentType)) {
    throw new UnsupportedMediaTypeError(`Expected content-type application/json, got ${contentType ?? 'none'}`);
  }
  try {
    return parseJson(raw.toString('utf8'));
  } catch (err) {
    if (err instanceof ValidationError) throw err;
    throw new ValidationError('The request body is not valid JSON', [{ path: 'body', message: 'is not valid JSON' }]);
  }
}

function serialize(reply: Reply, event: HttpEvent): HttpResult {
  if (reply.raw) {
    const { contentType, data } = reply.raw;
    return {
      statusCode: reply.statusCode,
      headers: { 'content-type': contentType, ...reply.headers, ...securityHeaders(event) },
      body: typeof data === 'string' ? data : data.toString('base64'),
      isBase64Encoded: typeof data !== 'string',
    };
  }
  const withBody = reply.body !== undefined;
  return {
    statusCode: reply.statusCode,
    headers: { ...(withBody ? { 'content-type': 'application/json' } : {}), ...reply.headers, ...securityHeaders(event) },
    ...(withBody ? { body: JSON.stringify(reply.body) } : {}),
  };
}

/** A problem+json answer with the same security headers as any other. */
function problemFor(err: unknown, event: HttpEvent | undefined): HttpResult {
  const result = problemResponse(toProblem(err, event?.rawPath));
  return { ...result, headers: { ...result.headers, ...securityHeaders(event) } };
}

/**
 * An HTTP API (payload 2.0) route: headers normalized, caller authorized by role,
 * body/path/query validated with strict zod schemas, and every error answered as
 * application/problem+json.
 */
export function http<
  B extends z.ZodType | undefined = undefined,
  P extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  S extends RouteSpec<B, P, Q> = RouteSpec<B, P, Q>,
>(
  spec: S & RouteSpec<B, P, Q>,
  handler: (req: HttpRequest<Infer<B>, Infer<P>, Infer<Q>, S['auth'] extends 'public' ? Auth | undefined : Auth>) => Promise<Reply>,
): HttpHandler {
  const core = async (event: HttpEvent): Promise<HttpResult> => {
    const claims = event.requestContext?.authorizer?.jwt?.claims;
    const auth = spec.auth === 'public' ? authFromClaims(claims) : authorize(authFromClaims(claims), spec.auth);
    if (!spec.body && hasBody(event)) validate(EmptyBody, 'body', readJsonBody(event));
    const body = spec.body ? validate(spec.body, 'body', readJsonBody(event)) : (undefined as Infer<B>);
    const params = validate<P>(spec.params, 'path', event.pathParameters ?? {});
    const query = validate<Q>(spec.query, 'query', event.queryStringParameters ?? {});
    const key = event.headers?.['idempotency-key'];
    if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
      throw new ValidationError('Invalid Idempotency-Key header', [
        { path: 'headers.idempotency-key', message: 'must be 1-200 visible ASCII characters' },
      ]);
    }
    const reply = await handler({
      body, params, query, auth: auth as Auth, idempotencyKey: key, requestId: event.requestContext?.requestId ?? 'unknown', event,
    });
    return serialize(reply, event);
  };

  const stack = middy<HttpEvent, HttpResult>()
    // function context on every log line of the invocation
    .use(injectLambdaContext(logger, { resetKeys: true }))
    // header names in lower case, as API Gateway's payload 2.0 already gives them (and tests may not)
    .use({
      before: (request) => {
        const { headers } = request.event;
        if (headers) request.event.headers = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
      },
    })
    .use({
      onError: async (request) => {
        request.response = problemFor(request.error, request.event);
      },
    })
    .handler(core) as unknown as HttpHandler;
  return withRequestLogContext(stack);
}


/**
 * Several routes in one function: dispatch on API Gateway's routeKey ("GET /products/{sku}").
 */
export function router(routes: Record<string, HttpHandler>): HttpHandler {
  return async (event, context) => {
    const route = routes[event.routeKey];
    if (route) return route(event, context);
    // `$default` (the API's fallback route) names no route: say what was asked for
    const asked = event.routeKey === '$default' ? `${event.requestContext.http.method} ${event.rawPath}` : event.routeKey;
    return problemFor(new NotFoundError(`No route for ${asked}`), event);
  };
}
