// EventBridge API destinations as the local cloud serves them: a rule target whose ARN is
// an `AWS::Events::ApiDestination` of the template is sent over HTTP to the destination's
// endpoint — or to the local endpoint its metadata names (`oms:localEndpoint`, see
// infra/constructs/api-destinations.ts), since AWS calls https only — with:
//   - the connection's authorization: the API key header (its value from the local secrets
//     store, through the template's dynamic reference), basic auth, or an OAuth
//     client-credentials token fetched from the connection's authorization endpoint;
//   - the target's HttpParameters (headers, query string) and the destination's method;
//   - the destination's InvocationRateLimitPerSecond (invocations are spaced out);
//   - EventBridge's retries: 401, 407, 409, 429, 5xx, network errors and timeouts (5 s) are
//     retried with exponential backoff and jitter (1 s doubling, at most 5 min between tries)
//     until the target's RetryPolicy runs out (MaximumRetryAttempts, MaximumEventAgeInSeconds;
//     default 185 and 24 h); other answers are not retried;
//   - then the event goes to the target's dead-letter queue with EventBridge's attributes
//     (ERROR_CODE, ERROR_MESSAGE, EXHAUSTED_RETRY_CONDITION, RETRY_ATTEMPTS, RULE_ARN,
//     TARGET_ARN), or is dropped with a log line when it has none.
// `timeScale` (LocalCloudOptions.apiDestinationTimeScale) shortens every wait of that list —
// backoff, event age, rate limit — for tests (0.001: a 24-hour policy lasts 86 s).
// Retries waiting for their time are kept in memory: stopping the cloud drops them.
//
// Control routes: GET /_local/api-destinations (each destination, where it sends, its
// auth header and local key, counts and the last attempts); PUT /_local/api-destinations/<name>
// {"endpoint": "http://…" | null} sends it elsewhere until the cloud stops (null: back to the template's).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EventBridgeEvent } from './bus';
import type { Resolver, StackTemplate } from './intrinsics';
import type { MessageAttributeValue } from './queues';
import type { RuleSpec, TargetSpec } from './template';

/** The template metadata key with a destination's local endpoint (infra/constructs/api-destinations.ts). */
export const LOCAL_ENDPOINT_METADATA = 'oms:localEndpoint';

/** EventBridge gives an API destination this long to answer. */
export const INVOCATION_TIMEOUT_MS = 5000;
const DEFAULT_RETRY = { attempts: 185, ageSeconds: 86_400 };
const FIRST_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 300_000;
/** Attempts GET /_local/api-destinations shows per destination. */
const RECENT_ATTEMPTS = 50;

export type ConnectionAuth =
  | { kind: 'apiKey'; header: string; value: string }
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'oauth'; tokenUrl: string; method: string; clientId: string; clientSecret: string; body: Record<string, string> }
  | { kind: 'none' };

export interface ApiDestinationSpec {
  logicalId: string;
  name: string;
  arn: string;
  /** InvocationEndpoint of the template */
  endpoint: string;
  localEndpoint?: string;
  method: string;
  ratePerSecond?: number;
  connection: string;
  auth: ConnectionAuth;
}

/** Reads the template's API destinations and their connections (secrets resolved to their local values). */
export function apiDestinationsOf(stacks: StackTemplate[], resolver: Resolver): ApiDestinationSpec[] {
  const out: ApiDestinationSpec[] = [];
  for (const s of stacks) {
    const resources = s.template.Resources ?? {};
    for (const [id, r] of Object.entries(resources)) {
      if (r.Type !== 'AWS::Events::ApiDestination') continue;
      const p = resolver.resolve(s.stackName, r.Properties ?? {});
      const connectionArn = String(p.ConnectionArn);
      const connection = Object.entries(resources).find(
        ([cid, c]) => c.Type === 'AWS::Events::Connection' && String(resolver.getAtt(s.stackName, cid, 'Arn')) === connectionArn,
      );
      if (!connection) throw new Error(`${s.stackName}/${id}: API destination whose connection ${connectionArn} is not in the template`);
      const c = resolver.resolve(s.stackName, connection[1].Properties ?? {});
      out.push({
        logicalId: id,
        name: String(p.Name ?? resolver.physicalName(s.stackName, id)),
        arn: String(resolver.getAtt(s.stackName, id, 'Arn')),
        endpoint: String(p.InvocationEndpoint),
        ...(r.Metadata?.[LOCAL_ENDPOINT_METADATA] ? { localEndpoint: String(r.Metadata[LOCAL_ENDPOINT_METADATA]) } : {}),
        method: String(p.HttpMethod ?? 'POST'),
        ...(p.InvocationRateLimitPerSecond ? { ratePerSecond: Number(p.InvocationRateLimitPerSecond) } : {}),
        connection: String(c.Name ?? connection[0]),
        auth: connectionAuth(c),
      });
    }
  }
  return out;
}

