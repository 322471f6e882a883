// The local cloud's own routes on the API port, under /_local: what it serves (resources),
// the keys its tokens are signed with (JWKS), what flows through it (recent bus events, queue
// depths, dead letters), and "run this schedule now" for demos and tests.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RECENT_EVENTS, type LocalBus } from './bus';
import { deadLetters, eventsView, queueViews } from './flow';
import type { LocalQueues } from './queues';
import type { LocalResources } from './resources';
import type { LocalFirehose } from './firehose';
import type { InvokeResult } from './lambda-runtime';
import type { LocalMetrics } from './metrics';
import { scheduledEvent } from './scheduler';
import { functionNameOfArn, type CloudModel, type RuleSpec } from './template';

export interface ControlDeps {
  model: CloudModel;
  resources: () => LocalResources;
  jwks: unknown;
  ruleArn: (rule: RuleSpec) => string;
  invoke: (fn: string, event: unknown) => Promise<InvokeResult>;
  /** Retires a function's containers (lambda-runtime.ts FunctionPool.recycle); resolves once a fresh one is warm. */
  recycle?: (fn: string) => Promise<void>;
  region: string;
  accountId: string;
  log: (line: string) => void;
  /** The delivery streams: POST /_local/firehose/flush writes their buffers now. */
  firehose?: Pick<LocalFirehose, 'flush'>;
  /** The payment sandbox's /_local/sandbox/... routes (payment-sandbox.ts). */
  sandbox?: (req: IncomingMessage, res: ServerResponse) => boolean;
  /** The carrier sandbox's /_local/sandbox/carriers/... routes (carrier-sandbox.ts). */
  carrierSandbox?: (req: IncomingMessage, res: ServerResponse) => boolean;
  /** The functions' EMF metrics (metrics.ts), served at GET /_local/metrics. */
  metrics?: LocalMetrics;
  /** The local mailbox: GET /_local/mail[?to=] lists the e-mails sent (mailbox.ts). */
  mail?: (req: IncomingMessage, res: ServerResponse) => boolean;
  /** The bus: GET /_local/events lists what it received lately. */
  bus?: Pick<LocalBus, 'recent'>;
  /** The queues: GET /_local/queues (depths) and /_local/queues/{name}/dead-letters. */
  queues?: LocalQueues;
}

/** Events GET /_local/events answers when no `limit` is given. */
const DEFAULT_EVENTS = 100;

