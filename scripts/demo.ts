// `npm run demo`: a guided tour of the order lifecycle against a running `npm start`.
// It reads .oms/local.json (API URL and dev tokens), then, as the shop, the staff and the
// system would: stocks a small catalog, places orders from several channels and shows
// one auto-approved, one waiting for review and approved by ops, one rejected for
// stock, one cancelled and one expired, orders paid by card, Alipay, WeChat Pay (on the
// sandbox's pay page) and bank transfer, a cash-on-delivery order, a partial refund and a
// reconciliation run, with the stock and the notifications that result.
// Everything it creates is named with a fresh run id, so it can run again on the same data.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startPartner, type Partner } from './partner';

type Role = 'storefront' | 'ops' | 'cs' | 'finance' | 'admin';
interface Handshake {
  apiUrl: string;
  tokens: Record<Role, string>;
}

const { values: flags } = parseArgs({ options: { handshake: { type: 'string', default: '.oms/local.json' } } });
let local: Handshake;
try {
  local = JSON.parse(readFileSync(flags.handshake!, 'utf8')) as Handshake;
} catch {
  console.error(`Cannot read ${flags.handshake}: start the local cloud first (npm start), then run npm run demo.`);
  process.exit(1);
}

const run = randomUUID().slice(0, 4).toUpperCase();
/** Order numbers and SKUs of this run: its notifications mention them. */
const ours = new Set<string>();
const say = (text: string) => console.log(text);
const step = (text: string) => console.log(`\n== ${text}`);

async function api(as: Role | undefined, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${local.apiUrl}${path}`, {
    method,
    headers: {
      ...(as ? { authorization: `Bearer ${local.tokens[as]}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const json = text ? JSON.parse(text) : undefined;
  return { status: res.status, headers: res.headers, body: json };
}

