import type { RouteName } from '../../shared/api/routes';
import { getConfig } from './config';
import { pathOf, routeOf } from './permissions';
import { session, signOut } from './session';

// The console's one way to the HTTP API: a route by name (shared/api/routes), the bearer
// token of the session, JSON in and out, problem+json errors as ApiError.

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: { path: string; message: string }[];
  [extension: string]: unknown;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
  }
  /** The order (or settings) changed since the caller saw it: show it, never overwrite. */
  get isConflict() {
    return this.status === 409 || this.status === 412;
  }
  /** Field errors by the field's path without the `body.` prefix. */
  fieldErrors(): Record<string, string> {
    return Object.fromEntries((this.problem.errors ?? []).map((e) => [e.path.replace(/^body\./, ''), e.message]));
  }
}

export interface CallOptions {
  params?: Record<string, string>;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** the version the screen showed: the API answers 409 if it changed since */
  ifMatch?: number;
  idempotencyKey?: string;
}

export interface Reply<T> {
  status: number;
  body: T;
  /** the version an ETag names, if the answer has one */
  version?: number;
}

export async function call<T>(name: RouteName, opts: CallOptions = {}): Promise<Reply<T>> {
  const route = routeOf(name);
  const query = Object.entries(opts.query ?? {}).filter((e): e is [string, string | number] => e[1] !== undefined && e[1] !== '');
  const qs = query.length ? `?${new URLSearchParams(query.map(([k, v]) => [k, String(v)]))}` : '';
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = session.get()?.token;
  if (token) headers.authorization = `Bearer ${token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (opts.ifMatch !== undefined) headers['if-match'] = `"${opts.ifMatch}"`;
  if (opts.idempotencyKey) headers['idempotency-key'] = opts.idempotencyKey;
  const res = await fetch(`${getConfig().apiUrl}${pathOf(name, opts.params)}${qs}`, {
    method: route.method,
    headers,
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
  });
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = { detail: text };
  }
  if (!res.ok) {
    // An expired or revoked token: back to the sign-in page.
    if (res.status === 401) signOut();
    const problem = body && typeof body === 'object' ? (body as Problem) : { detail: String(body) };
    throw new ApiError(res.status, { status: res.status, ...problem, title: problem.title ?? (problem.message as string | undefined) ?? res.statusText });
  }
  const etag = /(\d+)/.exec(res.headers.get('etag') ?? '')?.[1];
  return { status: res.status, body: body as T, ...(etag ? { version: Number(etag) } : {}) };
}

/** A fresh Idempotency-Key for a write a person may retry. */
export const newKey = () => crypto.randomUUID();