/** A request handler that answers /_local routes and returns false for everything else. */
export function controlRoutes(deps: ControlDeps): (req: IncomingMessage, res: ServerResponse) => boolean {
  const { model: m, log } = deps;
  const answer = (res: ServerResponse, status: number, value: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(value, null, 2));
    return true;
  };
  const problem = (res: ServerResponse, status: number, title: string, detail: string) => {
    res.writeHead(status, { 'content-type': 'application/problem+json' });
    res.end(JSON.stringify({ type: 'about:blank', title, status, detail }));
    return true;
  };
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (!path.startsWith('/_local/')) return false;
    if (deps.carrierSandbox?.(req, res)) return true;
    if (deps.sandbox?.(req, res)) return true;
    if (deps.mail?.(req, res)) return true;
    if (req.method === 'GET' && path === '/_local/resources') return answer(res, 200, deps.resources());
    if (req.method === 'GET' && path === '/_local/jwks.json') return answer(res, 200, deps.jwks);
    // Recent bus events, newest first: ?detail-type=OrderPlaced&source=oms.orders&limit=20
    if (req.method === 'GET' && path === '/_local/events' && deps.bus) {
      const q = new URL(req.url ?? '/', 'http://local').searchParams;
      const limit = q.has('limit') ? Number(q.get('limit')) : DEFAULT_EVENTS;
      if (!Number.isInteger(limit) || limit < 1 || limit > RECENT_EVENTS) {
        return problem(res, 400, 'Bad Request', `limit must be a whole number from 1 to ${RECENT_EVENTS} (the events the bus remembers)`);
      }
      const filter = { limit, ...(q.has('detail-type') ? { detailType: q.get('detail-type')! } : {}), ...(q.has('source') ? { source: q.get('source')! } : {}) };
      return answer(res, 200, eventsView(deps.bus.recent(filter)));
    }
    if (req.method === 'GET' && path === '/_local/queues' && deps.queues) return answer(res, 200, { queues: queueViews(m, deps.queues) });
    const dead = /^\/_local\/queues\/([^/]+)\/dead-letters$/.exec(path);
    if (req.method === 'GET' && dead && deps.queues) {
      const view = deadLetters(m, deps.queues, decodeURIComponent(dead[1]!));
      return 'error' in view ? problem(res, 404, 'Not Found', view.error) : answer(res, 200, view);
    }
    // Write what the delivery streams buffer now (npm run query, tests), instead of waiting for their interval.
    if (req.method === 'POST' && path === '/_local/firehose/flush' && deps.firehose) {
      deps.firehose.flush().then(
        (files) => answer(res, 200, { files }),
        (err: Error) => answer(res, 500, { message: err.message }),
      );
      return true;
    }
    // ?name=OrdersPlaced&since=<ISO time>; &points=true adds the data points themselves
    if (req.method === 'GET' && path === '/_local/metrics' && deps.metrics) {
      const q = new URL(req.url ?? '/', 'http://local').searchParams;
      const filter = { ...(q.get('name') ? { name: q.get('name')! } : {}), ...(q.get('since') ? { since: q.get('since')! } : {}) };
      return answer(res, 200, { metrics: deps.metrics.summary(filter), ...(q.get('points') === 'true' ? { points: deps.metrics.query(filter) } : {}) });
    }
    // Start a function's containers anew (by its name or label), as a configuration change does
    // on Lambda: what they cached in memory (e.g. review-order's workflow settings) is read again.
    const recycle = /^\/_local\/functions\/([^/]+)\/recycle$/.exec(path);
    if (req.method === 'POST' && recycle && deps.recycle) {
      const wanted = decodeURIComponent(recycle[1]!);
      const fn = m.functions.find((f) => f.label === wanted || f.name === wanted);
      if (!fn) return problem(res, 404, 'Not Found', `no function ${wanted}`);
      deps.recycle(fn.name).then(
        () => answer(res, 200, { recycled: fn.label }),
        (err: Error) => answer(res, 500, { message: err.message }),
      );
      return true;
    }
    // Fire a scheduled rule now (by its logical id or its target function's name), for
    // demos and tests that should not wait for the next tick; answers once delivered.
    // ?time=<ISO instant> fires the tick of that time instead (the event's `time`), so a job
    // that works as of its tick (expire-unpaid) can be run past a deadline without waiting for it.
    const run = /^\/_local\/schedules\/([^/]+)\/run$/.exec(path);
    if (req.method === 'POST' && run) {
      const time = new URL(req.url ?? '/', 'http://local').searchParams.get('time');
      const at = time === null ? new Date() : new Date(time);
      if (Number.isNaN(at.getTime())) return problem(res, 400, 'Bad Request', `time must be an ISO 8601 instant, e.g. ${new Date().toISOString()}`);
      const wanted = decodeURIComponent(run[1]!);
      const rule = m.rules.find(
        (r) => r.schedule && (r.logicalId === wanted || r.targets.some((t) => functionNameOfArn(t.arn) === wanted || m.functions.some((f) => f.arn === t.arn && f.label === wanted))),
      );
      if (!rule) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: `no scheduled rule ${wanted}` }));
        return true;
      }
      // Invoked synchronously (a schedule's own delivery is asynchronous), so the caller
      // sees the job's effects as soon as this answers.
      const event = scheduledEvent(rule, deps.ruleArn(rule), deps.region, deps.accountId, at);
      log(`schedule ${rule.schedule} -> rule ${rule.logicalId} (run on request${time === null ? '' : `, tick of ${event.time}`})`);
      const invoked = rule.targets.map((t) => functionNameOfArn(t.arn)).filter((n): n is string => Boolean(n));
      Promise.all(invoked.map((n) => deps.invoke(n, event)))
        .then((results) => answer(res, 200, { fired: rule.logicalId, schedule: rule.schedule, results }))
        .catch((err: Error) => {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ message: err.message }));
        });
      return true;
    }
    return false;
  };
}