async function must(as: Role | undefined, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const r = await api(as, method, path, body, headers);
  if (r.status >= 400) throw new Error(`${method} ${path} -> ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Reviews read the settings through a per-container cache of at most 5 s (README, Review);
 * rather than wait that out, the local cloud starts review-order's containers anew.
 */
const reviewsReadSettingsAnew = () => must(undefined, 'POST', '/_local/functions/review-order/recycle');

/** Waits until the order leaves the given statuses (the asynchronous steps run in the background). */
async function orderAfter(orderId: string, leaving: string[], timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const order = await must('ops', 'GET', `/orders/${orderId}`);
    if (!leaving.includes(order.status)) return order;
    if (Date.now() > until) throw new Error(`order ${order.orderNumber} still ${order.status} after ${timeoutMs} ms`);
    await sleep(200);
  }
}

/** Waits until the review step has looked at the order (auto-approved, or a person is needed). */
async function orderReviewed(orderId: string, timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const order = await must('ops', 'GET', `/orders/${orderId}`);
    const reviewed = order.timeline.some((t: { type: string }) => t.type === 'REVIEW_REQUIRED') || !['PENDING', 'IN_REVIEW'].includes(order.status);
    if (reviewed) return order;
    if (Date.now() > until) throw new Error(`order ${order.orderNumber} not reviewed after ${timeoutMs} ms`);
    await sleep(200);
  }
}

const money = (m: { amount: number; currency: string }) => `${(m.amount / 100).toFixed(2)} ${m.currency}`;
const address = { name: 'Wang Mei', phone: '+86 21 5555 0101', line1: '88 Nanjing Rd', city: 'Shanghai', postalCode: '200001', country: 'CN' };
const customer = (n: string) => ({ email: `${n.toLowerCase().replace(/\s+/g, ".")}.${run.toLowerCase()}@example.com`, name: n });

async function place(as: Role, channel: string, who: string, lines: { sku: string; quantity: number }[], extra: object = {}) {
  const placed = await must(as, 'POST', '/orders', { channel, customer: customer(who), lines, shippingAddress: address, ...extra }, { 'idempotency-key': randomUUID() });
  ours.add(placed.orderNumber);
  say(`   ${channel} order ${placed.orderNumber} placed by ${as} for ${who}: ${lines.map((l) => `${l.quantity} x ${l.sku}`).join(', ')} -> ${placed.status}`);
  return placed as { orderId: string; orderNumber: string };
}

const show = (order: { orderNumber: string; status: string; totals?: { total: { amount: number; currency: string } }; rejectionReason?: string }) =>
  say(`   ${order.orderNumber}: ${order.status}${order.totals ? `, total ${money(order.totals.total)}` : ''}${order.rejectionReason ? ` (${order.rejectionReason})` : ''}`);

async function main() {
  const health = await api(undefined, 'GET', '/health');
  if (health.status !== 200) throw new Error(`${local.apiUrl}/health answered ${health.status}`);
  say(`OMS demo against ${local.apiUrl} (run ${run})`);
  const partner = await partnerListens();

  step('1. Catalog and stock (ops)');
  const tea = `TEA-${run}`;
  const pot = `TEAPOT-${run}`;
  const cups = `CUPS-${run}`;
  const products = [
    { sku: tea, name: 'Oolong tea 100g', price: 4800, cost: 2100, stock: 40, reorderPoint: 10 },
    { sku: pot, name: 'Yixing clay teapot', price: 68000, cost: 30000, stock: 6, reorderPoint: 4 },
    { sku: cups, name: 'Celadon cup set', price: 12800, cost: 5000, stock: 2, reorderPoint: 1 },
  ];
  for (const p of products) {
    ours.add(p.sku);
    await must('ops', 'PUT', `/products/${p.sku}`, {
      name: p.name,
      price: { amount: p.price, currency: 'CNY' },
      cost: { amount: p.cost, currency: 'CNY' },
      reorderPoint: p.reorderPoint,
      leadTimeDays: 7,
      safetyStock: 2,
    });
    const level = await must('ops', 'POST', `/inventory/${p.sku}/adjustments`, { delta: p.stock, reason: 'RECEIVED' });
    say(`   ${p.sku} ${p.name} at ${money({ amount: p.price, currency: 'CNY' })}: on hand ${level.onHand}`);
  }

  step('2. Review rules (admin): phone orders and totals above 1000.00 CNY wait for a person');
  const before = await must('admin', 'GET', '/settings/workflow');
  const rules = { autoApprove: true, review: { channels: ['phone'], totalAbove: { CNY: 100_000 } } };
  const settings = await must('admin', 'PUT', '/settings/workflow', { ...rules, paymentDeadlineMinutes: 60 }, { 'if-match': `"${before.version}"` });
  say(`   workflow settings version ${before.version} -> ${settings.version}; approved orders have 60 minutes to be paid`);
  await reviewsReadSettingsAnew();

  try {
    step('3. A web order within the rules is approved automatically');
    const auto = await place('storefront', 'web', 'Li Lei', [{ sku: tea, quantity: 2 }]);
    show(await orderAfter(auto.orderId, ['PENDING', 'IN_REVIEW']));

    step('4. A phone order taken by customer service waits for review; ops approves it');
    const phone = await place('cs', 'phone', 'Han Meimei', [{ sku: pot, quantity: 1 }, { sku: tea, quantity: 3 }]);
    const waiting = await orderReviewed(phone.orderId);
    show(waiting);
    say(`   why: ${waiting.reviewReasons?.join('; ')}`);
    const queue = await must('ops', 'GET', '/orders?status=IN_REVIEW');
    say(`   review queue (oldest first): ${queue.items.map((o: { orderNumber: string }) => o.orderNumber).join(', ')}`);
    const approved = await must('ops', 'POST', `/orders/${phone.orderId}/approve`, undefined, { 'if-match': `"${waiting.version}"` });
    show(approved);

    step('5. A marketplace order for more cup sets than there are is rejected for stock, and importing it again changes nothing');
    const ref = `TM-${run}-0001`;
    const market = await place('storefront', 'marketplace', 'Zhang Wei', [{ sku: cups, quantity: 3 }], { externalRef: ref });
    show(await orderAfter(market.orderId, ['PENDING']));
    const again = await must('storefront', 'POST', '/orders', { channel: 'marketplace', externalRef: ref, customer: customer('Zhang Wei'), lines: [{ sku: cups, quantity: 3 }], shippingAddress: address }, { 'idempotency-key': randomUUID() });
    say(`   imported again: ${again.orderNumber} (${again.orderId === market.orderId ? 'the same order' : 'a NEW order?!'})`);

    step('6. An app order is cancelled by the shop before payment: its stock comes back');
    const app = await place('storefront', 'app', 'Chen Jing', [{ sku: pot, quantity: 1 }]);
    show(await orderAfter(app.orderId, ['PENDING', 'IN_REVIEW']));
    say(`   ${pot} while reserved: ${JSON.stringify(await stock(pot))}`);
    show(await must('storefront', 'POST', `/orders/${app.orderId}/cancel`, { reason: 'Customer changed their mind' }));
    say(`   ${pot} after the cancel: ${JSON.stringify(await stock(pot))}`);

    await paymentsTour(tea, pot);
    await afterSalesTour(tea, pot);

    step('7. An order nobody pays expires after its deadline, and its stock comes back');
    const latest = await must('admin', 'GET', '/settings/workflow');
    const shortDeadline = await must('admin', 'PUT', '/settings/workflow', { ...rules, paymentDeadlineMinutes: 1 }, { 'if-match': `"${latest.version}"` });
    say(`   (admin, for the demo: settings version ${shortDeadline.version}, orders approved from now on have 1 minute to be paid)`);
    await reviewsReadSettingsAnew();
    const unpaid = await place('storefront', 'web', 'Liu Yang', [{ sku: tea, quantity: 5 }]);
    const awaiting = await orderAfter(unpaid.orderId, ['PENDING', 'IN_REVIEW']);
    show(awaiting);
    const due = Date.parse(awaiting.paymentDueAt);
    // The expiry job runs every minute, as of its tick; the local cloud can also fire the tick
    // of a later time: the one just past the deadline (only orders approved under the
    // 1-minute rule are due by then), rather than wait the minute out.
    const tick = new Date(due + 1_000).toISOString();
    say(`   payment due at ${new Date(due).toISOString()}; the expiry job's tick of ${tick} runs now`);
    await must(undefined, 'POST', `/_local/schedules/expire-unpaid/run?time=${tick}`);
    show(await orderAfter(unpaid.orderId, ['AWAITING_PAYMENT'], 90_000));
  } finally {
    const current = await must('admin', 'GET', '/settings/workflow');
    const { autoApprove, paymentDeadlineMinutes, review } = before;
    await must('admin', 'PUT', '/settings/workflow', { autoApprove, paymentDeadlineMinutes, review }, { 'if-match': `"${current.version}"` });
    say('\n   (workflow settings restored)');
  }

  step('8. Where every order ended');
  for (const number of [...ours].filter((w) => /^[A-Z]\d{8}-/.test(w))) {
    show(await must('ops', 'GET', `/orders/by-number/${number}`));
  }

  step('9. Stock after the story');
  for (const p of products) say(`   ${p.sku}: ${JSON.stringify(await stock(p.sku))}`);
  const low = await must('ops', 'GET', '/inventory?below=reorderPoint');
  for (const item of low.items.filter((i: { sku: string }) => i.sku.endsWith(run))) {
    say(`   below reorder point: ${item.sku}, suggested reorder ${item.suggestedQuantity ?? item.suggestedReorderQuantity ?? '?'}`);
  }

  step('10. What each department was told');
  await sleep(1_500);
  for (const department of ['warehouse', 'finance', 'customer-service', 'purchasing']) {
    const list = await must('ops', 'GET', `/notifications?department=${department}`);
    const mine = list.items.filter((n: unknown) => [...ours].some((word) => JSON.stringify(n).includes(word)));
    say(`   ${department}: ${mine.length} notification(s)`);
    for (const n of mine.slice(0, 10)) say(`     - ${n.subject ?? n.text}`);
  }

  await whatThePartnerGot(partner);
  say('\nDemo complete.');
}

