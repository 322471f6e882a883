// The carrier sandbox: the local cloud's stand-in for the carriers, on the API port under
// /_sandbox/carriers/<carrier>. It books waybills for carrier `sandbox` (`POST /waybills`,
// idempotent on reference), serves the EasyPost (`/v2/shipments`, `/buy`) and Kuaidi100
// (`/poll`) subsets the adapters call, and, driven over /_local/sandbox/carriers/…, sends
// a parcel's checkpoints as callbacks in the chosen tracking provider's real format and
// signature to the local gateway's /webhooks/carriers/<provider>; it replays them (same
// bytes), and resends an older one after a newer one.
import { randomBytes, randomInt } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import * as z from 'zod';
import { ShipmentStatus, TrackingProvider } from '../../shared/shipping/port';
import {
  aftershipCallback,
  defaultDescription,
  easypostCallback,
  kuaidi100Callback,
  seventeenTrackCallback,
  Unexpressible,
  type BuiltCallback,
  type CallbackParcel,
  type SandboxCheckpoint,
} from './carrier-sandbox-formats';
import type { ProviderCredentials } from './handshake';
import { json, Problem, type Answer } from './payment-sandbox-apis';

export const CARRIER_SANDBOX_PREFIX = '/_sandbox/carriers';
const CONTROL_PREFIX = '/_local/sandbox/carriers';

const URL_ENV = ['EASYPOST_API_URL', 'KUAIDI100_API_URL', 'CARRIER_SANDBOX_URL'] as const;
const SECRET_ENV = ['AFTERSHIP_SECRET_ARN', 'EASYPOST_SECRET_ARN', 'KUAIDI100_SECRET_ARN', 'SEVENTEENTRACK_SECRET_ARN'];

/** The carrier base URLs functions get in the local cloud (env names of the shipping contract). */
export function carrierSandboxUrls(apiUrl: string): Record<(typeof URL_ENV)[number], string> {
  return {
    EASYPOST_API_URL: `${apiUrl}${CARRIER_SANDBOX_PREFIX}/easypost`,
    KUAIDI100_API_URL: `${apiUrl}${CARRIER_SANDBOX_PREFIX}/kuaidi100`,
    CARRIER_SANDBOX_URL: `${apiUrl}${CARRIER_SANDBOX_PREFIX}/sandbox`,
  };
}

/** A function with a carrier base URL or carrier secret in its template environment gets all three sandbox URLs. */
export function withCarrierSandboxUrls(env: Record<string, string>, apiUrl: string): Record<string, string> {
  const ships = URL_ENV.some((k) => k in env) || SECRET_ENV.some((k) => k in env);
  return ships ? { ...env, ...carrierSandboxUrls(apiUrl) } : env;
}

export interface CarrierDelivery {
  at: string;
  trigger: 'event' | 'retry' | 'replay' | 'stale';
  status?: number;
  answer?: string;
  error?: string;
}

export interface CarrierCallback {
  n: number;
  via: TrackingProvider;
  /** tracking_update/InTransit, tracker.updated/delivered, state 3, TRACKING_UPDATED/Delivered */
  eventType: string;
  /** the checkpoint this callback reported (its snapshot holds every one before it) */
  status: ShipmentStatus;
  url: string;
  /** exactly what is sent, every time: a replay sends these bytes again */
  headers: Record<string, string>;
  body: string;
  deliveries: CarrierDelivery[];
}

export interface SandboxParcel extends CallbackParcel {
  bookedWith: 'sandbox' | 'easypost' | 'kuaidi100' | 'unknown';
  /** the tracking provider callbacks go through unless an event names another */
  notifyVia: TrackingProvider;
  reference?: string;
  /** the waybill answer (sandbox) or the bought Shipment (EasyPost), as first given */
  booking?: unknown;
  /** Kuaidi100 subscription: where pushes go and the salt they are signed with */
  callbackUrl?: string;
  salt?: string;
  checkpoints: SandboxCheckpoint[];
  callbacks: CarrierCallback[];
}

export interface CarrierSandboxOptions {
  credentials: ProviderCredentials;
  apiUrl: () => string;
  dataDir?: string;
  log: (line: string) => void;
  /** Waits before each retry of a callback that was not acknowledged (default 0.5 s, 1 s, 2 s). */
  retryDelaysMs?: number[];
}

