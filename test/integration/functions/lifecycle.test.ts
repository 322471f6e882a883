import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { StockReserved } from '../../../events/catalog';
import { buildEvent } from '../../../events/define-event';
import { makeHandler as makeExpire } from '../../../functions/expire-unpaid/expire-unpaid';
import { makeHandler as makeOrderActions } from '../../../functions/order-actions/order-actions';
import { makeHandler as makeReview } from '../../../functions/review-order/review-order';
import { makeHandler as makeSettings } from '../../../functions/settings/settings';
import { application as repositories, type Application as Repositories } from '../../../shared/app';
import { orderLifecycle } from '../../../shared/app/order-lifecycle';
import { settingsService as settingsRepository } from '../../../shared/app/settings';
import { call, lambdaContext, TOKENS } from '../../support/api-event';
import { NOW, pendingOrder, stocked } from '../../support/fixtures';
import { createTestTable, type TestTable } from '../../support/table';

let table: TestTable;
let repos: Repositories;
let clock = NOW;
let actions: ReturnType<typeof makeOrderActions>;
let settingsFn: ReturnType<typeof makeSettings>;
let review: ReturnType<typeof makeReview>;
let expire: ReturnType<typeof makeExpire>;

beforeAll(async () => {
  table = await createTestTable(inject('dynamoUrl'));
  repos = repositories(table.doc, table.tableName);
  const ctx = { doc: table.doc, tableName: table.tableName };
  const deps = { orders: repos.orders, lifecycle: orderLifecycle(ctx), settings: settingsRepository(ctx), now: () => clock };
  actions = makeOrderActions(deps);
  settingsFn = makeSettings(deps);
  review = makeReview({ ...deps, settingsTtlMs: 0 });
  expire = makeExpire(deps);
});
afterAll(() => table?.drop());

type Claims = Record<string, string | string[]>;
const post = (orderId: string, action: 'approve' | 'reject' | 'cancel', claims: Claims, body?: unknown, headers: Record<string, string> = {}) =>
  call(actions, { routeKey: `POST /orders/{orderId}/${action}`, pathParameters: { orderId }, claims, body, headers });
const getSettings = (claims: Claims = TOKENS.ops) => call(settingsFn, { routeKey: 'GET /settings/workflow', claims });
const putSettings = (body: unknown, claims: Claims = TOKENS.admin, headers: Record<string, string> = {}) =>
  call(settingsFn, { routeKey: 'PUT /settings/workflow', claims, body, headers });

let n = 0;
async function reservedOrder(qty = 2, onHand = 10) {
  const sku = `FN-${++n}-${Math.random().toString(36).slice(2, 6).toUpperCase()}`;
  await stocked(repos, sku, onHand);
  const orderId = await pendingOrder(repos, [{ sku, quantity: qty }]);
  expect((await repos.orders.reserve(orderId, 'evt', NOW)).outcome).toBe('reserved');
  return { orderId, sku };
}

function stockReservedMessage(orderId: string, orderNumber: string): SQSEvent {
  const out = buildEvent(StockReserved, { orderId, orderNumber, reservations: [] }, { eventId: `e-${orderId}`, occurredAt: NOW, correlationId: orderId, causationId: 'c' });
  const body = JSON.stringify({ version: '0', id: out.eventId, 'detail-type': out.detailType, source: out.source, detail: JSON.parse(out.detail) });
  return { Records: [{ messageId: `m-${orderId}`, body } as SQSEvent['Records'][number]] };
}

async function runReview(orderId: string) {
  const order = (await repos.orders.getRecord(orderId))!;
  const res = await review(stockReservedMessage(orderId, order.orderNumber), lambdaContext);
  expect(res).toEqual({ batchItemFailures: [] });
  return (await repos.orders.get(orderId))!;
}