const PARTNER_SECRET = `whsec_${randomUUID().replaceAll('-', '')}`;
const webhookId = `demo-erp-${run.toLowerCase()}`;

/**
 * Before the story: a partner's ERP listens (`npm run partner`, in this process) and gets the
 * bus's paid orders and shipments two ways — the dev stage's EventBridge API destination
 * (local endpoint pointed at it; API key) and a webhook an admin registers (signed).
 */
async function partnerListens(): Promise<Partner | undefined> {
  const listed = await api(undefined, 'GET', '/_local/api-destinations');
  const erp = (listed.body?.items as { name: string; auth: { value?: string } }[] | undefined)?.find((d) => d.name.endsWith('-erp'));
  const partner = await startPartner({ secrets: [PARTNER_SECRET], erpKey: erp?.auth.value, log: () => undefined });
  if (erp) await must(undefined, 'PUT', '/_local/api-destinations/erp', { endpoint: `${partner.url}/erp` });
  await must('admin', 'PUT', `/integrations/webhooks/${webhookId}`, {
    url: `${partner.url}/oms/events`, events: ['OrderPaid', 'ShipmentCreated'], active: true, secret: PARTNER_SECRET, description: 'Demo ERP',
  });
  say(`   (a partner's ERP listens on ${partner.url}: the ERP feed${erp ? '' : ' (no API destination served)'} and webhook ${webhookId}, registered by admin)`);
  return partner;
}

