// The payment sandbox's three provider APIs (the subset of the payments contract) and the
// provider objects they answer with (PaymentIntent, Refund, Alipay notify parameters,
// WeChat Pay transaction and refund), which callbacks carry too. payment-sandbox.ts
// holds the state, the pay page and the callbacks these use.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { ProviderCredentials } from './handshake';
import type { PaymentSandbox, SandboxPayment, SandboxRefund } from './payment-sandbox';
import {
  alipayAnswer,
  alipayRequestSigned,
  alipayTime,
  fen,
  stripeEvent,
  wechatNotification,
  wechatRequestProblem,
  wechatSignatureHeaders,
  wechatTime,
  yuan,
} from './payment-sandbox-formats';

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** An answer thrown: the request is refused with it. */
export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    readonly headers: Record<string, string> = { 'content-type': 'application/json' },
  ) {
    super(body);
  }
}

export const json = (status: number, value: unknown) => new Problem(status, JSON.stringify(value));
const stripeError = (status: number, message: string, code?: string, param?: string) =>
  json(status, { error: { type: 'invalid_request_error', message, ...(code ? { code } : {}), ...(param ? { param } : {}) } });
export const escapeHtml = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
const id = (prefix: string, bytes = 12) => `${prefix}${randomBytes(bytes).toString('hex')}`;
export const digits = (n: number) => Array.from(randomBytes(n), (b) => String(b % 10)).join('');

/** What is left to refund of a payment. */
export const refundable = (p: SandboxPayment) => p.amount - p.refunds.reduce((s, r) => s + r.amount, 0);

// --- Stripe ----------------------------------------------------------------------------