const Address = z.looseObject({ name: z.string().min(1), line1: z.string().min(1), city: z.string().min(1), postalCode: z.string().min(1), country: z.string().min(1) });
const WaybillRequest = z.object({
  reference: z.string().min(1).max(200),
  parcel: z.object({ lines: z.array(z.object({ sku: z.string(), quantity: z.int().min(1) })).min(1) }),
  to: Address,
  notifyVia: TrackingProvider.optional(),
});
const EventRequest = z.strictObject({
  status: ShipmentStatus,
  location: z.string().min(1).max(300).optional(),
  description: z.string().min(1).max(1000).optional(),
  at: z.iso.datetime({ offset: true }).optional(),
  via: TrackingProvider.optional(),
});
const ReplayRequest = z.strictObject({ index: z.int().min(1).optional(), times: z.int().min(1).max(10).optional() });

const hex = (n: number) => randomBytes(n).toString('hex');
const digits = (n: number) => Array.from({ length: n }, () => randomInt(10)).join('');
const inDays = (days: number, from = new Date()) => new Date(from.getTime() + days * 86_400_000).toISOString().slice(0, 10);

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseJsonBody<S extends z.ZodType>(schema: S, body: string): z.infer<S> {
  let value: unknown;
  try {
    value = body.trim() === '' ? {} : JSON.parse(body);
  } catch {
    throw json(400, { message: 'the body is not JSON' });
  }
  const r = schema.safeParse(value);
  if (!r.success) throw json(400, { message: 'invalid request', issues: r.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`) });
  return r.data;
}

const ok = (value: unknown, status = 200): Answer => ({ status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value, null, 2) });
const easypostError = (status: number, code: string, message: string) => json(status, { error: { code, message, errors: [] } });
const kuaidi100Answer = (result: boolean, returnCode: string, message: string): Answer => ok({ result, returnCode, message });

export class CarrierSandbox {
  /** by tracking number */
  readonly parcels = new Map<string, SandboxParcel>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly file?: string;
  private stopped = false;

  constructor(private readonly opts: CarrierSandboxOptions) {
    this.file = opts.dataDir ? join(opts.dataDir, 'carrier-sandbox.json') : undefined;
    if (this.file && existsSync(this.file)) {
      for (const p of JSON.parse(readFileSync(this.file, 'utf8')) as SandboxParcel[]) this.parcels.set(p.trackingNumber, p);
    }
  }

  private get c() {
    return this.opts.credentials;
  }

  private save() {
    if (!this.file) return;
    mkdirSync(this.opts.dataDir!, { recursive: true });
    writeFileSync(this.file, JSON.stringify([...this.parcels.values()]), { mode: 0o600 });
  }

  stop() {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private later(ms: number, fn: () => void) {
    if (this.stopped) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.stopped) fn();
    }, ms);
    this.timers.add(t);
  }

  private answer(res: ServerResponse, work: () => Promise<Answer>) {
    work()
      .catch((err: unknown) => {
        if (err instanceof Problem) return { status: err.status, headers: err.headers, body: err.body };
        this.opts.log(`carrier sandbox: ${(err as Error).stack ?? err}`);
        return ok({ message: (err as Error).message }, 500);
      })
      .then((a) => {
        res.writeHead(a.status, { ...a.headers, 'content-length': String(Buffer.byteLength(a.body)) });
        res.end(a.body);
      });
  }

  private newParcel(trackingNumber: string, p: Partial<SandboxParcel> & Pick<SandboxParcel, 'bookedWith' | 'notifyVia'>): SandboxParcel {
    const parcel: SandboxParcel = {
      trackingNumber,
      trackerId: p.bookedWith === 'easypost' ? `trk_${hex(16)}` : hex(12),
      company: 'shunfeng',
      createdAt: new Date().toISOString(),
      checkpoints: [],
      callbacks: [],
      ...p,
    };
    this.parcels.set(trackingNumber, parcel);
    return parcel;
  }

  // --- the carriers' APIs ----------------------------------------------------------------

  /** Answers /_sandbox/carriers/… ; false for anything else. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    if (!url.pathname.startsWith(`${CARRIER_SANDBOX_PREFIX}/`)) return false;
    this.answer(res, async () => {
      const body = await readBody(req);
      const [carrier, ...rest] = url.pathname.slice(CARRIER_SANDBOX_PREFIX.length + 1).split('/');
      const path = `/${rest.join('/')}`;
      const method = req.method ?? 'GET';
      if (carrier === 'sandbox' && method === 'POST' && path === '/waybills') return this.waybill(body);
      if (carrier === 'sandbox' && method === 'GET' && path.startsWith('/labels/')) return this.label(decodeURIComponent(path.slice(8)));
      if (carrier === 'easypost' && method === 'POST') return this.easypost(path, body, req);
      if (carrier === 'kuaidi100' && method === 'POST' && path === '/poll') return this.poll(body);
      throw json(404, { message: `the carrier sandbox serves no ${method} ${url.pathname}` });
    });
    return true;
  }

  private waybill(body: string): Answer {
    const w = parseJsonBody(WaybillRequest, body);
    const known = [...this.parcels.values()].find((p) => p.bookedWith === 'sandbox' && p.reference === w.reference);
    if (known) return ok(known.booking);
    const trackingNumber = `SB${digits(12)}`;
    const base = `${this.opts.apiUrl()}${CARRIER_SANDBOX_PREFIX}/sandbox`;
    const booking = { trackingNumber, providerRef: `sbx_${hex(8)}`, labelUrl: `${base}/labels/${trackingNumber}`, estimatedDelivery: inDays(3) };
    this.newParcel(trackingNumber, {
      bookedWith: 'sandbox', notifyVia: w.notifyVia ?? 'kuaidi100', reference: w.reference, booking, estimatedDelivery: booking.estimatedDelivery,
    });
    this.save();
    this.opts.log(`carrier sandbox: waybill ${trackingNumber} for ${w.reference}`);
    return ok(booking, 201);
  }

  private label(trackingNumber: string): Answer {
    const p = this.parcels.get(trackingNumber);
    if (!p) throw json(404, { message: `no label ${trackingNumber}` });
    const text = `SANDBOX CARRIER\n${p.trackingNumber}\nref ${p.reference ?? '-'}\n`;
    return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: text };
  }

  /** EasyPost: Basic auth with the API key as user; create a Shipment with rates, buy one. */
  private easypost(path: string, body: string, req: IncomingMessage): Answer {
    const auth = /^Basic (.+)$/.exec(String(req.headers.authorization ?? ''));
    const user = auth ? Buffer.from(auth[1]!, 'base64').toString('utf8').split(':')[0] : undefined;
    if (user !== this.c.easypost.apiKey) throw easypostError(401, 'APIKEY.INVALID', 'Invalid API key.');
    let value: { shipment?: Record<string, unknown>; rate?: { id?: string } };
    try {
      value = JSON.parse(body);
    } catch {
      throw easypostError(422, 'PARAMETER.INVALID', 'The body is not JSON.');
    }
    if (path === '/v2/shipments') {
      const s = value.shipment;
      if (!s || typeof s !== 'object' || !s.to_address || !s.parcel) throw easypostError(422, 'PARAMETER.REQUIRED', 'Missing required parameter: shipment.to_address, shipment.parcel.');
      const id = `shp_${hex(16)}`;
      const rate = (service: string, amount: string) => ({ id: `rate_${hex(16)}`, object: 'Rate', carrier: 'USPS', service, rate: amount, currency: 'USD', shipment_id: id });
      const shipment = {
        id, object: 'Shipment', mode: 'test', reference: s.reference ?? null, to_address: s.to_address, from_address: s.from_address ?? null, parcel: s.parcel,
        rates: [rate('Priority', '9.45'), rate('GroundAdvantage', '6.07'), rate('Express', '33.10')],
        tracking_code: null, tracker: null, postage_label: null, selected_rate: null, created_at: new Date().toISOString(),
      };
      this.pending.set(id, shipment);
      return ok(shipment, 201);
    }
    const buy = /^\/v2\/shipments\/([^/]+)\/buy$/.exec(path);
    if (buy) {
      const shipment = this.pending.get(decodeURIComponent(buy[1]!));
      if (!shipment) throw easypostError(404, 'NOT_FOUND', 'The requested resource could not be found.');
      if (shipment.tracking_code) throw easypostError(422, 'SHIPMENT.POSTAGE.EXISTS', 'Shipment already has postage.');
      const selected = shipment.rates.find((r) => r.id === value.rate?.id);
      if (!selected) throw easypostError(422, 'SHIPMENT.RATE.INVALID', 'Rate not found for this shipment.');
      const trackingNumber = `EZ${digits(10)}`;
      const parcel = this.newParcel(trackingNumber, {
        bookedWith: 'easypost', notifyVia: 'easypost', reference: String(shipment.reference ?? ''), shipmentRef: shipment.id, estimatedDelivery: inDays(3),
      });
      const bought = {
        ...shipment,
        tracking_code: trackingNumber,
        selected_rate: selected,
        tracker: { id: parcel.trackerId, object: 'Tracker', tracking_code: trackingNumber, status: 'pre_transit', est_delivery_date: `${parcel.estimatedDelivery}T00:00:00Z`, shipment_id: shipment.id, carrier: 'USPS' },
        postage_label: { object: 'PostageLabel', label_url: `${this.opts.apiUrl()}${CARRIER_SANDBOX_PREFIX}/sandbox/labels/${trackingNumber}` },
      };
      Object.assign(shipment, bought);
      parcel.booking = bought;
      this.save();
      this.opts.log(`carrier sandbox: easypost ${shipment.id} bought, tracking ${trackingNumber}`);
      return ok(bought);
    }
    throw easypostError(404, 'NOT_FOUND', 'The requested resource could not be found.');
  }

  /** EasyPost Shipments created and not yet bought (in memory). */
  private readonly pending = new Map<string, { id: string; reference: unknown; tracking_code: string | null; rates: { id: string }[] } & Record<string, unknown>>();

  /** Kuaidi100 `/poll`: form schema=json&param={company, number, key, parameters: {callbackurl, salt}}. */
  private poll(body: string): Answer {
    const form = new URLSearchParams(body);
    let param: { company?: string; number?: string; key?: string; parameters?: { callbackurl?: string; salt?: string; autoCom?: string } };
    try {
      param = JSON.parse(form.get('param') ?? '');
    } catch {
      return kuaidi100Answer(false, '700', '订阅方的订阅数据存在错误');
    }
    if (param.key !== this.c.kuaidi100.key) return kuaidi100Answer(false, '600', '您不是合法的订阅者（即授权Key出错）');
    const number = param.number?.trim();
    // a company code, or autoCom=1 (Kuaidi100 recognizes the number; the sandbox calls it auto)
    const company = param.company || (param.parameters?.autoCom === '1' ? 'auto' : undefined);
    if (!number || !company || !param.parameters?.callbackurl) return kuaidi100Answer(false, '700', '订阅方的订阅数据存在错误');
    const known = this.parcels.get(number);
    if (known?.callbackUrl) return kuaidi100Answer(false, '501', '重复订阅');
    const subscription = { company, callbackUrl: param.parameters.callbackurl, ...(param.parameters.salt ? { salt: param.parameters.salt } : {}) };
    if (known) Object.assign(known, subscription);
    else this.newParcel(number, { bookedWith: 'kuaidi100', notifyVia: 'kuaidi100', ...subscription });
    this.save();
    this.opts.log(`carrier sandbox: kuaidi100 subscribed ${company} ${number}`);
    return kuaidi100Answer(true, '200', '提交成功');
  }

  // --- driving ---------------------------------------------------------------------------

  /** Answers /_local/sandbox/carriers/… ; false for anything else. */
  control(req: IncomingMessage, res: ServerResponse): boolean {
    const p = new URL(req.url ?? '/', 'http://sandbox').pathname;
    if (p !== CONTROL_PREFIX && !p.startsWith(`${CONTROL_PREFIX}/`)) return false;
    this.answer(res, async () => {
      const body = await readBody(req);
      const method = req.method ?? 'GET';
      if (method === 'GET' && p === CONTROL_PREFIX) {
        return ok([...this.parcels.values()].map(({ checkpoints, callbacks, booking: _, ...rest }) => ({ ...rest, checkpoints: checkpoints.length, callbacks: callbacks.length })));
      }
      const m = /^\/_local\/sandbox\/carriers\/([^/]+)(?:\/(events|replay|stale))?$/.exec(p);
      if (!m) throw json(404, { message: `no carrier sandbox route ${method} ${p}` });
      const trackingNumber = decodeURIComponent(m[1]!);
      if (method === 'GET' && !m[2]) return ok(this.parcel(trackingNumber));
      if (method === 'POST' && m[2] === 'events') return ok(await this.event(trackingNumber, parseJsonBody(EventRequest, body)), 201);
      if (method === 'POST' && m[2] === 'replay') {
        const r = parseJsonBody(ReplayRequest, body);
        const parcel = this.parcel(trackingNumber);
        const cb = r.index === undefined ? parcel.callbacks.at(-1) : parcel.callbacks.find((x) => x.n === r.index);
        if (!cb) throw json(404, { message: `parcel ${trackingNumber} has no callback ${r.index ?? ''}`.trim() });
        for (let i = 0; i < (r.times ?? 1); i++) await this.deliver(cb, 'replay');
        return ok(cb);
      }
      if (method === 'POST' && m[2] === 'stale') {
        const parcel = this.parcel(trackingNumber);
        const cb = parcel.callbacks.at(-2);
        if (!cb) throw json(409, { message: `parcel ${trackingNumber} needs two callbacks before an older one can follow the newest` });
        await this.deliver(cb, 'stale');
        return ok(cb);
      }
      throw json(404, { message: `no carrier sandbox route ${method} ${p}` });
    });
    return true;
  }

  parcel(trackingNumber: string): SandboxParcel {
    const p = this.parcels.get(trackingNumber);
    if (!p) throw json(404, { message: `the carrier sandbox knows no parcel ${trackingNumber}` });
    return p;
  }

  /** A new checkpoint, sent as the `via` provider's callback with every checkpoint so far. */
  async event(trackingNumber: string, e: z.infer<typeof EventRequest>): Promise<CarrierCallback> {
    const parcel = this.parcels.get(trackingNumber) ?? this.newParcel(trackingNumber, { bookedWith: 'unknown', notifyVia: 'kuaidi100' });
    const via = e.via ?? parcel.notifyVia;
    const checkpoint: SandboxCheckpoint = {
      at: new Date(e.at ?? Date.now()).toISOString(),
      status: e.status,
      ...(e.location ? { location: e.location } : {}),
      description: e.description ?? defaultDescription(e.status, via, e.location),
    };
    const checkpoints = [...parcel.checkpoints, checkpoint];
    const url = via === 'kuaidi100' && parcel.callbackUrl ? parcel.callbackUrl : `${this.opts.apiUrl()}/webhooks/carriers/${via}`;
    let built: BuiltCallback;
    try {
      built = this.build(via, parcel, checkpoints, url);
    } catch (err) {
      if (err instanceof Unexpressible) throw json(422, { message: err.message });
      throw err;
    }
    parcel.checkpoints = checkpoints;
    const cb: CarrierCallback = { n: parcel.callbacks.length + 1, via, eventType: built.eventType, status: e.status, url, headers: built.headers, body: built.body, deliveries: [] };
    parcel.callbacks.push(cb);
    this.save();
    await this.deliver(cb, 'event');
    return cb;
  }

  private build(via: TrackingProvider, parcel: SandboxParcel, checkpoints: SandboxCheckpoint[], url: string): BuiltCallback {
    switch (via) {
      case 'aftership':
        return aftershipCallback(parcel, checkpoints, this.c);
      case 'easypost':
        return easypostCallback(parcel, checkpoints, this.c, url);
      case 'kuaidi100':
        return kuaidi100Callback(parcel, checkpoints, parcel.salt ?? this.c.kuaidi100.salt);
      case '17track':
        return seventeenTrackCallback(parcel, checkpoints, this.c);
    }
  }

  /** What the provider takes as received: any 2xx (Kuaidi100: `"result": true` in the answer). */
  private acknowledged(cb: CarrierCallback, d: CarrierDelivery) {
    if (d.status === undefined || d.status < 200 || d.status >= 300) return false;
    if (cb.via !== 'kuaidi100') return true;
    try {
      return (JSON.parse(d.answer ?? '') as { result?: unknown }).result === true;
    } catch {
      return false;
    }
  }

  /** Sends a callback's exact bytes; an unacknowledged first delivery is retried with a growing wait. */
  private async deliver(cb: CarrierCallback, trigger: CarrierDelivery['trigger'], attempt = 0): Promise<void> {
    if (this.stopped) return;
    const d: CarrierDelivery = { at: new Date().toISOString(), trigger };
    cb.deliveries.push(d);
    try {
      const res = await fetch(cb.url, { method: 'POST', headers: cb.headers, body: cb.body, signal: AbortSignal.timeout(10_000) });
      d.status = res.status;
      d.answer = (await res.text()).slice(0, 500);
    } catch (err) {
      d.error = (err as Error).message;
    }
    this.save();
    this.opts.log(`carrier sandbox: ${cb.via} ${cb.eventType} #${cb.n} (${trigger}) -> ${d.status ?? d.error}`);
    const delays = this.opts.retryDelaysMs ?? [500, 1000, 2000];
    if (!this.acknowledged(cb, d) && (trigger === 'event' || trigger === 'retry') && attempt < delays.length) {
      this.later(delays[attempt]!, () => void this.deliver(cb, 'retry', attempt + 1));
    }
  }
}