/** Near the end: what the partner received for this run's orders, through the API destination and the webhook. */
async function whatThePartnerGot(partner: Partner | undefined) {
  if (!partner) return;
  step('11. Integrations: what the partner\'s ERP received (API destination with its key; webhook, signed)');
  const mine = () => partner.received.filter((r) => ours.has((r.body as { data?: { orderNumber?: string } }).data?.orderNumber ?? ''));
  const kinds = (path: string) => new Set(mine().filter((r) => r.path === path && r.verified && r.answered < 300).map((r) => r.eventType));
  await waitFor('OrderPaid and ShipmentCreated at the partner', async () =>
    ['/erp', '/oms/events'].every((p) => kinds(p).has('OrderPaid') && kinds(p).has('ShipmentCreated')) ? true : undefined, 15_000);
  for (const [path, how] of [['/erp', 'ERP feed (API destination, x-api-key)'], ['/oms/events', `webhook ${webhookId} (signature verified)`]] as const) {
    const got = mine().filter((r) => r.path === path);
    say(`   ${how}: ${got.length} event(s)`);
    for (const r of got.slice(0, 8)) {
      const data = (r.body as { data?: { orderNumber?: string; status?: string; trackingNumber?: string } }).data ?? {};
      say(`     - ${r.eventType} ${data.orderNumber}${data.status ? ` ${data.status}` : ''}${data.trackingNumber ? ` tracking ${data.trackingNumber}` : ''} -> ${r.answered}`);
    }
  }
  // leave the cloud as it was: the webhook paused, the ERP back on its configured endpoint
  await must('admin', 'PUT', `/integrations/webhooks/${webhookId}`, {
    url: `${partner.url}/oms/events`, events: ['OrderPaid', 'ShipmentCreated'], active: false, secret: PARTNER_SECRET, description: 'Demo ERP',
  });
  await api(undefined, 'PUT', '/_local/api-destinations/erp', { endpoint: null });
  await partner.stop();
}

/** Waits until `check` gives a value, or says why not by the deadline (returns undefined). */
async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T | undefined> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const found = await check();
    if (found !== undefined) return found;
    if (Date.now() > until) {
      say(`   !! FAILED: ${what} did not happen within ${timeoutMs / 1000} s`);
      return undefined;
    }
    await sleep(300);
  }
}

interface PaymentView { paymentId: string; method: string; status: string; providerRef?: string; nextAction?: { type: string; url?: string; instructions?: string } }
interface MoneyOrder { orderNumber: string; status: string; money: Record<'paid' | 'refunded' | 'balance', { amount: number; currency: string }>; payments: PaymentView[]; refunds: { refundId: string; status: string; amount: { amount: number; currency: string } }[] }

const moneyLine = (o: MoneyOrder) => `${o.orderNumber}: ${o.status}; paid ${money(o.money.paid)}, refunded ${money(o.money.refunded)}, balance ${money(o.money.balance)}`;

/** Waits until the order is PAID (the provider's callback went through the webhook, the queue and the worker). */
const paid = (orderId: string, timeoutMs = 30_000) => waitFor(`payment of order ${orderId}`, async () => {
  const o = (await must('finance', 'GET', `/orders/${orderId}`)) as MoneyOrder;
  return o.status === 'PAID' ? o : undefined;
}, timeoutMs);

