// The payment sandbox: the local cloud's stand-in for Stripe, Alipay and WeChat Pay,
// mounted on the API port under /_sandbox/<provider>. It serves the subset of each
// provider's API the adapters call (payments contract), checks the merchant's request
// signatures, signs its answers where the provider does, shows a pay page at each
// payment's nextAction.url, and sends the provider's callbacks in the real format and
// signature, retried like a provider. /_local/sandbox/... lists the callbacks sent and
// replays them (twice, out of order) for tests and demos.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { ProviderCredentials } from './handshake';
import {
  alipayApi,
  alipayNotify,
  digits,
  escapeHtml,
  intent,
  json,
  Problem,
  refundable,
  stripeApi,
  wechatpayApi,
  wechatTransaction,
  type Answer,
} from './payment-sandbox-apis';
import {
  alipayTime,
  signAlipayCallback,
  signStripeCallback,
  signWechatCallback,
  stripeEvent,
  wechatNotification,
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
  /** when the merchant closed it (Stripe cancel, alipay.trade.close, WeChat Pay close) */
  closedAt?: string;
  /** Stripe's cancellation_reason */
  cancellationReason?: string;
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

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export class PaymentSandbox {
  /** by paymentId; what the provider APIs (payment-sandbox-apis.ts) read and change */
  readonly payments = new Map<string, SandboxPayment>();
  /** Stripe's Idempotency-Key answers */
  readonly idempotent = new Map<string, { status: number; body: string }>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly file?: string;
  private stopped = false;

  constructor(private readonly opts: SandboxOptions) {
    this.file = opts.dataDir ? join(opts.dataDir, 'payment-sandbox.json') : undefined;
    if (this.file && existsSync(this.file)) {
      for (const p of JSON.parse(readFileSync(this.file, 'utf8')) as SandboxPayment[]) this.payments.set(p.paymentId, p);
    }
  }

  get c() {
    return this.opts.credentials;
  }

  apiUrl() {
    return this.opts.apiUrl();
  }

  get refundDelayMs() {
    return this.opts.refundDelayMs ?? 300;
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

  later(ms: number, fn: () => void) {
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
      if (provider === 'stripe') return stripeApi(this, method, path, url, body, req);
      if (provider === 'alipay' && path === '/gateway.do') return alipayApi(this, method, url, body, req);
      if (provider === 'wechatpay') return wechatpayApi(this, method, path, url, body, req);
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

  private answer(res: ServerResponse, work: () => Promise<Answer>) {
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

  payment(paymentId: string): SandboxPayment {
    const p = this.payments.get(paymentId);
    if (!p) throw json(404, { message: `the sandbox knows no payment ${paymentId}` });
    return p;
  }

  // --- the pay page ------------------------------------------------------------------

  payPage(p: SandboxPayment, action: string) {
    const amount = `${(p.amount / 100).toFixed(2)} ${p.currency.toUpperCase()}`;
    const done = p.closedAt
      ? '<p class="status">This payment is closed: the merchant cancelled it, and it can no longer be paid.</p>'
      : p.status !== 'PENDING' ? `<p class="status">This payment is ${p.status.toLowerCase()}.</p>` : '';
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
  async decide(p: SandboxPayment, req: IncomingMessage, body: string) {
    const form = String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
    let outcome: unknown;
    try {
      outcome = form ? new URLSearchParams(body).get('outcome') : (JSON.parse(body) as { outcome?: unknown }).outcome;
    } catch {
      throw json(400, { message: 'the body must be JSON { "outcome": "succeed" | "fail" | "abandon" }' });
    }
    if (outcome !== 'succeed' && outcome !== 'fail' && outcome !== 'abandon') throw json(400, { message: 'outcome must be succeed, fail or abandon' });
    if (p.closedAt) throw json(409, { message: `payment ${p.paymentId} is closed: the merchant cancelled it, and it can no longer be paid` });
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
    // Alipay's trade exists once the payer acted on the page: a closed one has its trade_no too
    if (p.provider === 'alipay' && !p.providerRef) p.providerRef = `${alipayTime(now).replace(/\D/g, '').slice(0, 8)}22${digits(18)}`;
    if (outcome === 'succeed') {
      p.status = 'SUCCEEDED';
      p.paidAt = now.toISOString();
      if (p.provider === 'wechatpay') p.providerRef = `42000${digits(23)}`;
    } else {
      p.status = 'FAILED';
    }
    switch (p.provider) {
      case 'stripe':
        return this.record(p, this.opts.apiUrl() + '/webhooks/payments/stripe', outcome === 'succeed' ? 'payment_intent.succeeded' : 'payment_intent.payment_failed', (type) =>
          stripeEvent(type, intent(p)),
        );
      case 'alipay':
        return this.record(p, p.notifyUrl, outcome === 'succeed' ? 'TRADE_SUCCESS' : 'TRADE_CLOSED', (status) => alipayNotify(this.c, p, status));
      case 'wechatpay':
        // WeChat Pay notifies successful payments only; a failed one shows in the query (PAYERROR).
        if (outcome === 'fail') return undefined;
        return this.record(p, p.notifyUrl, 'TRANSACTION.SUCCESS', (type) => wechatNotification(type, '支付成功', 'transaction', wechatTransaction(this.c, p), this.c));
    }
  }

  // --- callbacks -----------------------------------------------------------------------

  record(p: SandboxPayment, url: string, eventType: string, make: (eventType: string) => unknown): SentCallback {
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

  // --- shared rules ----------------------------------------------------------------------

  create(input: Omit<SandboxPayment, 'status' | 'createdAt' | 'refunds' | 'callbacks' | 'payUrl'> & { payUrl?: string }): SandboxPayment {
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


  /**
   * The merchant closed the payment: its page can no longer be paid. `callback` is the
   * provider's notification of it, if it sends one (Stripe's payment_intent.canceled).
   */
  close(p: SandboxPayment, callback?: () => SentCallback) {
    p.status = 'CANCELLED';
    p.closedAt = new Date().toISOString();
    const cb = callback?.();
    this.save();
    if (cb) void this.deliver(cb, 'first');
    this.opts.log(`payment sandbox: ${p.provider} ${p.paymentId} closed by the merchant`);
  }

  refundProblem(p: SandboxPayment, amount: number): 'not-paid' | 'too-much' | undefined {
    if (p.status !== 'SUCCEEDED') return 'not-paid';
    if (!Number.isInteger(amount) || amount < 1 || amount > refundable(p)) return 'too-much';
    return undefined;
  }

  addRefund(p: SandboxPayment, r: Omit<SandboxRefund, 'status' | 'createdAt'>): SandboxRefund {
    const refund: SandboxRefund = { ...r, status: 'PENDING', createdAt: new Date().toISOString() };
    p.refunds.push(refund);
    this.save();
    return refund;
  }

  finishRefund(p: SandboxPayment, r: SandboxRefund, callback: () => SentCallback) {
    r.status = 'SUCCEEDED';
    const cb = callback();
    this.save();
    void this.deliver(cb, 'first');
  }
}