export function intent(p: SandboxPayment) {
  const status = { PENDING: 'requires_action', SUCCEEDED: 'succeeded', FAILED: 'requires_payment_method', CANCELLED: 'canceled' }[p.status];
  return {
    id: p.providerRef,
    object: 'payment_intent',
    amount: p.amount,
    amount_received: p.status === 'SUCCEEDED' ? p.amount : 0,
    currency: p.currency,
    status,
    cancellation_reason: p.status === 'CANCELLED' ? p.cancellationReason ?? null : null,
    canceled_at: p.closedAt ? Math.floor(Date.parse(p.closedAt) / 1000) : null,
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

export function stripeRefund(p: SandboxPayment, r: SandboxRefund) {
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

export async function stripeApi(core: PaymentSandbox, method: string, path: string, url: URL, body: string, req: IncomingMessage): Promise<Answer> {
  const pay = /^\/pay\/([^/]+)$/.exec(path);
  if (pay) {
    const p = core.payment(decodeURIComponent(pay[1]!));
    return method === 'GET' ? core.payPage(p, url.pathname) : core.decide(p, req, body);
  }
  if (req.headers.authorization !== `Bearer ${core.c.stripe.secretKey}`) throw stripeError(401, 'Invalid API Key provided.');
  const ok = (value: unknown) => ({ status: 200, headers: { 'content-type': 'application/json', 'request-id': id('req_', 7) }, body: JSON.stringify(value) });
  const key = req.headers['idempotency-key'];
  const once = async (work: () => { status: number; headers: Record<string, string>; body: string }) => {
    if (typeof key !== 'string') return work();
    const seen = core.idempotent.get(`stripe:${key}`);
    if (seen) return { status: seen.status, headers: { 'content-type': 'application/json', 'idempotent-replayed': 'true' }, body: seen.body };
    const a = work();
    core.idempotent.set(`stripe:${key}`, { status: a.status, body: a.body });
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
      const existing = core.payments.get(paymentId);
      if (existing) return ok(intent(existing));
      const pi = id('pi_');
      const p = core.create({ paymentId, provider: 'stripe', amount, currency, description: form.get('description') ?? '', metadata, providerRef: pi, notifyUrl: '', orderId: metadata.orderId });
      return ok(intent(p));
    });
  }
  const get = /^\/v1\/payment_intents\/([^/]+)$/.exec(path);
  if (method === 'GET' && get) {
    const p = [...core.payments.values()].find((x) => x.provider === 'stripe' && x.providerRef === get[1]);
    if (!p) throw stripeError(404, `No such payment_intent: '${get[1]}'`, 'resource_missing', 'intent');
    return ok(intent(p));
  }
  const cancel = /^\/v1\/payment_intents\/([^/]+)\/cancel$/.exec(path);
  if (method === 'POST' && cancel) {
    return once(() => {
      const p = [...core.payments.values()].find((x) => x.provider === 'stripe' && x.providerRef === cancel[1]);
      if (!p) throw stripeError(404, `No such payment_intent: '${cancel[1]}'`, 'resource_missing', 'intent');
      // a declined card leaves the PaymentIntent waiting for another payment method: that one may be cancelled too
      if (p.status !== 'PENDING' && p.status !== 'FAILED') {
        throw stripeError(400, `You cannot cancel this PaymentIntent because it has a status of ${intent(p).status}. Only a PaymentIntent with one of the following statuses may be canceled: requires_payment_method, requires_capture, requires_confirmation, requires_action, processing.`, 'payment_intent_unexpected_state');
      }
      p.cancellationReason = form.get('cancellation_reason') ?? undefined;
      core.close(p, () => core.record(p, core.apiUrl() + '/webhooks/payments/stripe', 'payment_intent.canceled', (type) => stripeEvent(type, intent(p))));
      return ok(intent(p));
    });
  }
  if (method === 'POST' && path === '/v1/refunds') {
    return once(() => {
      const pi = form.get('payment_intent');
      const p = [...core.payments.values()].find((x) => x.provider === 'stripe' && x.providerRef === pi);
      if (!p) throw stripeError(404, `No such payment_intent: '${pi}'`, 'resource_missing', 'payment_intent');
      const amount = form.has('amount') ? Number(form.get('amount')) : refundable(p);
      const problem = core.refundProblem(p, amount);
      if (problem === 'not-paid') throw stripeError(400, `This PaymentIntent (${pi}) does not have a successful charge to refund.`, 'charge_not_refundable');
      if (problem) throw stripeError(400, `Refund amount (${amount}) is greater than unrefunded amount on charge (${refundable(p)})`, 'amount_too_large', 'amount');
      const r = core.addRefund(p, { refundId: metadata.refundId ?? id('refund_', 6), providerRefundRef: id('re_'), amount });
      core.later(core.refundDelayMs ?? 300, () => core.finishRefund(p, r, () => core.record(p, core.apiUrl() + '/webhooks/payments/stripe', 'refund.updated', (type) => stripeEvent(type, stripeRefund(p, r)))));
      return ok(stripeRefund(p, r));
    });
  }
  throw stripeError(404, `Unrecognized request URL (${method}: ${path}).`);
}

// --- Alipay ----------------------------------------------------------------------------

export function alipayNotify(c: ProviderCredentials, p: SandboxPayment, tradeStatus: string, refund?: SandboxRefund): Record<string, string> {
  const now = new Date();
  const refunded = p.refunds.reduce((s, r) => s + r.amount, 0);
  return {
    notify_time: alipayTime(now),
    notify_type: 'trade_status_sync',
    notify_id: randomBytes(16).toString('hex'),
    charset: 'utf-8',
    version: '1.0',
    sign_type: 'RSA2',
    app_id: c.alipay.appId,
    seller_id: c.alipay.sellerId,
    auth_app_id: c.alipay.appId,
    // Alipay sends no empty parameter (an empty one would be signed differently by verifiers)
    ...(p.providerRef ? { trade_no: p.providerRef } : {}),
    out_trade_no: p.paymentId,
    trade_status: tradeStatus,
    total_amount: yuan(p.amount),
    subject: p.description,
    gmt_create: alipayTime(new Date(p.createdAt)),
    ...(p.paidAt ? { receipt_amount: yuan(p.amount), buyer_pay_amount: yuan(p.amount), gmt_payment: alipayTime(new Date(p.paidAt)), buyer_id: '2088102177846880' } : {}),
    ...(refund ? { out_biz_no: refund.refundId, refund_fee: yuan(refunded), gmt_refund: `${alipayTime(now)}.${String(now.getMilliseconds()).padStart(3, '0')}` } : {}),
  };
}

export function tradeStatus(p: SandboxPayment) {
  if (p.status === 'SUCCEEDED') return refundable(p) === 0 ? 'TRADE_CLOSED' : 'TRADE_SUCCESS';
  return p.status === 'PENDING' ? 'WAIT_BUYER_PAY' : 'TRADE_CLOSED';
}

export async function alipayApi(core: PaymentSandbox, method: string, url: URL, body: string, req: IncomingMessage): Promise<Answer> {
  // The page pay (GET, or the page's POST with the signed parameters in the query string).
  if (url.searchParams.get('method') === 'alipay.trade.page.pay') {
    const params = Object.fromEntries(url.searchParams);
    const htmlError = (message: string) => new Problem(400, `<!doctype html><meta charset="utf-8"><title>Alipay sandbox</title><p>${escapeHtml(message)}</p>`, { 'content-type': 'text/html; charset=utf-8' });
    if (!alipayRequestSigned(params, core.c)) throw htmlError('invalid-signature: the request is not signed with the app private key of app_id (RSA2 over every parameter but sign, sorted)');
    let biz: { out_trade_no?: string; total_amount?: string; subject?: string; product_code?: string };
    try {
      biz = JSON.parse(params.biz_content ?? '');
    } catch {
      throw htmlError('biz_content is not JSON');
    }
    const amount = fen(biz.total_amount);
    if (!biz.out_trade_no || !amount || !biz.subject) throw htmlError('biz_content needs out_trade_no, total_amount (yuan, 2 decimals) and subject');
    if (!params.notify_url) throw htmlError('notify_url is missing');
    let p = core.payments.get(biz.out_trade_no);
    if (p && p.amount !== amount) throw htmlError(`out_trade_no ${biz.out_trade_no} was opened with another total_amount`);
    p ??= core.create({ paymentId: biz.out_trade_no, provider: 'alipay', amount, currency: 'cny', description: biz.subject, metadata: {}, providerRef: '', notifyUrl: params.notify_url, payUrl: `${core.apiUrl()}${url.pathname}${url.search}` });
    return method === 'GET' ? core.payPage(p, `${url.pathname}${url.search}`) : core.decide(p, req, body);
  }
  if (method !== 'POST') throw json(405, { message: 'the gateway takes POST (API calls) or GET of alipay.trade.page.pay' });
  const params = Object.fromEntries(new URLSearchParams(body));
  for (const [k, v] of url.searchParams) params[k] ??= v;
  const apiMethod = params.method ?? '';
  const answer = (response: Record<string, unknown>) => ({ status: 200, headers: { 'content-type': 'application/json;charset=utf-8' }, body: alipayAnswer(apiMethod || 'error', response, core.c) });
  const failed = (subCode: string, subMsg: string, code = '40004', msg = 'Business Failed') => answer({ code, msg, sub_code: subCode, sub_msg: subMsg });
  if (!alipayRequestSigned(params, core.c)) return failed('isv.invalid-signature', '验签出错 (RSA2 over every parameter but sign, sorted, with the app private key)', '40002', 'Invalid Arguments');
  let biz: { out_trade_no?: string; trade_no?: string; refund_amount?: string; out_request_no?: string };
  try {
    biz = JSON.parse(params.biz_content ?? '{}');
  } catch {
    return failed('isv.invalid-parameter', 'biz_content is not JSON', '40002', 'Invalid Arguments');
  }
  const p = [...core.payments.values()].find((x) => x.provider === 'alipay' && (x.paymentId === biz.out_trade_no || (biz.trade_no && x.providerRef === biz.trade_no)));
  if (apiMethod === 'alipay.trade.query') {
    if (!p) return failed('ACQ.TRADE_NOT_EXIST', '交易不存在');
    return answer({
      code: '10000',
      msg: 'Success',
      out_trade_no: p.paymentId,
      trade_status: tradeStatus(p),
      total_amount: yuan(p.amount),
      ...(p.providerRef ? { trade_no: p.providerRef } : {}),
      ...(p.paidAt ? { buyer_pay_amount: yuan(p.amount), receipt_amount: yuan(p.amount), send_pay_date: alipayTime(new Date(p.paidAt)) } : {}),
    });
  }
  if (apiMethod === 'alipay.trade.close') {
    // no trade until the payer reaches the cashier: nothing to close
    if (!p) return failed('ACQ.TRADE_NOT_EXIST', '交易不存在');
    if (p.status !== 'PENDING') return failed('ACQ.TRADE_STATUS_ERROR', '交易状态不合法');
    core.close(p);
    return answer({ code: '10000', msg: 'Success', out_trade_no: p.paymentId, ...(p.providerRef ? { trade_no: p.providerRef } : {}) });
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
    const problem = core.refundProblem(p, amount);
    if (problem === 'not-paid') return failed('ACQ.TRADE_STATUS_ERROR', '交易状态不合法');
    if (problem) return failed('ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', '退款金额超限');
    const r = core.addRefund(p, { refundId, providerRefundRef: '', amount });
    // Synchronous: done when answered; the notify follows.
    core.finishRefund(p, r, () => core.record(p, p.notifyUrl, `${tradeStatus(p)} (refund)`, () => alipayNotify(core.c, p, tradeStatus(p), r)));
    return reply('Y');
  }
  return failed('isv.invalid-method', `the sandbox does not serve ${apiMethod || '(no method)'}`, '40002', 'Invalid Arguments');
}

// --- WeChat Pay ------------------------------------------------------------------------

export function wechatTransaction(c: ProviderCredentials, p: SandboxPayment) {
  const refunded = p.refunds.length > 0;
  const state = { PENDING: 'NOTPAY', SUCCEEDED: refunded ? 'REFUND' : 'SUCCESS', FAILED: 'PAYERROR', CANCELLED: 'CLOSED' }[p.status];
  return {
    appid: c.wechatpay.appid,
    mchid: c.wechatpay.mchid,
    out_trade_no: p.paymentId,
    ...(p.status === 'SUCCEEDED' ? { transaction_id: p.providerRef, success_time: wechatTime(new Date(p.paidAt!)), bank_type: 'OTHERS', payer: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' } } : {}),
    trade_type: 'NATIVE',
    trade_state: state,
    trade_state_desc: { NOTPAY: '未支付', SUCCESS: '支付成功', REFUND: '转入退款', PAYERROR: '支付失败', CLOSED: '已关闭' }[state],
    attach: '',
    amount: { total: p.amount, payer_total: p.status === 'SUCCEEDED' ? p.amount : 0, currency: p.currency.toUpperCase(), payer_currency: p.currency.toUpperCase() },
  };
}

export function wechatRefund(p: SandboxPayment, r: SandboxRefund) {
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

export async function wechatpayApi(core: PaymentSandbox, method: string, path: string, url: URL, body: string, req: IncomingMessage): Promise<Answer> {
  const pay = /^\/pay\/([^/]+)$/.exec(path);
  if (pay) {
    const p = core.payment(decodeURIComponent(pay[1]!));
    return method === 'GET' ? core.payPage(p, url.pathname) : core.decide(p, req, body);
  }
  const signed = (status: number, value: unknown) => {
    const text = value === undefined ? '' : JSON.stringify(value);
    return { status, headers: { 'content-type': 'application/json', 'request-id': id('', 16), ...wechatSignatureHeaders(text, core.c) }, body: text };
  };
  const refuse = (status: number, code: string, message: string) => {
    const a = signed(status, { code, message });
    return new Problem(a.status, a.body, a.headers);
  };
  // The merchant signs the API path as the real API sees it (/v3/...); the mount prefix is ours.
  const problem = wechatRequestProblem(method, [`${path}${url.search}`, `${url.pathname}${url.search}`], body, req.headers.authorization, core.c);
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
    if (input.appid !== core.c.wechatpay.appid || input.mchid !== core.c.wechatpay.mchid) throw refuse(400, 'APPID_MCHID_NOT_MATCH', 'appid和mch_id不匹配');
    if (!Number.isInteger(total) || total < 1 || !input.out_trade_no || !input.notify_url || !input.description) {
      throw refuse(400, 'PARAM_ERROR', 'out_trade_no, description, notify_url and amount.total (integer fen) are required');
    }
    const existing = core.payments.get(input.out_trade_no);
    if (existing && existing.amount !== total) throw refuse(400, 'INVALID_REQUEST', '201 商户订单号重复');
    const p =
      existing ??
      core.create({
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
    if (url.searchParams.get('mchid') !== core.c.wechatpay.mchid) throw refuse(400, 'PARAM_ERROR', 'mchid is missing or not the merchant');
    const p = core.payments.get(decodeURIComponent(query[1]!));
    if (!p || p.provider !== 'wechatpay') throw refuse(404, 'ORDER_NOT_EXIST', '订单不存在');
    return signed(200, wechatTransaction(core.c, p));
  }
  const close = /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)\/close$/.exec(path);
  if (method === 'POST' && close) {
    if (input.mchid !== core.c.wechatpay.mchid) throw refuse(400, 'PARAM_ERROR', 'mchid is missing or not the merchant');
    const p = core.payments.get(decodeURIComponent(close[1]!));
    if (!p || p.provider !== 'wechatpay') throw refuse(404, 'ORDER_NOT_EXIST', '订单不存在');
    if (p.status === 'SUCCEEDED') throw refuse(400, 'ORDERPAID', '订单已支付');
    if (p.status === 'CANCELLED') throw refuse(400, 'ORDER_CLOSED', '订单已关闭');
    core.close(p);
    return signed(204, undefined);
  }
  if (method === 'POST' && path === '/v3/refund/domestic/refunds') {
    const p = core.payments.get(input.out_trade_no ?? '');
    if (!p || p.provider !== 'wechatpay') throw refuse(404, 'RESOURCE_NOT_EXISTS', '订单不存在');
    const same = p.refunds.find((r) => r.refundId === input.out_refund_no);
    if (same) return signed(200, wechatRefund(p, same));
    const amount = input.amount?.refund;
    if (!input.out_refund_no || !Number.isInteger(amount) || amount < 1) throw refuse(400, 'PARAM_ERROR', 'out_refund_no and amount.refund (integer fen) are required');
    if (input.amount?.total !== p.amount) throw refuse(400, 'PARAM_ERROR', '订单金额或退款金额与之前请求不一致 (amount.total is not the payment total)');
    const problem = core.refundProblem(p, amount);
    if (problem === 'not-paid') throw refuse(403, 'TRADE_ERROR', '订单未支付');
    if (problem) throw refuse(403, 'NOT_ENOUGH', '可退款余额不足');
    const r = core.addRefund(p, { refundId: input.out_refund_no, providerRefundRef: `50${digits(30)}`, amount, notifyUrl: input.notify_url ?? p.notifyUrl });
    core.later(core.refundDelayMs ?? 300, () =>
      core.finishRefund(p, r, () =>
        core.record(p, r.notifyUrl ?? p.notifyUrl, 'REFUND.SUCCESS', (type) => wechatNotification(type, '退款成功', 'refund', { mchid: core.c.wechatpay.mchid, ...wechatRefund(p, r), refund_status: 'SUCCESS' }, core.c)),
      ),
    );
    return signed(200, wechatRefund(p, r));
  }
  throw refuse(404, 'NOT_FOUND', `no ${method} ${path}`);
}