/** An approved web order of one pack of tea, awaiting payment. */
async function awaitingPayment(tea: string, who: string) {
  const placed = await place('storefront', 'web', who, [{ sku: tea, quantity: 1 }]);
  await orderAfter(placed.orderId, ['PENDING', 'IN_REVIEW']);
  return placed;
}

async function paymentsTour(tea: string, pot: string) {
  const card = await payWithProvider(tea, 'card', 'Zhao Lei');
  await payWithProvider(tea, 'alipay', 'Sun Li');
  await payWithProvider(tea, 'wechatpay', 'Zhou Xun');

  step('6e. A bank transfer: the shop shows the instructions, finance confirms the money arrived');
  const bank = await awaitingPayment(tea, 'Wu Fang');
  const transfer = (await must('storefront', 'POST', `/orders/${bank.orderId}/payments`, { method: 'bank_transfer' })) as PaymentView;
  say(`   instructions: ${transfer.nextAction?.instructions ?? '(none)'}`);
  await must('finance', 'POST', `/orders/${bank.orderId}/payments/${transfer.paymentId}/confirm`, { reference: `BANK-${run}-0001` });
  say(`   finance confirmed with reference BANK-${run}-0001 -> ${moneyLine((await must('finance', 'GET', `/orders/${bank.orderId}`)) as MoneyOrder)}`);

  step('6f. Cash on delivery: the order ships first and is settled when the carrier reports delivery');
  const cod = await awaitingPayment(tea, 'Zheng Hao');
  const onDelivery = (await must('storefront', 'POST', `/orders/${cod.orderId}/payments`, { method: 'cod' })) as PaymentView;
  say(`   ${onDelivery.paymentId}: ${onDelivery.status}; ${onDelivery.nextAction?.instructions ?? ''}`);
  say(`   ${moneyLine((await must('finance', 'GET', `/orders/${cod.orderId}`)) as MoneyOrder)}`);

  step('6g. Finance refunds part of a paid order');
  const refundable = card ?? bank;
  const amount = { amount: 1000, currency: 'CNY' };
  const refund = await must('finance', 'POST', `/orders/${refundable.orderId}/refunds`, { amount, reason: 'Tin dented in transit' }, { 'idempotency-key': randomUUID() });
  say(`   refund ${refund.refundId} of ${money(amount)} on ${refundable.orderNumber}: ${refund.status}`);
  const settled = await waitFor(`refund ${refund.refundId}`, async () => {
    const o = (await must('finance', 'GET', `/orders/${refundable.orderId}`)) as MoneyOrder;
    const r = o.refunds.find((x) => x.refundId === refund.refundId);
    return r && r.status !== 'PENDING' ? { o, r } : undefined;
  });
  if (settled) say(`   refund ${settled.r.status} -> ${moneyLine(settled.o)}`);
  else say('   (a manual refund stays PENDING until finance settles it by hand)');

  step('6h. Reconciliation asks the providers about recent payments (it only reports, never changes money)');
  const recon = await api(undefined, 'POST', '/_local/schedules/reconcile-payments/run');
  say(`   reconcile-payments run: ${recon.status} ${JSON.stringify(recon.body)}`);

  await outboundTour(tea, pot, [bank, cod]);
}