function connectionAuth(c: Record<string, any>): ConnectionAuth {
  const a = c.AuthParameters ?? {};
  switch (c.AuthorizationType) {
    case 'API_KEY':
      return { kind: 'apiKey', header: String(a.ApiKeyAuthParameters.ApiKeyName), value: String(a.ApiKeyAuthParameters.ApiKeyValue) };
    case 'BASIC':
      return { kind: 'basic', username: String(a.BasicAuthParameters.Username), password: String(a.BasicAuthParameters.Password) };
    case 'OAUTH_CLIENT_CREDENTIALS': {
      const o = a.OAuthParameters;
      const body: Record<string, string> = {};
      for (const kv of o.OAuthHttpParameters?.BodyParameters ?? []) body[String(kv.Key)] = String(kv.Value);
      return {
        kind: 'oauth',
        tokenUrl: String(o.AuthorizationEndpoint),
        method: String(o.HttpMethod ?? 'POST'),
        clientId: String(o.ClientParameters.ClientID),
        clientSecret: String(o.ClientParameters.ClientSecret),
        body,
      };
    }
    default:
      return { kind: 'none' };
  }
}

/** Whether EventBridge tries again after this answer (undefined: a network error or timeout). */
export function retryable(status: number | undefined): boolean {
  return status === undefined || [401, 407, 409, 429].includes(status) || status >= 500;
}

/** The wait before retry number `n` (1-based): 1 s doubling, at most 5 min, with jitter (half to all of it). */
export function backoffMs(n: number, random: () => number = Math.random): number {
  const full = Math.min(FIRST_BACKOFF_MS * 2 ** (n - 1), MAX_BACKOFF_MS);
  return full / 2 + (random() * full) / 2;
}

export interface Delivery {
  rule: RuleSpec;
  ruleArn: string;
  target: TargetSpec;
  event: EventBridgeEvent;
  /** the target input (after the input transformer) */
  body: string;
}

interface Attempt {
  at: string;
  eventId: string;
  detailType: string;
  attempt: number;
  /** HTTP status, or undefined for a network error / timeout */
  status?: number;
  error?: string;
  outcome: 'delivered' | 'retrying' | 'dead-lettered' | 'dropped';
}

interface State {
  spec: ApiDestinationSpec;
  override?: string;
  nextSlot: number;
  token?: { value: string; expiresAt: number };
  counts: { delivered: number; retried: number; deadLettered: number; dropped: number };
  recent: Attempt[];
}

export interface ApiDestinationDeps {
  destinations: ApiDestinationSpec[];
  /** sends to a dead-letter queue (by ARN) */
  sendToQueue: (arn: string, body: string, attributes: Record<string, MessageAttributeValue>) => Promise<string>;
  log: (line: string) => void;
  /** every wait (backoff, event age, rate limit) times this; default 1 */
  timeScale?: number;
  fetch?: typeof fetch;
  now?: () => number;
  random?: () => number;
}

export class LocalApiDestinations {
  private readonly states = new Map<string, State>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<AbortController>();
  private stopped = false;
  private readonly scale: number;
  private readonly now: () => number;
  private readonly fetch: typeof fetch;

  constructor(private readonly deps: ApiDestinationDeps) {
    for (const spec of deps.destinations) {
      this.states.set(spec.arn, { spec, nextSlot: 0, counts: { delivered: 0, retried: 0, deadLettered: 0, dropped: 0 }, recent: [] });
    }
    this.scale = deps.timeScale ?? 1;
    this.now = deps.now ?? Date.now;
    this.fetch = deps.fetch ?? fetch;
  }

  has(arn: string): boolean {
    return this.states.has(arn);
  }

  /** Where a destination sends now: an override, else its local endpoint, else the template's. */
  endpointOf(s: State): string {
    return s.override ?? s.spec.localEndpoint ?? s.spec.endpoint;
  }

  /** Starts delivering in the background; answers where it goes ("api destination oms-dev-erp"). */
  deliver(d: Delivery): string {
    const s = this.states.get(d.target.arn)!;
    const firstAt = this.now();
    void this.attempt(s, d, 0, firstAt);
    return `api destination ${s.spec.name}`;
  }

