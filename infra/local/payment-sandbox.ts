// The payment sandbox: the local cloud's stand-in for Stripe, Alipay and WeChat Pay,
// mounted on the API port under /_sandbox/<provider>. It serves the subset of each
// provider's API the adapters call (payments contract), checks the merchant's request
// signatures, signs its answers where the provider does, shows a pay page at each
// payment's nextAction.url, and sends the provider's callbacks in the real format and
// signature, retried like a provider. /_local/sandbox/... lists the callbacks sent and
// replays them (twice, out of order) for tests and demos.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { ProviderCredentials } from './handshake';
import {
  alipayAnswer,
  alipayRequestSigned,
  alipayTime,
  fen,
  signAlipayCallback,
  signStripeCallback,
  signWechatCallback,
  stripeEvent,
  wechatNotification,
  wechatRequestProblem,
  wechatSignatureHeaders,
  wechatTime,
  yuan,
  type Provider,
  type SignedCallback,
} from './payment-sandbox-formats';

export const SANDBOX_PREFIX = '/_sandbox';

/** The provider base URLs functions get in the local cloud (env names of the payments contract). */
export function sandboxBaseUrls(apiUrl: string): Record<'STRIPE_API_URL' | 'ALIPAY_GATEWAY_URL' | 'WECHATPAY_API_URL', string> {
  return {
    STRIPE_API_URL: `${apiUrl}${SANDBOX_PREFIX}/stripe`,
    ALIPAY_GATEWAY_URL: `${apiUrl}${SANDBOX_PREFIX}/alipay/gateway.do`,
    WECHATPAY_API_URL: `${apiUrl}${SANDBOX_PREFIX}/wechatpay`,
  };
}

const URL_ENV = ['STRIPE_API_URL', 'ALIPAY_GATEWAY_URL', 'WECHATPAY_API_URL'] as const;
const SECRET_ENV = ['STRIPE_SECRET_ARN', 'ALIPAY_SECRET_ARN', 'WECHATPAY_SECRET_ARN'];

/**
 * A function's environment in the local cloud: the provider base URLs the template gives
 * it (the stage's real APIs) point at the sandbox instead, and a function that holds a
 * provider secret gets all three, so nothing local ever reaches a real provider.
 */
export function withSandboxUrls(env: Record<string, string>, apiUrl: string): Record<string, string> {
  const urls = sandboxBaseUrls(apiUrl);
  const pays = URL_ENV.some((k) => k in env) || SECRET_ENV.some((k) => k in env);
  return pays ? { ...env, ...urls } : env;
}

export type SandboxStatus = 'PENDING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
export type Outcome = 'succeed' | 'fail' | 'abandon';

export interface SandboxRefund {
  refundId: string;
  /** re_… / Alipay has none / WeChat refund_id */
  providerRefundRef: string;
  amount: number;
  status: 'PENDING' | 'SUCCEEDED';
  notifyUrl?: string;
  createdAt: string;
}

export interface SentCallback {
  n: number;
  paymentId: string;
  provider: Provider;
  /** payment_intent.succeeded, TRADE_SUCCESS, REFUND.SUCCESS… */
  eventType: string;
  url: string;
  /** the event before signing: a replay sends the same event (same id), signed afresh */
  event: unknown;
  /** what was sent the last time */
  sent?: SignedCallback;
  deliveries: { at: string; trigger: 'first' | 'retry' | 'replay'; status?: number; answer?: string; error?: string }[];
}

export interface SandboxPayment {
  paymentId: string;
  provider: Provider;
  /** integer minor units */
  amount: number;
  currency: string;
  description: string;
  orderId?: string;
  metadata: Record<string, string>;
  status: SandboxStatus;
  /** pi_… / trade_no / transaction_id (the latter two once paid, as the providers do) */
  providerRef: string;
  notifyUrl: string;
  /** where the payer goes (nextAction.url) */
  payUrl: string;
  createdAt: string;
  paidAt?: string;
  refunds: SandboxRefund[];
  callbacks: SentCallback[];
}

export interface SandboxOptions {
  credentials: ProviderCredentials;
  /** The local gateway's base URL (pay pages and Stripe's one webhook endpoint live on it). */
  apiUrl: () => string;
  /** Keeps payments and callbacks across restarts; in memory without. */
  dataDir?: string;
  log: (line: string) => void;
  /** Waits before each retry of a callback that was not acknowledged (default 0.5 s, 1 s, 2 s). */
  retryDelaysMs?: number[];
  /** Wait before a refund's callback (Stripe, WeChat Pay refunds finish asynchronously). */
  refundDelayMs?: number;
}

class Problem extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    readonly headers: Record<string, string> = { 'content-type': 'application/json' },
  ) {
    super(body);
  }
}