/** Picked (pick list), packed and shipped, as ops would; tracked to delivery from the carrier's callbacks; completed. */
async function outboundTour(tea: string, pot: string, orders: { orderId: string; orderNumber: string }[]) {
  step('6i. Outbound (出庫, 發貨): ops picks, packs and ships the bank-transfer order with a Kuaidi100 number of its own');
  const [bank, cod] = orders as [{ orderId: string; orderNumber: string }, { orderId: string; orderNumber: string }];
  await pickAndPack(bank);
  const trackingNumber = `SF${run}0`.replace(/[^A-Za-z0-9-]/g, '');
  const shipment = await must('ops', 'POST', `/orders/${bank.orderId}/shipments`, { carrier: 'kuaidi100', trackingNumber });
  say(`   ${bank.orderNumber}: shipped with ${shipment.carrier} ${shipment.trackingNumber} -> ${(await must('ops', 'GET', `/orders/${bank.orderId}`)).status}`);
  const found = await must('cs', 'GET', `/orders?trackingNumber=${encodeURIComponent(trackingNumber)}`);
  say(`   customer service finds ${trackingNumber}: ${found.items.map((x: { orderNumber: string }) => x.orderNumber).join(', ')}`);

  step('6j. Two parcels: a two-line order shipped with the carrier booking each waybill, tracked to delivery, completed');
  const before = await must('admin', 'GET', '/settings/workflow');
  const { version: _v, updatedAt: _u, updatedBy: _b, ...doc } = before;
  const shortWindow = await must('admin', 'PUT', '/settings/workflow', { ...doc, returnWindowDays: 0 }, { 'if-match': `"${before.version}"` });
  say(`   (admin, for the demo: return window ${before.returnWindowDays} -> 0 days, so a delivered order completes at the next run)`);
  try {
    const two = await place('storefront', 'web', 'Qian Yu', [{ sku: tea, quantity: 1 }, { sku: pot, quantity: 1 }]);
    await orderAfter(two.orderId, ['PENDING', 'IN_REVIEW']);
    const transfer = (await must('storefront', 'POST', `/orders/${two.orderId}/payments`, { method: 'bank_transfer' })) as PaymentView;
    await must('finance', 'POST', `/orders/${two.orderId}/payments/${transfer.paymentId}/confirm`, { reference: `BANK-${run}-0002` });
    await pickAndPack(two);
    const parcels: string[] = [];
    for (const sku of [tea, pot]) {
      const s = await must('ops', 'POST', `/orders/${two.orderId}/shipments`, { carrier: 'sandbox', lines: [{ sku, quantity: 1 }] }, { 'idempotency-key': randomUUID() });
      parcels.push(s.trackingNumber);
      say(`   parcel ${s.trackingNumber} (${sku}), waybill booked by the carrier -> ${(await must('ops', 'GET', `/orders/${two.orderId}`)).status}`);
    }
    const [first, second] = parcels as [string, string];
    say(`   the carrier reports ${first}: picked up, in transit, delivered; the delivery twice more, then an older report again`);
    await sandboxEvents(first, [['PICKED_UP', -30], ['IN_TRANSIT', -20], ['DELIVERED', -5]]);
    await must(undefined, 'POST', `/_local/sandbox/carriers/${first}/replay`, { index: 3, times: 2 });
    await must(undefined, 'POST', `/_local/sandbox/carriers/${first}/stale`, {});
    const partly = await waitFor(`delivery of ${first}`, async () => {
      const o = await must('ops', 'GET', `/orders/${two.orderId}`);
      return o.status === 'PARTIALLY_DELIVERED' ? o : undefined;
    });
    if (partly) say(`   ${partly.orderNumber}: ${partly.status}`);
    say(`   the carrier reports ${second}: delivered, and only then (late) in transit`);
    await sandboxEvents(second, [['DELIVERED', -4], ['IN_TRANSIT', -25]]);
    const done = await waitFor(`delivery of ${second}`, async () => {
      const o = await must('ops', 'GET', `/orders/${two.orderId}`);
      return o.status === 'DELIVERED' ? o : undefined;
    });
    if (done) say(`   ${done.orderNumber}: ${done.status}`);
    say(`   anyone with the number asks GET /tracking/${first} (no token):`);
    const pub = await api(undefined, 'GET', `/tracking/${first}`);
    for (const line of JSON.stringify(pub.body, null, 2).split('\n')) say(`     ${line}`);
    await must(undefined, 'POST', '/_local/schedules/complete-orders/run');
    say(`   the hourly completion job ran: ${two.orderNumber} -> ${(await must('ops', 'GET', `/orders/${two.orderId}`)).status}`);
  } finally {
    await must('admin', 'PUT', '/settings/workflow', { ...doc }, { 'if-match': `"${shortWindow.version}"` });
    say('   (return window restored)');
  }

  step('6k. Cash on delivery: shipped before payment, settled when the carrier reports it delivered');
  await pickAndPack(cod);
  const parcel = await must('ops', 'POST', `/orders/${cod.orderId}/shipments`, { carrier: 'sandbox' }, { 'idempotency-key': randomUUID() });
  say(`   ${cod.orderNumber}: parcel ${parcel.trackingNumber} -> ${moneyLine((await must('finance', 'GET', `/orders/${cod.orderId}`)) as MoneyOrder)}`);
  await sandboxEvents(parcel.trackingNumber, [['DELIVERED', -1]]);
  const settled = await waitFor(`cash on delivery of ${cod.orderNumber}`, async () => {
    const o = (await must('finance', 'GET', `/orders/${cod.orderId}`)) as MoneyOrder;
    return o.status === 'DELIVERED' && o.payments.some((p) => p.status === 'SUCCEEDED') ? o : undefined;
  });
  if (settled) say(`   delivered and cash collected -> ${moneyLine(settled)}`);
}