  private wait(ms: number): Promise<void> {
    return new Promise((ok) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        ok();
      }, ms);
      t.unref();
      this.timers.add(t);
    });
  }

  /** Waits for the destination's next invocation slot (InvocationRateLimitPerSecond). */
  private async slot(s: State): Promise<void> {
    if (!s.spec.ratePerSecond) return;
    const now = this.now();
    const at = Math.max(now, s.nextSlot);
    s.nextSlot = at + (1000 / s.spec.ratePerSecond) * this.scale;
    if (at > now) await this.wait(at - now);
  }

  private async attempt(s: State, d: Delivery, retries: number, firstAt: number): Promise<void> {
    await this.slot(s);
    if (this.stopped) return;
    const { status, error } = await this.send(s, d);
    const record = (outcome: Attempt['outcome']) => {
      s.recent.push({ at: new Date().toISOString(), eventId: d.event.id, detailType: d.event['detail-type'], attempt: retries + 1, status, ...(error ? { error } : {}), outcome });
      if (s.recent.length > RECENT_ATTEMPTS) s.recent.shift();
    };
    const what = `api destination ${s.spec.name}: ${d.event['detail-type']} ${d.event.id}`;
    if (status !== undefined && status >= 200 && status < 300) {
      s.counts.delivered++;
      record('delivered');
      this.deps.log(`${what} -> ${status}${retries ? ` (after ${retries} retries)` : ''}`);
      return;
    }
    const why = status !== undefined ? `${status}` : error!;
    if (!retryable(status)) return this.giveUp(s, d, { status, error, retries, record });
    const policy = d.target.retryPolicy ?? {};
    const maxRetries = policy.MaximumRetryAttempts ?? DEFAULT_RETRY.attempts;
    const maxAgeMs = (policy.MaximumEventAgeInSeconds ?? DEFAULT_RETRY.ageSeconds) * 1000 * this.scale;
    const delay = backoffMs(retries + 1, this.deps.random) * this.scale;
    if (retries >= maxRetries) return this.giveUp(s, d, { status, error, retries, record, exhausted: 'MaximumRetryAttempts' });
    if (this.now() + delay - firstAt > maxAgeMs) return this.giveUp(s, d, { status, error, retries, record, exhausted: 'MaximumEventAgeInSeconds' });
    s.counts.retried++;
    record('retrying');
    if (retries === 0) this.deps.log(`${what} -> ${why}: retrying (up to ${maxRetries} times)`);
    await this.wait(delay);
    if (!this.stopped) await this.attempt(s, d, retries + 1, firstAt);
  }

  private async giveUp(
    s: State,
    d: Delivery,
    f: { status?: number; error?: string; retries: number; record: (o: Attempt['outcome']) => void; exhausted?: string },
  ): Promise<void> {
    const what = `api destination ${s.spec.name}: ${d.event['detail-type']} ${d.event.id}`;
    const message = f.status !== undefined ? `The endpoint answered HTTP ${f.status}` : `The request failed: ${f.error}`;
    const code = f.status !== undefined ? `HTTP_${f.status}` : f.error === 'timeout' ? 'TIMEOUT' : 'NETWORK_ERROR';
    if (!d.target.deadLetterArn) {
      s.counts.dropped++;
      f.record('dropped');
      this.deps.log(`WARNING ${what}: ${message}; retries exhausted and no dead-letter queue: dropped`);
      return;
    }
    const str = (v: string): MessageAttributeValue => ({ DataType: 'String', StringValue: v });
    const attributes: Record<string, MessageAttributeValue> = {
      ERROR_CODE: str(code),
      ERROR_MESSAGE: str(message),
      RETRY_ATTEMPTS: { DataType: 'Number', StringValue: String(f.retries) },
      RULE_ARN: str(d.ruleArn),
      TARGET_ARN: str(d.target.arn),
      ...(f.exhausted ? { EXHAUSTED_RETRY_CONDITION: str(f.exhausted) } : {}),
    };
    try {
      const queue = await this.deps.sendToQueue(d.target.deadLetterArn, JSON.stringify(d.event), attributes);
      s.counts.deadLettered++;
      f.record('dead-lettered');
      this.deps.log(`${what}: ${message} after ${f.retries} retries${f.exhausted ? ` (${f.exhausted})` : ''} -> dead-letter queue ${queue}`);
    } catch (err) {
      this.deps.log(`WARNING ${what}: the dead-letter queue refused it: ${(err as Error).message}`);
    }
  }

  /** One HTTP invocation: the answer's status, or the error that kept it from answering. */
  private async send(s: State, d: Delivery): Promise<{ status?: number; error?: string }> {
    const params = d.target.httpParameters ?? {};
    const url = new URL(this.endpointOf(s));
    let path = url.pathname;
    for (const v of params.PathParameterValues ?? []) path = path.replace('*', encodeURIComponent(v));
    url.pathname = path;
    for (const [k, v] of Object.entries(params.QueryStringParameters ?? {})) url.searchParams.set(k, v);
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'Amazon/EventBridge/ApiDestinations', ...params.HeaderParameters };
    const abort = new AbortController();
    this.inFlight.add(abort);
    const timer = setTimeout(() => abort.abort(new Error('timeout')), INVOCATION_TIMEOUT_MS);
    try {
      const auth = await this.authHeader(s, abort.signal);
      if (auth) headers[auth[0]] = auth[1];
      const res = await this.fetch(url, { method: s.spec.method, headers, body: ['GET', 'HEAD'].includes(s.spec.method) ? undefined : d.body, signal: abort.signal });
      await res.arrayBuffer().catch(() => undefined);
      if (res.status === 401 && s.token) s.token = undefined;
      return { status: res.status };
    } catch (err) {
      return { error: abort.signal.aborted ? 'timeout' : ((err as Error).cause as Error | undefined)?.message ?? (err as Error).message };
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(abort);
    }
  }

  private async authHeader(s: State, signal: AbortSignal): Promise<[string, string] | undefined> {
    const a = s.spec.auth;
    if (a.kind === 'apiKey') return [a.header, a.value];
    if (a.kind === 'basic') return ['authorization', `Basic ${Buffer.from(`${a.username}:${a.password}`).toString('base64')}`];
    if (a.kind !== 'oauth') return undefined;
    if (!s.token || s.token.expiresAt <= this.now()) {
      const res = await this.fetch(a.tokenUrl, {
        method: a.method,
        headers: { authorization: `Basic ${Buffer.from(`${a.clientId}:${a.clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(a.body).toString(),
        signal,
      });
      const token = (await res.json().catch(() => ({}))) as { access_token?: string; expires_in?: number };
      if (!res.ok || !token.access_token) throw new Error(`the OAuth token endpoint answered ${res.status}`);
      s.token = { value: token.access_token, expiresAt: this.now() + (token.expires_in ?? 3600) * 1000 - 30_000 };
    }
    return ['authorization', `Bearer ${s.token.value}`];
  }

  private find(name: string): State | undefined {
    return [...this.states.values()].find((s) => s.spec.name === name || s.spec.name.endsWith(`-${name}`));
  }

  /** What GET /_local/api-destinations shows. */
  views() {
    return [...this.states.values()].map((s) => ({
      name: s.spec.name,
      arn: s.spec.arn,
      endpoint: this.endpointOf(s),
      templateEndpoint: s.spec.endpoint,
      ...(s.spec.localEndpoint ? { localEndpoint: s.spec.localEndpoint } : {}),
      method: s.spec.method,
      ratePerSecond: s.spec.ratePerSecond,
      connection: s.spec.connection,
      // local values only: the local secrets store's, not a real partner's
      auth: s.spec.auth.kind === 'apiKey' ? { kind: 'apiKey', header: s.spec.auth.header, value: s.spec.auth.value } : { kind: s.spec.auth.kind },
      counts: { ...s.counts },
      recent: [...s.recent].reverse(),
    }));
  }

  /** The /_local/api-destinations routes; answers whether the request was one. */
  control(req: IncomingMessage, res: ServerResponse): boolean {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path !== '/_local/api-destinations' && !path.startsWith('/_local/api-destinations/')) return false;
    const answer = (status: number, body: unknown, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type });
      res.end(JSON.stringify(body));
    };
    const problem = (status: number, title: string, detail: string) => answer(status, { type: 'about:blank', title, status, detail }, 'application/problem+json');
    if (path === '/_local/api-destinations') {
      if (req.method !== 'GET') return (problem(405, 'Method Not Allowed', 'GET only'), true);
      return (answer(200, { items: this.views() }), true);
    }
    const name = decodeURIComponent(path.slice('/_local/api-destinations/'.length));
    const s = this.find(name);
    if (!s) return (problem(404, 'Not Found', `No API destination ${name} (GET /_local/api-destinations lists them)`), true);
    if (req.method === 'GET') return (answer(200, this.views().find((v) => v.arn === s.spec.arn)), true);
    if (req.method !== 'PUT') return (problem(405, 'Method Not Allowed', 'GET or PUT'), true);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: { endpoint?: unknown };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { endpoint?: unknown };
      } catch {
        return problem(400, 'Bad Request', 'The body is not JSON');
      }
      const e = body.endpoint;
      if (e !== null && (typeof e !== 'string' || !/^https?:\/\/[^\s/]+/.test(e))) {
        return problem(400, 'Bad Request', 'endpoint must be an http(s) URL, or null for the template\'s');
      }
      s.override = e ?? undefined;
      this.deps.log(`api destination ${s.spec.name}: now sending to ${this.endpointOf(s)}`);
      answer(200, this.views().find((v) => v.arn === s.spec.arn));
    });
    return true;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const a of this.inFlight) a.abort(new Error('the local cloud is stopping'));
  }
}
