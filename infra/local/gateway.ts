// The local HTTP API: matches requests to the template's routes the way API Gateway
// v2 does, runs the JWT authorizer, builds payload 2.0 events and maps the function's
// answer back to HTTP with the 2.0 format rules.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LocalAuthorizer } from './authorizer';
import type { InvokeResult } from './lambda-runtime';
import type { CorsSpec, RouteSpec } from './template';

export interface RouteMatch {
  route: RouteSpec;
  pathParameters?: Record<string, string>;
}

type Segment = { kind: 'literal'; text: string } | { kind: 'param'; name: string } | { kind: 'greedy'; name: string };

function segments(path: string): Segment[] {
  return path
    .split('/')
    .slice(1)
    .map((s): Segment => {
      const m = /^\{([^}]+?)(\+)?\}$/.exec(s);
      if (!m) return { kind: 'literal', text: s };
      return m[2] ? { kind: 'greedy', name: m[1]! } : { kind: 'param', name: m[1]! };
    });
}

const decode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

function matchPath(routePath: string, rawPath: string): Record<string, string> | undefined {
  const want = segments(routePath);
  const got = rawPath.split('/').slice(1);
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    if (w.kind === 'greedy') {
      const rest = got.slice(i);
      if (rest.length === 0 || rest.join('/') === '') return undefined;
      params[w.name] = decode(rest.join('/'));
      return params;
    }
    const g = got[i];
    if (g === undefined) return undefined;
    if (w.kind === 'literal') {
      if (w.text !== g) return undefined;
    } else {
      if (g === '') return undefined;
      params[w.name] = decode(g);
    }
  }
  return got.length === want.length ? params : undefined;
}

/** Specificity as API Gateway ranks it: literal segments beat variables beat greedy ones; a method beats ANY. */
function rank(route: RouteSpec): number[] {
  const segs = segments(route.path ?? '');
  return [...segs.map((s) => (s.kind === 'literal' ? 3 : s.kind === 'param' ? 2 : 1)), route.method === 'ANY' ? 0 : 1];
}

