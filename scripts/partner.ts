// `npm run partner -- --secret <whsec_…> [--port 4400] [--fail 503] [--slow 2000]`: a test
// partner that receives OMS webhooks the way a partner's ERP would. It checks each
// delivery's signature as the README's "Integrations" section documents it (its own code:
// WebCrypto HMAC-SHA256 over `<X-OMS-Timestamp>.<raw body>`, any `v1=` entry matching any
// of its secrets, timestamps within 5 minutes), prints what it got, and answers 2xx — or
// the status it was told to fail with, after the delay it was told to take.
//   --secret  a signing secret (repeat it to accept the old and the new one while rotating)
//   --fail    answer this status instead of 204 (e.g. 503) until told otherwise
//   --slow    wait this many milliseconds before answering
// It is also the example ERP of the dev stage's API destination (infra/config.ts): POSTs to
// `/erp` must carry the connection's API key (`x-api-key`, else 401) and hold the input
// transformer's envelope `{ eventId, type, occurredAt, source, data }`.
//   --erp-key the ERP's API key: the local cloud's value is in `GET /_local/api-destinations`
// While it runs, `POST /_partner/mode {"fail": 503 | null, "slowMs": 0}` changes its mood and
// `GET /_partner/received` lists what it received (tests and the demo use both).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

/** How far a delivery's timestamp may be from our clock: older ones are replays. */
export const TOLERANCE_SECONDS = 300;

const encoder = new TextEncoder();

async function hmacHex(secret: string, message: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(message)));
  return Array.from(mac, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Compares two hex strings in time that does not depend on where they differ. */
function sameHex(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

export type Verdict = { ok: true } | { ok: false; why: string };

/** Checks a delivery as a partner must: the timestamp is recent, and some `v1=` entry is the HMAC of `<timestamp>.<body>` under one of our secrets. */
export async function verifyDelivery(headers: { timestamp?: string; signature?: string }, rawBody: string, secrets: readonly string[], now = new Date()): Promise<Verdict> {
  const { timestamp, signature } = headers;
  if (!timestamp || !/^\d+$/.test(timestamp)) return { ok: false, why: 'no timestamp' };
  if (!signature) return { ok: false, why: 'no signature' };
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > TOLERANCE_SECONDS) return { ok: false, why: 'stale timestamp' };
  const given = signature.split(',').map((s) => s.trim()).filter((s) => s.startsWith('v1=')).map((s) => s.slice(3));
  for (const secret of secrets) {
    const expected = await hmacHex(secret, `${timestamp}.${rawBody}`);
    if (given.some((g) => sameHex(g, expected))) return { ok: true };
  }
  return { ok: false, why: 'no signature matches' };
}

/** Where the ERP feed (the dev stage's API destination, local endpoint) arrives. */
export const ERP_PATH = '/erp';

export interface Received {
  at: string;
  path: string;
  eventId: string;
  eventType: string;
  verified: boolean;
  why?: string;
  answered: number;
  body: unknown;
}

export interface PartnerOptions {
  port?: number;
  secrets: string[];
  /** the API key the ERP path (/erp) takes; without it the ERP path answers 401 */
  erpKey?: string;
  /** the header that carries it (default x-api-key, as the dev stage's connection sends it) */
  erpHeader?: string;
  /** answer this status instead of 204 */
  fail?: number | null;
  slowMs?: number;
  log?: (line: string) => void;
}

export interface Partner {
  url: string;
  received: Received[];
  mode: { fail: number | null; slowMs: number };
  /** deliveries that arrived, answered or not yet (a slow partner is still holding them) */
  arrivals(): number;
  stop(): Promise<void>;
}

const readBody = (req: IncomingMessage) =>
  new Promise<string>((ok, fail) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => ok(Buffer.concat(chunks).toString('utf8')));
    req.on('error', fail);
  });

const reply = (res: ServerResponse, status: number, body?: unknown) => {
  res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
  res.end(body === undefined ? undefined : JSON.stringify(body));
};