const json = (status: number, value: unknown) => new Problem(status, JSON.stringify(value));
const stripeError = (status: number, message: string, code?: string, param?: string) =>
  json(status, { error: { type: 'invalid_request_error', message, ...(code ? { code } : {}), ...(param ? { param } : {}) } });
const escapeHtml = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
const id = (prefix: string, bytes = 12) => `${prefix}${randomBytes(bytes).toString('hex')}`;
const digits = (n: number) => Array.from(randomBytes(n), (b) => String(b % 10)).join('');

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export class PaymentSandbox {
  private readonly payments = new Map<string, SandboxPayment>();
  private readonly idempotent = new Map<string, { status: number; body: string }>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly file?: string;
  private stopped = false;

  constructor(private readonly opts: SandboxOptions) {
    this.file = opts.dataDir ? join(opts.dataDir, 'payment-sandbox.json') : undefined;
    if (this.file && existsSync(this.file)) {
      for (const p of JSON.parse(readFileSync(this.file, 'utf8')) as SandboxPayment[]) this.payments.set(p.paymentId, p);
    }
  }

  private get c() {
    return this.opts.credentials;
  }

  private save() {
    if (!this.file) return;
    mkdirSync(this.opts.dataDir!, { recursive: true });
    writeFileSync(this.file, JSON.stringify([...this.payments.values()]), { mode: 0o600 });
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

  // --- HTTP ----------------------------------------------------------------------------

  /** Answers /_sandbox/… (the providers' APIs and the pay pages); false for anything else. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    if (!url.pathname.startsWith(`${SANDBOX_PREFIX}/`)) return false;
    this.answer(res, async () => {
      const body = await readBody(req);
      const [, , provider, ...rest] = url.pathname.split('/');
      const path = `/${rest.join('/')}`;
      const method = req.method ?? 'GET';
      if (provider === 'stripe') return this.stripe(method, path, url, body, req);
      if (provider === 'alipay' && path === '/gateway.do') return this.alipay(method, url, body, req);
      if (provider === 'wechatpay') return this.wechatpay(method, path, url, body, req);
      throw json(404, { message: `the payment sandbox serves no ${method} ${url.pathname}` });
    });
    return true;
  }

  /** Answers /_local/sandbox/… (callbacks sent, replays); false for anything else. */
  control(req: IncomingMessage, res: ServerResponse): boolean {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const p = url.pathname;
    if (!p.startsWith('/_local/sandbox/')) return false;
    this.answer(res, async () => {
      await readBody(req);
      const ok = (value: unknown) => ({ status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value, null, 2) });
      if (req.method === 'GET' && p === '/_local/sandbox/payments') return ok([...this.payments.values()].map(({ callbacks, ...rest }) => ({ ...rest, callbacks: callbacks.length })));
      if (req.method === 'GET' && p === '/_local/sandbox/callbacks') {
        const of = url.searchParams.get('paymentId');
        return ok([...this.payments.values()].filter((x) => !of || x.paymentId === of).flatMap((x) => x.callbacks));
      }
      const one = /^\/_local\/sandbox\/payments\/([^/]+)$/.exec(p);
      if (req.method === 'GET' && one) return ok(this.payment(decodeURIComponent(one[1]!)));
      const replay = /^\/_local\/sandbox\/payments\/([^/]+)\/callbacks\/(\d+)\/replay$/.exec(p);
      if (req.method === 'POST' && replay) {
        const payment = this.payment(decodeURIComponent(replay[1]!));
        const cb = payment.callbacks.find((x) => x.n === Number(replay[2]));
        if (!cb) throw json(404, { message: `payment ${payment.paymentId} has no callback ${replay[2]}` });
        const times = Number(url.searchParams.get('times') ?? '1');
        if (!Number.isInteger(times) || times < 1 || times > 10) throw json(400, { message: 'times must be a whole number from 1 to 10' });
        for (let i = 0; i < times; i++) await this.deliver(cb, 'replay');
        return ok(cb);
      }
      throw json(404, { message: `no sandbox control route ${req.method} ${p}` });
    });
    return true;
  }

  private answer(res: ServerResponse, work: () => Promise<{ status: number; headers: Record<string, string>; body: string }>) {
    work()
      .catch((err: unknown) => {
        if (err instanceof Problem) return { status: err.status, headers: err.headers, body: err.body };
        this.opts.log(`payment sandbox: ${(err as Error).stack ?? err}`);
        return { status: 500, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: (err as Error).message }) };
      })
      .then((a) => {
        res.writeHead(a.status, { ...a.headers, 'content-length': String(Buffer.byteLength(a.body)) });
        res.end(a.body);
      });
  }

  private payment(paymentId: string): SandboxPayment {
    const p = this.payments.get(paymentId);
    if (!p) throw json(404, { message: `the sandbox knows no payment ${paymentId}` });
    return p;
  }

  // --- the pay page ------------------------------------------------------------------

  private payPage(p: SandboxPayment, action: string) {
    const amount = `${(p.amount / 100).toFixed(2)} ${p.currency.toUpperCase()}`;
    const done = p.status !== 'PENDING' ? `<p class="status">This payment is ${p.status.toLowerCase()}.</p>` : '';
    const button = (outcome: Outcome, label: string) => `<button name="outcome" value="${outcome}"${p.status !== 'PENDING' ? ' disabled' : ''}>${label}</button>`;
    const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(p.provider)} sandbox: pay ${escapeHtml(amount)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}button{font-size:1rem;margin:.25rem .5rem .25rem 0;padding:.5rem 1rem}</style></head>