describe('workflow settings API', () => {
  it('defaults until changed; ops may read, only admin may write', async () => {
    const res = await getSettings();
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ version: 1, autoApprove: true, paymentDeadlineMinutes: 60, updatedBy: 'system:defaults' });
    expect(res.headers.etag).toBe('"1"');
    expect((await putSettings({ version: 1, paymentDeadlineMinutes: 30 }, TOKENS.ops)).status).toBe(403);
    expect((await getSettings(TOKENS.cs)).status).toBe(403);
  });

  it('validates with field errors, needs the version it replaces, and refuses a stale one', async () => {
    const bad = await putSettings({ version: 1, paymentDeadlineMinutes: -3, review: { channels: ['fax'], bogus: 1 } });
    expect(bad.status).toBe(400);
    const paths = (bad.body.errors as { path: string }[]).map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['body.paymentDeadlineMinutes', 'body.review.channels.0', 'body.review.bogus']));

    const noVersion = await putSettings({ paymentDeadlineMinutes: 30 });
    expect(noVersion.status).toBe(400);
    expect(noVersion.body.errors).toEqual([{ path: 'body.version', message: 'is required (or the If-Match header)' }]);

    const v2 = await putSettings({ paymentDeadlineMinutes: 30 }, TOKENS.admin, { 'If-Match': '"1"' });
    expect(v2.status).toBe(200);
    expect(v2.body).toMatchObject({ version: 2, paymentDeadlineMinutes: 30, updatedBy: 'user-admin' });
    expect(v2.headers.etag).toBe('"2"');

    const stale = await putSettings({ version: 1, paymentDeadlineMinutes: 45 });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ version: 2, expectedVersion: 1 });
  });

  it('two admins racing from the same version: one change stored, the other 409', async () => {
    const { body } = await getSettings();
    const v = body.version as number;
    const results = await Promise.all([
      putSettings({ version: v, paymentDeadlineMinutes: 90 }),
      putSettings({ version: v, paymentDeadlineMinutes: 120 }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    expect((await getSettings()).body.version).toBe(v + 1);
  });

  it('every change is audited: who, when, what changed, newest first', async () => {
    const history = await call(settingsFn, { routeKey: 'GET /settings/workflow/history', claims: TOKENS.ops, query: { limit: '10' } });
    expect(history.status).toBe(200);
    const items = history.body.items as { version: number; previousVersion: number; changedBy: string; changed: string[] }[];
    expect(items.map((i) => i.version)).toEqual([3, 2]);
    // a PUT replaces the document: the default review thresholds went with it
    expect(items[1]).toMatchObject({ previousVersion: 1, changedBy: 'user-admin', changed: ['paymentDeadlineMinutes', 'review'] });
  });
});

describe('review after reservation', () => {
  it('auto-approves under the settings: AWAITING_PAYMENT with the deadline from the settings', async () => {
    const { body } = await getSettings();
    const { orderId } = await reservedOrder();
    const order = await runReview(orderId);
    expect(order.status).toBe('AWAITING_PAYMENT');
    expect(order.paymentDueAt).toBe(new Date(NOW.getTime() + (body.paymentDeadlineMinutes as number) * 60_000).toISOString());
    expect(order.timeline.at(-1)).toMatchObject({ type: 'ORDER_AUTO_APPROVED', actor: 'system:review-order' });
    // a redelivered message changes nothing
    expect((await runReview(orderId)).version).toBe(order.version);
  });

  it('leaves the order IN_REVIEW with the reasons when a rule matches (web channel, first-time customers)', async () => {
    const { body } = await getSettings();
    const put = await putSettings({ version: body.version, paymentDeadlineMinutes: 60, review: { channels: ['web'] } });
    expect(put.status).toBe(200);
    try {
      const { orderId } = await reservedOrder();
      const order = await runReview(orderId);
      expect(order.status).toBe('IN_REVIEW');
      expect(order.reviewReasons).toEqual(['Orders from the web channel are always reviewed']);
      expect(order.timeline.at(-1)).toMatchObject({ type: 'REVIEW_REQUIRED', detail: 'Orders from the web channel are always reviewed' });
    } finally {
      const now = await getSettings();
      await putSettings({ version: now.body.version, paymentDeadlineMinutes: 60 });
    }
  });
});

describe('order actions API', () => {
  it('ops approve; the answer is the order; a second approve is 409 with the current status', async () => {
    const { orderId } = await reservedOrder();
    const res = await post(orderId, 'approve', TOKENS.ops);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ orderId, status: 'AWAITING_PAYMENT' });
    expect(res.body.placedBy).toBeUndefined();
    const again = await post(orderId, 'approve', TOKENS.ops);
    expect(again.status).toBe(409);
    expect(again.headers['content-type']).toBe('application/problem+json');
    expect(again.body).toMatchObject({ status: 409, detail: expect.stringContaining('AWAITING_PAYMENT') });
    expect((again.body as { status: unknown }).status).toBe(409);
  });

  it('If-Match with an old version is 409; cs may not approve; reject without a reason is 400', async () => {
    const { orderId } = await reservedOrder();
    expect((await post(orderId, 'approve', TOKENS.ops, undefined, { 'If-Match': '"1"' })).status).toBe(409);
    expect((await post(orderId, 'approve', TOKENS.cs)).status).toBe(403);
    expect((await post(orderId, 'reject', TOKENS.ops, {})).status).toBe(400);
    expect((await post('NOSUCHORDER', 'approve', TOKENS.ops)).status).toBe(404);
  });

  it('reject releases the stock', async () => {
    const { orderId, sku } = await reservedOrder(3, 5);
    const res = await post(orderId, 'reject', TOKENS.admin, { reason: 'Suspected fraud' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'REJECTED', rejectionReason: 'Suspected fraud' });
    expect(await repos.stock.get(sku)).toMatchObject({ onHand: 5, reserved: 0, available: 5 });
  });

  it('cancel: cs releases the stock; a storefront its own order only (another\'s is 404), not after payment', async () => {
    const a = await reservedOrder(2, 4);
    expect((await post(a.orderId, 'cancel', TOKENS.cs, { reason: 'Customer called' })).status).toBe(200);
    expect(await repos.stock.get(a.sku)).toMatchObject({ reserved: 0, available: 4 });

    const b = await reservedOrder(2, 4);
    const other = await post(b.orderId, 'cancel', TOKENS.otherStorefront, { reason: 'not mine' });
    expect(other.status).toBe(404);
    expect((await post(b.orderId, 'cancel', TOKENS.ops, { reason: 'ops may not' })).status).toBe(403);
    expect((await post(b.orderId, 'cancel', TOKENS.storefront, { reason: 'Changed my mind' })).status).toBe(200);
    expect(await repos.stock.get(b.sku)).toMatchObject({ reserved: 0, available: 4 });

    const c = await reservedOrder(1, 4);
    await post(c.orderId, 'approve', TOKENS.ops);
    await orderLifecycle({ doc: table.doc, tableName: table.tableName }).transition(
      c.orderId, { type: 'pay', actor: { kind: 'system', id: 'payments' } }, { causationId: 't', now: NOW },
    );
    const late = await post(c.orderId, 'cancel', TOKENS.storefront, { reason: 'too late' });
    expect(late.status).toBe(403);
    expect((await post(c.orderId, 'cancel', TOKENS.cs, { reason: 'Refund agreed' })).status).toBe(200);
  });
});