export async function startPartner(opts: PartnerOptions): Promise<Partner> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const received: Received[] = [];
  let arrivals = 0;
  const mode = { fail: opts.fail ?? null, slowMs: opts.slowMs ?? 0 };
  const header = (req: IncomingMessage, name: string) => {
    const v = req.headers[name];
    return Array.isArray(v) ? v[0] : v;
  };

  // The ERP feed (an EventBridge API destination): an API key instead of a signature, the envelope as body.
  const erp = async (req: IncomingMessage, res: ServerResponse, path: string, raw: string) => {
    const key = header(req, opts.erpHeader ?? 'x-api-key');
    const why = !key ? 'no API key' : !opts.erpKey || !sameHex(key, opts.erpKey) ? 'wrong API key' : undefined;
    let body: unknown = raw;
    try {
      body = JSON.parse(raw);
    } catch {
      // kept as text
    }
    if (mode.slowMs > 0) await new Promise((r) => setTimeout(r, mode.slowMs));
    const answered = why ? 401 : mode.fail ?? 204;
    const envelope = body as { eventId?: string; type?: string; data?: { orderNumber?: string; sku?: string; delta?: number } };
    const eventId = envelope?.eventId ?? '?';
    const eventType = envelope?.type ?? '?';
    received.push({ at: new Date().toISOString(), path, eventId, eventType, verified: !why, ...(why ? { why } : {}), answered, body });
    const d = envelope?.data;
    const about = d?.orderNumber ? ` order ${d.orderNumber}` : d?.sku ? ` ${d.sku} ${d.delta !== undefined && d.delta > 0 ? '+' : ''}${d.delta ?? ''}` : '';
    log(`partner: ERP ${eventType} ${eventId}${about} — API key ${why ? `REFUSED (${why})` : 'ok'} → ${answered}`);
    reply(res, answered);
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      const raw = await readBody(req);
      const path = req.url ?? '/';
      if (path === '/_partner/received' && req.method === 'GET') return reply(res, 200, { items: received });
      if (path === '/_partner/mode' && req.method === 'POST') {
        const m = JSON.parse(raw || '{}') as { fail?: number | null; slowMs?: number };
        if (m.fail !== undefined) mode.fail = m.fail;
        if (m.slowMs !== undefined) mode.slowMs = m.slowMs;
        log(`partner: now ${mode.fail ? `failing with ${mode.fail}` : 'answering 204'}${mode.slowMs ? ` after ${mode.slowMs} ms` : ''}`);
        return reply(res, 200, mode);
      }
      if (req.method !== 'POST') return reply(res, 405);
      arrivals++;
      if (path === ERP_PATH || path.startsWith(`${ERP_PATH}?`) || path.startsWith(`${ERP_PATH}/`)) return await erp(req, res, path, raw);
      const verdict = await verifyDelivery({ timestamp: header(req, 'x-oms-timestamp'), signature: header(req, 'x-oms-signature') }, raw, opts.secrets);
      let body: unknown = raw;
      try {
        body = JSON.parse(raw);
      } catch {
        // kept as text
      }
      if (mode.slowMs > 0) await new Promise((r) => setTimeout(r, mode.slowMs));
      const answered = !verdict.ok ? 401 : mode.fail ?? 204;
      const eventId = header(req, 'x-oms-event-id') ?? '?';
      const eventType = header(req, 'x-oms-event-type') ?? '?';
      const duplicate = received.some((r) => r.eventId === eventId && r.verified && r.answered < 300);
      received.push({ at: new Date().toISOString(), path, eventId, eventType, verified: verdict.ok, ...(verdict.ok ? {} : { why: verdict.why }), answered, body });
      const data = (body as { data?: { orderNumber?: string; status?: string } })?.data;
      log(
        `partner: ${eventType} ${eventId}${data?.orderNumber ? ` order ${data.orderNumber}` : ''}${data?.status ? ` (${data.status})` : ''}` +
          ` — signature ${verdict.ok ? 'ok' : `REFUSED (${verdict.why})`}${duplicate ? ', seen before (deduped by event id)' : ''} → ${answered}`,
      );
      reply(res, answered);
    })().catch((err: unknown) => reply(res, 500, { error: (err as Error).message }));
  });
  await new Promise<void>((ok) => server.listen(opts.port ?? 0, '127.0.0.1', ok));
  const url = `http://localhost:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    mode,
    arrivals: () => arrivals,
    stop: () => new Promise<void>((ok) => {
      server.close(() => ok());
      server.closeAllConnections();
    }),
  };
}

async function main() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '4400' },
      secret: { type: 'string', multiple: true },
      'erp-key': { type: 'string' },
      fail: { type: 'string' },
      slow: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help || (!values.secret?.length && !values['erp-key'])) {
    console.log('usage: npm run partner -- [--secret <whsec_…> [--secret <old>]] [--erp-key <key>] [--port 4400] [--fail 503] [--slow 2000]');
    process.exit(values.help ? 0 : 2);
  }
  const partner = await startPartner({
    port: Number(values.port),
    secrets: values.secret ?? [],
    erpKey: values['erp-key'],
    fail: values.fail ? Number(values.fail) : null,
    slowMs: values.slow ? Number(values.slow) : 0,
  });
  console.log(`partner: listening on ${partner.url} (register it with PUT /integrations/webhooks/{id}; the ERP feed on ${partner.url}${ERP_PATH}); Ctrl-C stops`);
  const stop = () => void partner.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) void main();