/** After-sales (退換貨): a return with one line damaged, an exchange, a claim settled by reship. */
async function afterSalesTour(tea: string, pot: string) {
  step('6l. After-sales: a delivered order partly returned (one line damaged), an exchange and a claim reshipped');
  const o = await place('storefront', 'web', 'Xu Ming', [{ sku: tea, quantity: 4 }, { sku: pot, quantity: 1 }]);
  await orderAfter(o.orderId, ['PENDING', 'IN_REVIEW']);
  const transfer = (await must('storefront', 'POST', `/orders/${o.orderId}/payments`, { method: 'bank_transfer' })) as PaymentView;
  await must('finance', 'POST', `/orders/${o.orderId}/payments/${transfer.paymentId}/confirm`, { reference: `BANK-${run}-0003` });
  await pickAndPack(o);
  const parcel = await must('ops', 'POST', `/orders/${o.orderId}/shipments`, { carrier: 'sandbox' }, { 'idempotency-key': randomUUID() });
  await sandboxEvents(parcel.trackingNumber, [['DELIVERED', -1]]);
  if (!(await waitFor(`delivery of ${o.orderNumber}`, async () => ((await must('ops', 'GET', `/orders/${o.orderId}`)).status === 'DELIVERED' ? true : undefined)))) return;
  say(`   ${o.orderNumber}: DELIVERED; stock before: ${tea} ${JSON.stringify(await stock(tea))}, ${pot} ${JSON.stringify(await stock(pot))}`);

  const key = randomUUID();
  const body = { type: 'return', lines: [{ sku: tea, quantity: 1, reason: 'too strong' }, { sku: pot, quantity: 1, reason: 'lid cracked' }] };
  const asked = await must('storefront', 'POST', `/orders/${o.orderId}/returns`, body, { 'idempotency-key': key });
  const again = await must('storefront', 'POST', `/orders/${o.orderId}/returns`, body, { 'idempotency-key': key });
  say(`   the shop asks to return 1 × ${tea} and 1 × ${pot} -> ${asked.returnId}: ${asked.status}; sent again with its Idempotency-Key: ${again.returnId === asked.returnId ? 'the same return' : 'a NEW return?!'}`);
  await must('cs', 'POST', `/returns/${asked.returnId}/approve`);
  const received = await must('ops', 'POST', `/returns/${asked.returnId}/receive`, { lines: [{ sku: tea, quantity: 1, condition: 'resellable' }, { sku: pot, quantity: 1, condition: 'damaged' }] });
  say(`   return ${asked.returnId}: ${received.status}, refund ${received.refund ? money(received.refund.amount) : 'none'} (${tea} restocked, ${pot} written off as damaged)`);
  say(`   stock after: ${tea} ${JSON.stringify(await stock(tea))}, ${pot} ${JSON.stringify(await stock(pot))}`);

  const replaced = async (kind: string, returnId: string, status: string) => {
    const r = await waitFor(`${kind} ${returnId}`, async () => {
      const x = await must('cs', 'GET', `/returns/${returnId}`);
      return x.status === status ? x : undefined;
    });
    if (!r) return;
    const { orderId, orderNumber } = r.replacement.order;
    const order = await waitFor(`replacement ${orderNumber}`, async () => {
      const x = await must('ops', 'GET', `/orders/${orderId}`);
      return x.status === 'PAID' || x.status === 'AWAITING_PAYMENT' ? x : undefined;
    });
    ours.add(orderNumber);
    say(`   ${kind} ${returnId}: ${r.status} -> replacement ${orderNumber}: ${order?.status} (credit ${money(r.replacement.credit)}, to pay ${money(r.replacement.due)})`);
  };
  const exchange = await must('storefront', 'POST', `/orders/${o.orderId}/returns`, { type: 'exchange', lines: [{ sku: tea, quantity: 1, reason: 'sealed bag torn' }] }, { 'idempotency-key': randomUUID() });
  await must('cs', 'POST', `/returns/${exchange.returnId}/approve`);
  await must('ops', 'POST', `/returns/${exchange.returnId}/receive`, { lines: [{ sku: tea, quantity: 1, condition: 'damaged' }] });
  await replaced('exchange', exchange.returnId, 'EXCHANGED');

  const claim = await must('cs', 'POST', `/orders/${o.orderId}/returns`, { type: 'claim', settlement: 'reship', lines: [{ sku: tea, quantity: 1, reason: 'missing from the parcel' }] });
  await must('cs', 'POST', `/returns/${claim.returnId}/approve`);
  await replaced('claim', claim.returnId, 'RESHIPPED');
}