<body><h1>${escapeHtml(p.provider)} sandbox</h1>
<p>${escapeHtml(p.description)}</p>
<dl><dt>Order</dt><dd>${escapeHtml(p.orderId ?? p.metadata.orderId ?? '-')}</dd><dt>Payment</dt><dd>${escapeHtml(p.paymentId)}</dd><dt>Amount</dt><dd class="amount">${escapeHtml(amount)}</dd></dl>
${done}<form method="post" action="${escapeHtml(action)}">${button('succeed', 'Pay')}${button('fail', 'Fail')}${button('abandon', 'Abandon')}</form>
</body></html>`;
    return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: html };
  }

  /** POST <nextAction.url> `{ outcome }` (JSON) or the page's form: the payer's decision. */
  private async decide(p: SandboxPayment, req: IncomingMessage, body: string) {
    const form = String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
    let outcome: unknown;
    try {
      outcome = form ? new URLSearchParams(body).get('outcome') : (JSON.parse(body) as { outcome?: unknown }).outcome;
    } catch {
      throw json(400, { message: 'the body must be JSON { "outcome": "succeed" | "fail" | "abandon" }' });
    }
    if (outcome !== 'succeed' && outcome !== 'fail' && outcome !== 'abandon') throw json(400, { message: 'outcome must be succeed, fail or abandon' });
    if (p.status !== 'PENDING') throw json(409, { message: `payment ${p.paymentId} is already ${p.status}` });
    const callback = this.settle(p, outcome);
    this.save();
    if (callback) void this.deliver(callback, 'first');
    this.opts.log(`payment sandbox: ${p.provider} ${p.paymentId} ${outcome}${callback ? ` -> ${callback.eventType} to ${callback.url}` : ''}`);
    if (form) return this.payPage(p, req.url ?? '');
    return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ paymentId: p.paymentId, status: p.status, callback: callback?.n }) };
  }

  /** The payer's outcome: the new status and the callback the provider sends (none for an abandoned payment). */
  private settle(p: SandboxPayment, outcome: Outcome): SentCallback | undefined {
    if (outcome === 'abandon') return undefined;
    const now = new Date();
    if (outcome === 'succeed') {
      p.status = 'SUCCEEDED';
      p.paidAt = now.toISOString();
      if (p.provider === 'alipay') p.providerRef = `${alipayTime(now).replace(/\D/g, '').slice(0, 8)}22${digits(18)}`;
      if (p.provider === 'wechatpay') p.providerRef = `42000${digits(23)}`;
    } else {
      p.status = 'FAILED';
    }
    switch (p.provider) {
      case 'stripe':
        return this.record(p, this.opts.apiUrl() + '/webhooks/payments/stripe', outcome === 'succeed' ? 'payment_intent.succeeded' : 'payment_intent.payment_failed', (type) =>
          stripeEvent(type, this.intent(p)),
        );
      case 'alipay':
        return this.record(p, p.notifyUrl, outcome === 'succeed' ? 'TRADE_SUCCESS' : 'TRADE_CLOSED', (status) => this.alipayNotify(p, status));
      case 'wechatpay':
        // WeChat Pay notifies successful payments only; a failed one shows in the query (PAYERROR).
        if (outcome === 'fail') return undefined;
        return this.record(p, p.notifyUrl, 'TRANSACTION.SUCCESS', (type) => wechatNotification(type, '支付成功', 'transaction', this.wechatTransaction(p), this.c));
    }
  }

  // --- callbacks -----------------------------------------------------------------------

  private record(p: SandboxPayment, url: string, eventType: string, make: (eventType: string) => unknown): SentCallback {
    const cb: SentCallback = { n: p.callbacks.length + 1, paymentId: p.paymentId, provider: p.provider, eventType, url, event: make(eventType), deliveries: [] };
    p.callbacks.push(cb);
    return cb;
  }

  private sign(cb: SentCallback): SignedCallback {
    if (cb.provider === 'stripe') return signStripeCallback(cb.event, this.c);
    if (cb.provider === 'alipay') return signAlipayCallback(cb.event as Record<string, string>, this.c);
    return signWechatCallback(cb.event, this.c);
  }

  /** What the provider takes as "received": any 2xx (Alipay: the text `success`). */
  private acknowledged(cb: SentCallback, status: number, answer: string) {
    if (status < 200 || status >= 300) return false;
    return cb.provider !== 'alipay' || answer.trim() === 'success';
  }

  /** Sends a callback, signed now; an unacknowledged first delivery is retried with a growing wait. */
  private async deliver(cb: SentCallback, trigger: 'first' | 'retry' | 'replay', attempt = 0): Promise<void> {
    if (this.stopped) return;
    const sent = this.sign(cb);
    cb.sent = sent;
    const d: SentCallback['deliveries'][number] = { at: new Date().toISOString(), trigger };
    cb.deliveries.push(d);
    try {
      const res = await fetch(cb.url, { method: 'POST', headers: sent.headers, body: sent.body, signal: AbortSignal.timeout(10_000) });
      d.status = res.status;
      d.answer = (await res.text()).slice(0, 500);
    } catch (err) {
      d.error = (err as Error).message;
    }
    this.save();
    const ok = d.status !== undefined && this.acknowledged(cb, d.status, d.answer ?? '');
    this.opts.log(`payment sandbox: ${cb.provider} ${cb.eventType} #${cb.n} of ${cb.paymentId} (${trigger}) -> ${d.status ?? d.error}`);
    const delays = this.opts.retryDelaysMs ?? [500, 1000, 2000];
    if (!ok && trigger !== 'replay' && attempt < delays.length) this.later(delays[attempt]!, () => void this.deliver(cb, 'retry', attempt + 1));
  }

  // --- Stripe --------------------------------------------------------------------------

  private intent(p: SandboxPayment) {
    const status = { PENDING: 'requires_action', SUCCEEDED: 'succeeded', FAILED: 'requires_payment_method', CANCELLED: 'canceled' }[p.status];
    return {
      id: p.providerRef,
      object: 'payment_intent',
      amount: p.amount,
      amount_received: p.status === 'SUCCEEDED' ? p.amount : 0,
      currency: p.currency,
      status,
      client_secret: `${p.providerRef}_secret_${p.paymentId.slice(-8)}`,
      metadata: p.metadata,
      description: p.description || null,
      automatic_payment_methods: { enabled: true },
      created: Math.floor(Date.parse(p.createdAt) / 1000),
      livemode: false,
      last_payment_error: p.status === 'FAILED' ? { type: 'card_error', code: 'card_declined', message: 'Your card was declined.' } : null,
      next_action: p.status === 'PENDING' ? { type: 'redirect_to_url', redirect_to_url: { url: p.payUrl, return_url: null } } : null,
    };
  }

  private stripeRefund(p: SandboxPayment, r: SandboxRefund) {
    return {
      id: r.providerRefundRef,
      object: 'refund',
      amount: r.amount,
      currency: p.currency,
      payment_intent: p.providerRef,
      status: r.status === 'SUCCEEDED' ? 'succeeded' : 'pending',
      metadata: { refundId: r.refundId, paymentId: p.paymentId },
      created: Math.floor(Date.parse(r.createdAt) / 1000),
    };
  }

  private async stripe(method: string, path: string, url: URL, body: string, req: IncomingMessage) {
    const pay = /^\/pay\/([^/]+)$/.exec(path);
    if (pay) {
      const p = this.payment(decodeURIComponent(pay[1]!));
      return method === 'GET' ? this.payPage(p, url.pathname) : this.decide(p, req, body);
    }
    if (req.headers.authorization !== `Bearer ${this.c.stripe.secretKey}`) throw stripeError(401, 'Invalid API Key provided.');
    const ok = (value: unknown) => ({ status: 200, headers: { 'content-type': 'application/json', 'request-id': id('req_', 7) }, body: JSON.stringify(value) });
    const key = req.headers['idempotency-key'];
    const once = async (work: () => { status: number; headers: Record<string, string>; body: string }) => {
      if (typeof key !== 'string') return work();
      const seen = this.idempotent.get(`stripe:${key}`);
      if (seen) return { status: seen.status, headers: { 'content-type': 'application/json', 'idempotent-replayed': 'true' }, body: seen.body };
      const a = work();
      this.idempotent.set(`stripe:${key}`, { status: a.status, body: a.body });
      return a;
    };
    const form = new URLSearchParams(body);
    const metadata = Object.fromEntries([...form].flatMap(([k, v]) => (/^metadata\[(.+)\]$/.exec(k) ? [[/^metadata\[(.+)\]$/.exec(k)![1]!, v]] : [])));
    if (method === 'POST' && path === '/v1/payment_intents') {
      return once(() => {
        const amount = Number(form.get('amount'));
        const currency = form.get('currency') ?? '';
        if (!Number.isInteger(amount) || amount < 1) throw stripeError(400, 'Invalid positive integer', 'parameter_invalid_integer', 'amount');
        if (!/^[a-z]{3}$/.test(currency)) throw stripeError(400, 'Invalid currency: must be a lower-case ISO code', 'parameter_invalid', 'currency');
        const paymentId = metadata.paymentId;
        if (!paymentId) throw stripeError(400, 'The sandbox needs metadata[paymentId]', 'parameter_missing', 'metadata[paymentId]');
        const existing = this.payments.get(paymentId);
        if (existing) return ok(this.intent(existing));
        const pi = id('pi_');
        const p = this.create({ paymentId, provider: 'stripe', amount, currency, description: form.get('description') ?? '', metadata, providerRef: pi, notifyUrl: '', orderId: metadata.orderId });
        return ok(this.intent(p));
      });
    }
    const get = /^\/v1\/payment_intents\/([^/]+)$/.exec(path);
    if (method === 'GET' && get) {
      const p = [...this.payments.values()].find((x) => x.provider === 'stripe' && x.providerRef === get[1]);
      if (!p) throw stripeError(404, `No such payment_intent: '${get[1]}'`, 'resource_missing', 'intent');
      return ok(this.intent(p));
    }
    if (method === 'POST' && path === '/v1/refunds') {
      return once(() => {
        const pi = form.get('payment_intent');
        const p = [...this.payments.values()].find((x) => x.provider === 'stripe' && x.providerRef === pi);
        if (!p) throw stripeError(404, `No such payment_intent: '${pi}'`, 'resource_missing', 'payment_intent');
        const amount = form.has('amount') ? Number(form.get('amount')) : this.refundable(p);
        const problem = this.refundProblem(p, amount);
        if (problem === 'not-paid') throw stripeError(400, `This PaymentIntent (${pi}) does not have a successful charge to refund.`, 'charge_not_refundable');
        if (problem) throw stripeError(400, `Refund amount (${amount}) is greater than unrefunded amount on charge (${this.refundable(p)})`, 'amount_too_large', 'amount');
        const r = this.addRefund(p, { refundId: metadata.refundId ?? id('refund_', 6), providerRefundRef: id('re_'), amount });
        this.later(this.opts.refundDelayMs ?? 300, () => this.finishRefund(p, r, () => this.record(p, this.opts.apiUrl() + '/webhooks/payments/stripe', 'refund.updated', (type) => stripeEvent(type, this.stripeRefund(p, r)))));
        return ok(this.stripeRefund(p, r));
      });
    }
    throw stripeError(404, `Unrecognized request URL (${method}: ${path}).`);
  }

  // --- Alipay --------------------------------------------------------------------------

  private alipayNotify(p: SandboxPayment, tradeStatus: string, refund?: SandboxRefund): Record<string, string> {
    const now = new Date();
    const refunded = p.refunds.reduce((s, r) => s + r.amount, 0);
    return {
      notify_time: alipayTime(now),
      notify_type: 'trade_status_sync',
      notify_id: randomBytes(16).toString('hex'),
      charset: 'utf-8',
      version: '1.0',
      sign_type: 'RSA2',
      app_id: this.c.alipay.appId,
      seller_id: this.c.alipay.sellerId,
      auth_app_id: this.c.alipay.appId,
      trade_no: p.providerRef,
      out_trade_no: p.paymentId,
      trade_status: tradeStatus,
      total_amount: yuan(p.amount),
      subject: p.description,
      gmt_create: alipayTime(new Date(p.createdAt)),
      ...(p.paidAt ? { receipt_amount: yuan(p.amount), buyer_pay_amount: yuan(p.amount), gmt_payment: alipayTime(new Date(p.paidAt)), buyer_id: '2088102177846880' } : {}),
      ...(refund ? { out_biz_no: refund.refundId, refund_fee: yuan(refunded), gmt_refund: `${alipayTime(now)}.${String(now.getMilliseconds()).padStart(3, '0')}` } : {}),
    };
  }

  private tradeStatus(p: SandboxPayment) {
    if (p.status === 'SUCCEEDED') return this.refundable(p) === 0 ? 'TRADE_CLOSED' : 'TRADE_SUCCESS';
    return p.status === 'PENDING' ? 'WAIT_BUYER_PAY' : 'TRADE_CLOSED';
  }

  private async alipay(method: string, url: URL, body: string, req: IncomingMessage) {
    // The page pay (GET, or the page's POST with the signed parameters in the query string).
    if (url.searchParams.get('method') === 'alipay.trade.page.pay') {
      const params = Object.fromEntries(url.searchParams);
      const htmlError = (message: string) => new Problem(400, `<!doctype html><meta charset="utf-8"><title>Alipay sandbox</title><p>${escapeHtml(message)}</p>`, { 'content-type': 'text/html; charset=utf-8' });
      if (!alipayRequestSigned(params, this.c)) throw htmlError('invalid-signature: the request is not signed with the app private key of app_id (RSA2 over every parameter but sign, sorted)');
      let biz: { out_trade_no?: string; total_amount?: string; subject?: string; product_code?: string };
      try {
        biz = JSON.parse(params.biz_content ?? '');
      } catch {
        throw htmlError('biz_content is not JSON');
      }
      const amount = fen(biz.total_amount);
      if (!biz.out_trade_no || !amount || !biz.subject) throw htmlError('biz_content needs out_trade_no, total_amount (yuan, 2 decimals) and subject');
      if (!params.notify_url) throw htmlError('notify_url is missing');
      let p = this.payments.get(biz.out_trade_no);
      if (p && p.amount !== amount) throw htmlError(`out_trade_no ${biz.out_trade_no} was opened with another total_amount`);
      p ??= this.create({ paymentId: biz.out_trade_no, provider: 'alipay', amount, currency: 'cny', description: biz.subject, metadata: {}, providerRef: '', notifyUrl: params.notify_url, payUrl: `${this.opts.apiUrl()}${url.pathname}${url.search}` });
      return method === 'GET' ? this.payPage(p, `${url.pathname}${url.search}`) : this.decide(p, req, body);
    }
    if (method !== 'POST') throw json(405, { message: 'the gateway takes POST (API calls) or GET of alipay.trade.page.pay' });
    const params = Object.fromEntries(new URLSearchParams(body));
    for (const [k, v] of url.searchParams) params[k] ??= v;
    const apiMethod = params.method ?? '';
    const answer = (response: Record<string, unknown>) => ({ status: 200, headers: { 'content-type': 'application/json;charset=utf-8' }, body: alipayAnswer(apiMethod || 'error', response, this.c) });
    const failed = (subCode: string, subMsg: string, code = '40004', msg = 'Business Failed') => answer({ code, msg, sub_code: subCode, sub_msg: subMsg });
    if (!alipayRequestSigned(params, this.c)) return failed('isv.invalid-signature', '验签出错 (RSA2 over every parameter but sign, sorted, with the app private key)', '40002', 'Invalid Arguments');
    let biz: { out_trade_no?: string; trade_no?: string; refund_amount?: string; out_request_no?: string };
    try {
      biz = JSON.parse(params.biz_content ?? '{}');
    } catch {
      return failed('isv.invalid-parameter', 'biz_content is not JSON', '40002', 'Invalid Arguments');
    }
    const p = [...this.payments.values()].find((x) => x.provider === 'alipay' && (x.paymentId === biz.out_trade_no || (biz.trade_no && x.providerRef === biz.trade_no)));
    if (apiMethod === 'alipay.trade.query') {
      if (!p) return failed('ACQ.TRADE_NOT_EXIST', '交易不存在');
      return answer({
        code: '10000',
        msg: 'Success',
        out_trade_no: p.paymentId,
        trade_status: this.tradeStatus(p),
        total_amount: yuan(p.amount),
        ...(p.providerRef ? { trade_no: p.providerRef } : {}),
        ...(p.paidAt ? { buyer_pay_amount: yuan(p.amount), receipt_amount: yuan(p.amount), send_pay_date: alipayTime(new Date(p.paidAt)) } : {}),
      });
    }
    if (apiMethod === 'alipay.trade.refund') {
      if (!p) return failed('ACQ.TRADE_NOT_EXIST', '交易不存在');
      const amount = fen(biz.refund_amount);
      const refundId = biz.out_request_no ?? p.paymentId;
      const reply = (fundChange: 'Y' | 'N') =>
        answer({
          code: '10000',
          msg: 'Success',
          trade_no: p.providerRef,
          out_trade_no: p.paymentId,
          buyer_logon_id: 'san***@example.com',
          fund_change: fundChange,
          refund_fee: yuan(p.refunds.reduce((s, r) => s + r.amount, 0)),
          send_back_fee: yuan(p.refunds.find((r) => r.refundId === refundId)?.amount ?? 0),
          gmt_refund_pay: alipayTime(),
        });
      // The same out_request_no again refunds nothing more (Alipay's idempotency).
      if (p.refunds.some((r) => r.refundId === refundId)) return reply('N');
      if (!amount) return failed('isv.invalid-parameter', 'refund_amount must be yuan with at most 2 decimals', '40002', 'Invalid Arguments');
      const problem = this.refundProblem(p, amount);
      if (problem === 'not-paid') return failed('ACQ.TRADE_STATUS_ERROR', '交易状态不合法');
      if (problem) return failed('ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', '退款金额超限');
      const r = this.addRefund(p, { refundId, providerRefundRef: '', amount });
      // Synchronous: done when answered; the notify follows.
      this.finishRefund(p, r, () => this.record(p, p.notifyUrl, `${this.tradeStatus(p)} (refund)`, () => this.alipayNotify(p, this.tradeStatus(p), r)));
      return reply('Y');
    }
    return failed('isv.invalid-method', `the sandbox does not serve ${apiMethod || '(no method)'}`, '40002', 'Invalid Arguments');
  }

  // --- WeChat Pay --------------------------------------------------------------------

  private wechatTransaction(p: SandboxPayment) {
    const refunded = p.refunds.length > 0;
    const state = { PENDING: 'NOTPAY', SUCCEEDED: refunded ? 'REFUND' : 'SUCCESS', FAILED: 'PAYERROR', CANCELLED: 'CLOSED' }[p.status];
    return {
      appid: this.c.wechatpay.appid,
      mchid: this.c.wechatpay.mchid,
      out_trade_no: p.paymentId,
      ...(p.status === 'SUCCEEDED' ? { transaction_id: p.providerRef, success_time: wechatTime(new Date(p.paidAt!)), bank_type: 'OTHERS', payer: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' } } : {}),
      trade_type: 'NATIVE',
      trade_state: state,
      trade_state_desc: { NOTPAY: '未支付', SUCCESS: '支付成功', REFUND: '转入退款', PAYERROR: '支付失败', CLOSED: '已关闭' }[state],
      attach: '',
      amount: { total: p.amount, payer_total: p.status === 'SUCCEEDED' ? p.amount : 0, currency: p.currency.toUpperCase(), payer_currency: p.currency.toUpperCase() },
    };
  }

  private wechatRefund(p: SandboxPayment, r: SandboxRefund) {
    return {
      refund_id: r.providerRefundRef,
      out_refund_no: r.refundId,
      transaction_id: p.providerRef,
      out_trade_no: p.paymentId,
      channel: 'ORIGINAL',
      user_received_account: '支付用户零钱',
      create_time: wechatTime(new Date(r.createdAt)),
      status: r.status === 'SUCCEEDED' ? 'SUCCESS' : 'PROCESSING',
      ...(r.status === 'SUCCEEDED' ? { success_time: wechatTime() } : {}),
      amount: { total: p.amount, refund: r.amount, payer_total: p.amount, payer_refund: r.amount, currency: p.currency.toUpperCase() },
    };
  }

  private async wechatpay(method: string, path: string, url: URL, body: string, req: IncomingMessage) {
    const pay = /^\/pay\/([^/]+)$/.exec(path);
    if (pay) {
      const p = this.payment(decodeURIComponent(pay[1]!));
      return method === 'GET' ? this.payPage(p, url.pathname) : this.decide(p, req, body);
    }
    const signed = (status: number, value: unknown) => {
      const text = value === undefined ? '' : JSON.stringify(value);
      return { status, headers: { 'content-type': 'application/json', 'request-id': id('', 16), ...wechatSignatureHeaders(text, this.c) }, body: text };
    };
    const refuse = (status: number, code: string, message: string) => {
      const a = signed(status, { code, message });
      return new Problem(a.status, a.body, a.headers);
    };
    // The merchant signs the API path as the real API sees it (/v3/...); the mount prefix is ours.
    const problem = wechatRequestProblem(method, [`${path}${url.search}`, `${url.pathname}${url.search}`], body, req.headers.authorization, this.c);
    if (problem) throw refuse(401, 'SIGN_ERROR', problem);
    let input: any = {};
    if (body) {
      try {
        input = JSON.parse(body);
      } catch {
        throw refuse(400, 'PARAM_ERROR', 'the body is not JSON');
      }
    }
    if (method === 'POST' && path === '/v3/pay/transactions/native') {
      const total = input.amount?.total;
      if (input.appid !== this.c.wechatpay.appid || input.mchid !== this.c.wechatpay.mchid) throw refuse(400, 'APPID_MCHID_NOT_MATCH', 'appid和mch_id不匹配');
      if (!Number.isInteger(total) || total < 1 || !input.out_trade_no || !input.notify_url || !input.description) {
        throw refuse(400, 'PARAM_ERROR', 'out_trade_no, description, notify_url and amount.total (integer fen) are required');
      }
      const existing = this.payments.get(input.out_trade_no);
      if (existing && existing.amount !== total) throw refuse(400, 'INVALID_REQUEST', '201 商户订单号重复');
      const p =
        existing ??
        this.create({
          paymentId: input.out_trade_no,
          provider: 'wechatpay',
          amount: total,
          currency: String(input.amount?.currency ?? 'CNY').toLowerCase(),
          description: input.description,
          metadata: {},
          providerRef: '',
          notifyUrl: input.notify_url,
        });
      return signed(200, { code_url: p.payUrl });
    }
    const query = /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)$/.exec(path);
    if (method === 'GET' && query) {
      if (url.searchParams.get('mchid') !== this.c.wechatpay.mchid) throw refuse(400, 'PARAM_ERROR', 'mchid is missing or not the merchant');
      const p = this.payments.get(decodeURIComponent(query[1]!));
      if (!p || p.provider !== 'wechatpay') throw refuse(404, 'ORDER_NOT_EXIST', '订单不存在');
      return signed(200, this.wechatTransaction(p));
    }
    if (method === 'POST' && path === '/v3/refund/domestic/refunds') {
      const p = this.payments.get(input.out_trade_no ?? '');
      if (!p || p.provider !== 'wechatpay') throw refuse(404, 'RESOURCE_NOT_EXISTS', '订单不存在');
      const same = p.refunds.find((r) => r.refundId === input.out_refund_no);
      if (same) return signed(200, this.wechatRefund(p, same));
      const amount = input.amount?.refund;
      if (!input.out_refund_no || !Number.isInteger(amount) || amount < 1) throw refuse(400, 'PARAM_ERROR', 'out_refund_no and amount.refund (integer fen) are required');
      if (input.amount?.total !== p.amount) throw refuse(400, 'PARAM_ERROR', '订单金额或退款金额与之前请求不一致 (amount.total is not the payment total)');
      const problem = this.refundProblem(p, amount);
      if (problem === 'not-paid') throw refuse(403, 'TRADE_ERROR', '订单未支付');
      if (problem) throw refuse(403, 'NOT_ENOUGH', '可退款余额不足');
      const r = this.addRefund(p, { refundId: input.out_refund_no, providerRefundRef: `50${digits(30)}`, amount, notifyUrl: input.notify_url ?? p.notifyUrl });
      this.later(this.opts.refundDelayMs ?? 300, () =>
        this.finishRefund(p, r, () =>
          this.record(p, r.notifyUrl ?? p.notifyUrl, 'REFUND.SUCCESS', (type) => wechatNotification(type, '退款成功', 'refund', { mchid: this.c.wechatpay.mchid, ...this.wechatRefund(p, r), refund_status: 'SUCCESS' }, this.c)),
        ),
      );
      return signed(200, this.wechatRefund(p, r));
    }
    throw refuse(404, 'NOT_FOUND', `no ${method} ${path}`);
  }

  // --- shared rules ----------------------------------------------------------------------

  private create(input: Omit<SandboxPayment, 'status' | 'createdAt' | 'refunds' | 'callbacks' | 'payUrl'> & { payUrl?: string }): SandboxPayment {
    const p: SandboxPayment = {
      ...input,
      payUrl: input.payUrl ?? `${this.opts.apiUrl()}${SANDBOX_PREFIX}/${input.provider}/pay/${encodeURIComponent(input.paymentId)}`,
      status: 'PENDING',
      createdAt: new Date().toISOString(),
      refunds: [],
      callbacks: [],
    };
    this.payments.set(p.paymentId, p);
    this.save();
    this.opts.log(`payment sandbox: ${p.provider} payment ${p.paymentId} opened for ${p.amount} ${p.currency}`);
    return p;
  }

  private refundable(p: SandboxPayment) {
    return p.amount - p.refunds.reduce((s, r) => s + r.amount, 0);
  }

  private refundProblem(p: SandboxPayment, amount: number): 'not-paid' | 'too-much' | undefined {
    if (p.status !== 'SUCCEEDED') return 'not-paid';
    if (!Number.isInteger(amount) || amount < 1 || amount > this.refundable(p)) return 'too-much';
    return undefined;
  }

  private addRefund(p: SandboxPayment, r: Omit<SandboxRefund, 'status' | 'createdAt'>): SandboxRefund {
    const refund: SandboxRefund = { ...r, status: 'PENDING', createdAt: new Date().toISOString() };
    p.refunds.push(refund);
    this.save();
    return refund;
  }

  private finishRefund(p: SandboxPayment, r: SandboxRefund, callback: () => SentCallback) {
    r.status = 'SUCCEEDED';
    const cb = callback();
    this.save();
    void this.deliver(cb, 'first');
  }
}