function compareRank(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (b[i] ?? -1) - (a[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

export function matchRoute(routes: RouteSpec[], method: string, rawPath: string): RouteMatch | undefined {
  const path = rawPath.length > 1 && rawPath.endsWith('/') ? rawPath.slice(0, -1) : rawPath;
  const candidates: { route: RouteSpec; params: Record<string, string> }[] = [];
  for (const route of routes) {
    if (route.routeKey === '$default') continue;
    if (route.method !== 'ANY' && route.method !== method.toUpperCase()) continue;
    const params = matchPath(route.path!, path);
    if (params) candidates.push({ route, params });
  }
  candidates.sort((a, b) => compareRank(rank(a.route), rank(b.route)));
  const best = candidates[0];
  if (best) return { route: best.route, pathParameters: Object.keys(best.params).length ? best.params : undefined };
  const fallback = routes.find((r) => r.routeKey === '$default');
  return fallback ? { route: fallback } : undefined;
}

const TEXT_TYPES = [/^text\//, /^application\/(.+\+)?json/, /^application\/(.+\+)?xml/, /^application\/x-www-form-urlencoded/, /^application\/javascript/];

export function isTextContent(contentType: string | undefined): boolean {
  if (!contentType) return true;
  const ct = contentType.toLowerCase();
  return TEXT_TYPES.some((re) => re.test(ct));
}

export interface RequestInfo {
  method: string;
  /** Path and query as received (`/orders/1?x=y`). */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  sourceIp: string;
  accountId: string;
  now?: Date;
  requestId?: string;
}

const pad = (n: number) => String(n).padStart(2, '0');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** API Gateway's requestContext.time format: 27/Nov/2026:02:52:44 +0000. */
export function gatewayTime(d: Date): string {
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

/** Lower-cased headers, repeated ones joined with commas, as API Gateway passes them. */
export function normalizeHeaders(raw: RequestInfo['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
  }
  return out;
}

export function buildEvent(
  req: RequestInfo,
  match: RouteMatch,
  authorizer?: { claims: Record<string, string>; scopes: string[] | null },
): Record<string, unknown> {
  const now = req.now ?? new Date();
  const q = req.url.indexOf('?');
  const rawPath = q < 0 ? req.url : req.url.slice(0, q);
  const rawQueryString = q < 0 ? '' : req.url.slice(q + 1);
  const headers = normalizeHeaders(req.headers);
  let cookies: string[] | undefined;
  if (headers.cookie) {
    cookies = headers.cookie.split(/;\s*/).filter(Boolean);
    delete headers.cookie;
  }
  let queryStringParameters: Record<string, string> | undefined;
  if (rawQueryString) {
    queryStringParameters = {};
    for (const [k, v] of new URLSearchParams(rawQueryString)) {
      queryStringParameters[k] = k in queryStringParameters ? `${queryStringParameters[k]},${v}` : v;
    }
  }
  const host = headers.host ?? 'localhost';
  const event: Record<string, unknown> = {
    version: '2.0',
    routeKey: match.route.routeKey,
    rawPath,
    rawQueryString,
  };
  if (cookies) event.cookies = cookies;
  event.headers = headers;
  if (queryStringParameters) event.queryStringParameters = queryStringParameters;
  event.requestContext = {
    accountId: req.accountId,
    apiId: match.route.apiId,
    ...(authorizer ? { authorizer: { jwt: { claims: authorizer.claims, scopes: authorizer.scopes } } } : {}),
    domainName: host,
    domainPrefix: host.split('.')[0],
    http: {
      method: req.method.toUpperCase(),
      path: rawPath,
      protocol: 'HTTP/1.1',
      sourceIp: req.sourceIp,
      userAgent: headers['user-agent'] ?? '',
    },
    requestId: req.requestId ?? randomUUID(),
    routeKey: match.route.routeKey,
    stage: '$default',
    time: gatewayTime(now),
    timeEpoch: now.getTime(),
  };
  if (req.body.length > 0) {
    const text = isTextContent(headers['content-type']);
    event.body = text ? req.body.toString('utf8') : req.body.toString('base64');
    event.isBase64Encoded = !text;
  } else {
    event.isBase64Encoded = false;
  }
  if (match.pathParameters) event.pathParameters = match.pathParameters;
  return event;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  cookies: string[];
  body: Buffer;
}

const GATEWAY_TITLES = {
  400: 'Bad request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not found', 413: 'Request body too large',
  431: 'Request header fields too large', 500: 'Internal error',
} as const;
export type GatewayStatus = keyof typeof GATEWAY_TITLES;

/**
 * The gateway's own answers (no token, no route, too large, the function failed) as
 * RFC 9457 problem documents, like the functions' errors, so a client parses one
 * error shape. API Gateway itself answers `{"message": ...}` (see the README).
 */
export function gatewayProblem(status: GatewayStatus, detail: string): HttpAnswer {
  const problem = { type: 'about:blank', title: GATEWAY_TITLES[status], status, detail };
  return {
    status,
    headers: { 'content-type': 'application/problem+json', 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' },
    cookies: [],
    body: Buffer.from(JSON.stringify(problem)),
  };
}

/**
 * The answers API Gateway makes itself and an HTTP API cannot reshape (it has no gateway
 * responses): the JWT authorizer's 401 and 403, and the 404 of an API without a `$default`
 * route. The local gateway gives them as AWS does, `{"message": ...}` as JSON with the
 * authorizer's `www-authenticate` challenge, so a client meets here what it meets there.
 */
export function apiGatewayMessage(status: 401 | 403 | 404, challenge?: string): HttpAnswer {
  const message = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found' }[status];
  return {
    status,
    headers: { 'content-type': 'application/json', ...(challenge ? { 'www-authenticate': challenge } : {}) },
    cookies: [],
    body: Buffer.from(JSON.stringify({ message })),
  };
}

/**
 * Requests Node's HTTP parser refuses before any route sees them (headers over the
 * limit: 431; anything unparseable: 400), answered as problem+json instead of Node's
 * bodyless default. For the server's 'clientError' event.
 */
export function answerClientError(err: Error & { code?: string }, socket: { writable: boolean; end(data: string): void; destroy(): void }): void {
  if (!socket.writable || err.code === 'ECONNRESET') return socket.destroy();
  const a = err.code === 'HPE_HEADER_OVERFLOW'
    ? gatewayProblem(431, 'The request headers are larger than the gateway accepts')
    : gatewayProblem(400, 'The request could not be parsed as HTTP');
  const head = Object.entries({ ...a.headers, 'content-length': String(a.body.length), connection: 'close' }).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  socket.end(`HTTP/1.1 ${a.status} ${GATEWAY_TITLES[a.status as GatewayStatus]}\r\n${head}\r\n${a.body.toString()}`);
}

/** Maps a function's result to HTTP with the payload 2.0 rules. */
export function mapResult(result: InvokeResult): HttpAnswer {
  if (!result.ok) return gatewayProblem(500, 'The function failed');
  const r = result.result;
  const isResponse = r !== null && typeof r === 'object' && !Array.isArray(r) && 'statusCode' in r;
  if (!isResponse) {
    // Without a statusCode, API Gateway takes the whole result as a JSON body with 200.
    return { status: 200, headers: { 'content-type': 'application/json' }, cookies: [], body: Buffer.from(typeof r === 'string' ? r : JSON.stringify(r)) };
  }
  const res = r as { statusCode: unknown; headers?: Record<string, unknown>; cookies?: unknown[]; body?: unknown; isBase64Encoded?: boolean; multiValueHeaders?: Record<string, unknown[]> };
  const status = Number(res.statusCode);
  if (!Number.isInteger(status) || status < 100 || status > 599) return gatewayProblem(500, 'The function gave no valid status code');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers ?? {})) headers[k.toLowerCase()] = String(v);
  for (const [k, v] of Object.entries(res.multiValueHeaders ?? {})) headers[k.toLowerCase()] = v.map(String).join(',');
  const body = res.body === undefined || res.body === null ? '' : typeof res.body === 'string' ? res.body : JSON.stringify(res.body);
  return {
    status,
    headers,
    cookies: (res.cookies ?? []).map(String),
    body: res.isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body),
  };
}

export interface GatewayDeps {
  routes: RouteSpec[];
  authorizer: LocalAuthorizer;
  invoke: (functionName: string, event: unknown) => Promise<InvokeResult>;
  accountId: string;
  log: (line: string) => void;
  cors?: CorsSpec;
  /** Payload limit of HTTP APIs (10 MB). */
  maxBodyBytes?: number;
}

function send(res: ServerResponse, a: HttpAnswer) {
  const headers: Record<string, string | string[]> = { ...a.headers, 'content-length': String(a.body.length) };
  if (a.cookies.length) headers['set-cookie'] = a.cookies;
  res.writeHead(a.status, headers);
  res.end(a.body);
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

const originAllowed = (cors: CorsSpec, origin: string) => cors.allowOrigins.includes('*') || cors.allowOrigins.includes(origin);

/** CORS headers API Gateway adds to an answer for an allowed origin (they replace the function's own). */
export function corsHeaders(cors: CorsSpec | undefined, origin: string | undefined, preflight: boolean): Record<string, string> {
  if (!cors || !origin || !originAllowed(cors, origin)) return {};
  const h: Record<string, string> = { 'access-control-allow-origin': cors.allowOrigins.includes('*') && !cors.allowCredentials ? '*' : origin };
  if (cors.allowCredentials) h['access-control-allow-credentials'] = 'true';
  if (preflight) {
    if (cors.allowMethods.length) h['access-control-allow-methods'] = cors.allowMethods.join(',');
    if (cors.allowHeaders.length) h['access-control-allow-headers'] = cors.allowHeaders.join(',');
    if (cors.maxAge !== undefined) h['access-control-max-age'] = String(cors.maxAge);
  } else if (cors.exposeHeaders.length) h['access-control-expose-headers'] = cors.exposeHeaders.join(',');
  return h;
}

/** Handles one request against the template's routes. */
export async function handleApiRequest(deps: GatewayDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = Date.now();
  const method = (req.method ?? 'GET').toUpperCase();
  const url = req.url ?? '/';
  const path = url.split('?')[0]!;
  const requestId = randomUUID();
  const done = (a: HttpAnswer, target: string, functionMs?: number) => {
    a.headers['apigw-requestid'] = requestId;
    send(res, a);
    // Total time, and the function's own time when it ran (the rest is waiting for a container).
    const total = Date.now() - started;
    const own = functionMs !== undefined && total - functionMs > 50 ? ` (function ${functionMs}ms)` : '';
    deps.log(`HTTP ${method} ${path} -> ${target} ${a.status} ${total}ms${own}`);
  };
  const body = await readBody(req, deps.maxBodyBytes ?? 10 * 1024 * 1024);
  if (!body) return done(gatewayProblem(413, 'The request body is larger than the gateway accepts'), '(too large)');
  const headers = normalizeHeaders(req.headers);
  const match = matchRoute(deps.routes, method, path);
  // API Gateway answers CORS preflights itself when the API has a CORS configuration.
  if (deps.cors && method === 'OPTIONS' && headers['access-control-request-method'] && (!match || match.route.method !== 'OPTIONS')) {
    return done({ status: 204, headers: corsHeaders(deps.cors, headers.origin, true), cookies: [], body: Buffer.alloc(0) }, '(cors preflight)');
  }
  if (!match) return done(apiGatewayMessage(404), '(no route)');
  let authorizer: { claims: Record<string, string>; scopes: string[] | null } | undefined;
  if (match.route.auth.type === 'JWT') {
    const outcome = await deps.authorizer.verify(match.route.auth, headers);
    if (!outcome.ok) {
      deps.log(`authorizer: ${method} ${path} refused (${outcome.why})`);
      const challenge = outcome.status === 401 ? 'Bearer' : 'Bearer error="insufficient_scope"';
      return done(apiGatewayMessage(outcome.status, challenge), `${match.route.functionName} (not authorized)`);
    }
    authorizer = { claims: outcome.claims, scopes: outcome.scopes };
  }
  const sourceIp = req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1';
  // Headers API Gateway adds on its way to the function.
  const forwarded = {
    ...req.headers,
    'x-forwarded-for': req.headers['x-forwarded-for'] ? `${req.headers['x-forwarded-for']}, ${sourceIp}` : sourceIp,
    'x-forwarded-port': String(req.socket.localPort ?? ''),
    'x-forwarded-proto': 'http',
    'x-amzn-trace-id': `Root=1-${Math.floor(started / 1000).toString(16)}-${requestId.replace(/-/g, '').slice(0, 24)}`,
  };
  const event = buildEvent(
    { method, url, headers: forwarded, body, sourceIp, accountId: deps.accountId, requestId },
    match,
    authorizer,
  );
  const result = await deps.invoke(match.route.functionName, event);
  if (!result.ok) deps.log(`${match.route.functionName} failed: ${result.error.errorType}: ${result.error.errorMessage}`);
  const answer = mapResult(result);
  if (deps.cors) {
    for (const k of Object.keys(answer.headers)) if (k.startsWith('access-control-')) delete answer.headers[k];
    Object.assign(answer.headers, corsHeaders(deps.cors, headers.origin, false));
  }
  done(answer, match.route.functionName, result.durationMs);
}