/** Fulfilment opened, its pick list read, packed. */
async function pickAndPack(o: { orderId: string; orderNumber: string }) {
  const f = await must('ops', 'POST', `/orders/${o.orderId}/fulfillments`, {});
  const list = await must('ops', 'GET', `/fulfillments/${f.fulfillmentId}/pick-list`);
  say(`   ${o.orderNumber}: pick ${list.lines.map((l: { quantity: number; sku: string; location: string }) => `${l.quantity} × ${l.sku} at ${l.location}`).join(', ')}; packed`);
  await must('ops', 'POST', `/fulfillments/${f.fulfillmentId}/packed`);
}

/** The sandbox carrier reports checkpoints of a parcel (minutes from now), each as a signed callback. */
async function sandboxEvents(trackingNumber: string, events: [status: string, minutes: number][]) {
  for (const [status, minutes] of events) {
    await must(undefined, 'POST', `/_local/sandbox/carriers/${trackingNumber}/events`, { status, at: new Date(Date.now() + minutes * 60_000).toISOString(), location: '杭州市' });
  }
}

/** A provider payment: start it as the shop, pay on the sandbox's page as the customer would, wait for PAID. */
async function payWithProvider(tea: string, method: 'card' | 'alipay' | 'wechatpay', who: string) {
  step(`6${{ card: 'b', alipay: 'c', wechatpay: 'd' }[method]}. Paid by ${method} on the provider's (sandbox) page`);
  try {
    const order = await awaitingPayment(tea, who);
    const p = (await must('storefront', 'POST', `/orders/${order.orderId}/payments`, { method })) as PaymentView;
    say(`   ${p.paymentId} ${p.status}${p.providerRef ? ` (${p.providerRef})` : ''}; next: ${p.nextAction?.type} ${p.nextAction?.url?.split('?')[0] ?? ''}`);
    if (!p.nextAction?.url) throw new Error('no page to pay on (nextAction.url missing)');
    const page = await fetch(p.nextAction.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ outcome: 'succeed' }) });
    say(`   customer pays on the page: ${page.status}`);
    if (page.status >= 400) throw new Error(`the pay page answered ${page.status}: ${(await page.text()).slice(0, 200)}`);
    const done = await paid(order.orderId);
    if (!done) return undefined;
    const attempt = done.payments.find((x) => x.paymentId === p.paymentId);
    say(`   callback verified and applied -> ${moneyLine(done)}${attempt?.providerRef ? ` (provider ref ${attempt.providerRef})` : ''}`);
    return order;
  } catch (err) {
    say(`   !! FAILED: ${method}: ${(err as Error).message}`);
    return undefined;
  }
}

async function stock(sku: string) {
  const { onHand, reserved, available } = await must('ops', 'GET', `/inventory/${sku}`);
  return { onHand, reserved, available };
}

main().catch((err: Error) => {
  console.error(`\ndemo failed: ${err.message}`);
  process.exit(1);
});