describe('expiry job', () => {
  it('expires only orders past their deadline, releasing their stock, and skips the rest', async () => {
    const due = await reservedOrder(2, 2);
    const later = await reservedOrder(2, 2);
    clock = NOW;
    await post(due.orderId, 'approve', TOKENS.ops);
    clock = new Date(NOW.getTime() + 30 * 60_000);
    await post(later.orderId, 'approve', TOKENS.ops);

    clock = new Date(NOW.getTime() + 61 * 60_000);
    const runResult = await expire({}, lambdaContext);
    expect(runResult.expired).toBeGreaterThanOrEqual(1);
    expect((await repos.orders.get(due.orderId))!.status).toBe('EXPIRED');
    expect(await repos.stock.get(due.sku)).toMatchObject({ reserved: 0, available: 2 });
    expect((await repos.orders.get(later.orderId))!.status).toBe('AWAITING_PAYMENT');
    expect(await repos.stock.get(later.sku)).toMatchObject({ reserved: 2, available: 0 });

    // the next run finds nothing new for it
    const rerun = await expire({}, lambdaContext);
    expect(rerun.expired).toBe(0);
    clock = NOW;
  });
});

describe('expiry job, as of its tick', () => {
  it('takes the time of the scheduled event it answers, not the clock', async () => {
    const order = await reservedOrder(1, 1);
    clock = NOW;
    await post(order.orderId, 'approve', TOKENS.ops);
    const due = Date.parse((await repos.orders.get(order.orderId))!.paymentDueAt!);
    const tick = (offsetMs: number) => ({ time: new Date(due + offsetMs).toISOString().replace(/\.\d{3}Z$/, 'Z') });

    await expire(tick(-60_000), lambdaContext);
    expect((await repos.orders.get(order.orderId))!.status).toBe('AWAITING_PAYMENT');
    await expire(tick(60_000), lambdaContext);
    expect((await repos.orders.get(order.orderId))!.status).toBe('EXPIRED');
    expect(await repos.stock.get(order.sku)).toMatchObject({ reserved: 0, available: 1 });
  });
});

describe('racing requests through the handlers', () => {
  it('cancel vs approve and cancel vs the expiry job, 20 rounds each: one outcome, stock conserved', async () => {
    for (let round = 0; round < 20; round++) {
      const { orderId, sku } = await reservedOrder(2, 3);
      const [cancel, approve] = await Promise.all([
        post(orderId, 'cancel', TOKENS.cs, { reason: 'race' }),
        post(orderId, 'approve', TOKENS.ops),
      ]);
      const status = (await repos.orders.getRecord(orderId))!.status;
      expect([cancel.status, approve.status].every((s) => s === 200 || s === 409), `round ${round}`).toBe(true);
      if (status === 'CANCELLED') expect(await repos.stock.get(sku)).toMatchObject({ reserved: 0, available: 3 });
      else expect([status, cancel.status, await repos.stock.get(sku)]).toMatchObject(['AWAITING_PAYMENT', 409, { reserved: 2, available: 1 }]);
    }
    for (let round = 0; round < 20; round++) {
      const { orderId, sku } = await reservedOrder(2, 3);
      clock = NOW;
      await post(orderId, 'approve', TOKENS.ops);
      clock = new Date(NOW.getTime() + 24 * 3600_000);
      const [cancel, expired] = await Promise.all([post(orderId, 'cancel', TOKENS.cs, { reason: 'race' }), expire({}, lambdaContext)]);
      const status = (await repos.orders.getRecord(orderId))!.status;
      expect(['CANCELLED', 'EXPIRED']).toContain(status);
      expect(cancel.status === 200).toBe(status === 'CANCELLED');
      expect(expired.expired + expired.skipped).toBeGreaterThanOrEqual(status === 'EXPIRED' ? 1 : 0);
      expect(await repos.stock.get(sku)).toMatchObject({ onHand: 3, reserved: 0, available: 3 });
      expect((await repos.stock.ledger(sku)).filter((e) => e.movement === 'RELEASE')).toHaveLength(1);
    }
    clock = NOW;
  });
});
