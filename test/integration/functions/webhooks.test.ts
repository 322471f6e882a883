import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { makeHandler as makeRetries } from '../../../functions/webhook-retries/webhook-retries';
import { webhookService, type WebhookConfig } from '../../../shared/app/webhook-service';
import type { WebhookPost } from '../../../shared/app/webhook-transport';
import type { BusEvent } from '../../../shared/app/webhooks';
import { ValidationError } from '../../../shared/domain/errors';
import type { AttemptOutcome } from '../../../shared/domain/webhooks';
import type { BusinessMetrics, CountName } from '../../../shared/observability/metrics';
import { outboxStore } from '../../../shared/store/outbox';
import { webhookRepository } from '../../../shared/store/webhook-repository';
import { verifyDelivery } from '../../../scripts/partner';
import { createTestTable, type TestTable } from '../../support/table';

// Outbound webhooks over a real table, with a fake clock and a partner we control:
// deliveries, retries with backoff until the 24-hour window ends, the pause after a
// failure streak (and its event), redelivery, and no double send.

let table: TestTable;
beforeAll(async () => {
  table = await createTestTable(inject('dynamoUrl'));
});
afterAll(async () => {
  await table?.drop();
});

const T0 = new Date('2026-11-27T00:00:00.000Z');
const SECRET = 'whsec_integration_test_secret_0123';
const CONFIG = {
  TABLE_NAME: 'set-below', EVENT_BUS_NAME: 'bus', STAGE: 'dev', POWERTOOLS_SERVICE_NAME: 'oms',
  WEBHOOK_SECRET_KEY: 'integration-tests-webhook-key-0123456789',
  WEBHOOK_URL_RULES: { localHosts: [] }, WEBHOOK_PAUSE_AFTER_FAILURES: 10, WEBHOOK_SECRET_OVERLAP_SECONDS: 86_400, WEBHOOK_TIMEOUT_MS: 5000,
} satisfies WebhookConfig;

/** A partner whose answer we choose; it records every request it got, with the clock's time. */
function partner(clock: { now: Date }) {
  const calls: { url: string; headers: Record<string, string>; body: string; at: Date }[] = [];
  const state: { answer: AttemptOutcome } = { answer: { status: 204 } };
  const post: WebhookPost = async (url, headers, body) => {
    calls.push({ url, headers, body, at: clock.now });
    return state.answer;
  };
  return { calls, state, post };
}

function setup() {
  const clock = { now: T0 };
  const p = partner(clock);
  const webhooks = webhookService(table, { ...CONFIG, TABLE_NAME: table.tableName }, {
    post: p.post,
    // every host is a public address here; the address rules have their own tests
    resolve: async () => [{ address: '93.184.215.14', family: 4 }],
    now: () => clock.now,
    random: () => 0.5,
  });
  return { clock, partner: p, webhooks };
}

let n = 0;
const event = (detailType: string, data: Record<string, unknown> = { orderNumber: 'W20261127-0042' }): BusEvent => ({
  eventId: `01KB2Y8Z19${String(++n).padStart(16, '0')}`, detailType, source: 'oms.orders', occurredAt: T0.toISOString(), data,
});
const id = (name: string) => `${name}-${Math.random().toString(36).slice(2, 8)}`;

describe('webhook subscriptions', () => {
  it('generate a secret when none is given, answer it once, and show only hints afterwards', async () => {
    const { webhooks } = setup();
    const webhookId = id('erp');
    const put = await webhooks.put(webhookId, { url: 'https://erp.example.com/hooks', events: ['OrderPaid'], active: true }, 'admin-1');
    expect(put.created).toBe(true);
    expect(put.secret).toMatch(/^whsec_/);
    const listed = (await webhooks.list()).find((w) => w.id === webhookId)!;
    expect(JSON.stringify(listed)).not.toContain(put.secret!);
    expect(listed.secrets).toEqual([{ hint: `${put.secret!.slice(0, 6)}…${put.secret!.slice(-4)}`, createdAt: T0.toISOString() }]);
  });

  it('refuse unknown events and URLs the stage does not allow, storing nothing', async () => {
    const { webhooks } = setup();
    const webhookId = id('bad');
    await expect(webhooks.put(webhookId, { url: 'https://erp.example.com/', events: ['OrderPayed'], active: true }, 'a')).rejects.toMatchObject({
      errors: [{ path: 'body.events.0', message: 'matches no event of the catalog (OrderPayed)' }],
    });
    await expect(webhooks.put(webhookId, { url: 'http://erp.example.com/', events: ['OrderPaid'], active: true }, 'a')).rejects.toBeInstanceOf(ValidationError);
    await expect(webhooks.put(webhookId, { url: 'https://169.254.169.254/latest', events: ['OrderPaid'], active: true }, 'a')).rejects.toMatchObject({
      errors: [{ path: 'body.url', message: 'resolves to 169.254.169.254, a linkLocal address' }],
    });
    expect((await webhooks.list()).some((w) => w.id === webhookId)).toBe(false);
  });
});

describe('webhook deliveries', () => {
  it('send each matching event once, signed, even when the event is delivered to us twice', async () => {
    const { webhooks, partner: p } = setup();
    const webhookId = id('erp');
    await webhooks.put(webhookId, { url: 'https://erp2.example.com/hooks', events: ['OrderPaid', 'Shipment*'], active: true, secret: SECRET }, 'admin-1');
    const paid = event('OrderPaid');
    await webhooks.fanOut(paid);
    await webhooks.fanOut(paid);
    await webhooks.fanOut(event('OrderApproved'));
    await webhooks.fanOut(event('ShipmentCreated'));
    const mine = p.calls.filter((c) => c.url === 'https://erp2.example.com/hooks');
    expect(mine.map((c) => c.headers['x-oms-event-type'])).toEqual(['OrderPaid', 'ShipmentCreated']);
    const first = mine[0]!;
    expect(first.headers['x-oms-event-id']).toBe(paid.eventId);
    expect(JSON.parse(first.body)).toEqual({ id: paid.eventId, type: 'OrderPaid', source: 'oms.orders', occurredAt: T0.toISOString(), data: paid.data });
    expect(await verifyDelivery({ timestamp: first.headers['x-oms-timestamp'], signature: first.headers['x-oms-signature'] }, first.body, [SECRET], T0)).toEqual({ ok: true });
    const { items } = await webhooks.deliveries(webhookId, { limit: 10 });
    expect(items.map((d) => [d.eventType, d.status, d.attempts, d.lastResponseStatus])).toEqual([['ShipmentCreated', 'DELIVERED', 1, 204], ['OrderPaid', 'DELIVERED', 1, 204]]);
  });

  it('with a subscriptions TTL, read the subscriptions once per TTL: a subscription added takes effect once it has passed', async () => {
    const { webhooks: admin, clock, partner: p } = setup();
    const repo = webhookRepository(table);
    let reads = 0;
    const worker = webhookService(table, { ...CONFIG, TABLE_NAME: table.tableName }, {
      post: p.post, resolve: async () => [{ address: '93.184.215.14', family: 4 }], now: () => clock.now, random: () => 0.5,
      subscriptionsTtlMs: 2000,
      repo: { ...repo, list: () => { reads++; return repo.list(); } },
    });
    await Promise.all([worker.fanOut(event('ReturnRejected')), worker.fanOut(event('ReturnRejected'))]);
    expect(reads).toBe(1);

    await admin.put(id('late'), { url: 'https://late.example.com/hooks', events: ['ReturnRejected'], active: true, secret: SECRET }, 'admin-1');
    clock.now = new Date(T0.getTime() + 1999);
    expect(await worker.fanOut(event('ReturnRejected'))).toEqual({ matched: 0, delivered: 0 });
    clock.now = new Date(T0.getTime() + 2000);
    expect(await worker.fanOut(event('ReturnRejected'))).toEqual({ matched: 1, delivered: 1 });
    expect(reads).toBe(2);
    expect(p.calls.map((c) => c.url)).toEqual(['https://late.example.com/hooks']);
  });

  it('retry a failing partner with growing delays for 24 hours, pause it after 10 failures, then fail the delivery with a metric', async () => {
    const { webhooks, partner: p, clock } = setup();
    const webhookId = id('flaky');
    // an event no other subscription of this table takes, so the job's counts are this partner's
    await webhooks.put(webhookId, { url: 'https://flaky.example.com/hooks', events: ['PaymentSucceeded'], active: true, secret: SECRET }, 'admin-1');
    p.state.answer = { status: 503 };
    const paid = event('PaymentSucceeded');
    await webhooks.fanOut(paid);

    const counted: [CountName, number][] = [];
    const metrics: BusinessMetrics = { count: (name, v = 1) => void counted.push([name, v]), latency: () => undefined };
    const retries = makeRetries({ webhooks, metrics });
    // the retry job every minute for a day and a bit; only the due deliveries are attempted
    const runs: { attempted: number; failed: number }[] = [];
    for (let minute = 1; minute <= 25 * 60; minute++) {
      clock.now = new Date(T0.getTime() + minute * 60_000);
      const run = await retries(undefined);
      if (run.attempted > 0) runs.push(run);
    }
    const sent = p.calls.filter((c) => c.url === 'https://flaky.example.com/hooks');
    // steps of 30 s, 1, 2, 4, 8, 16, 32, 64 min, 2 h (3/4 of each with this jitter), seen by a job that runs each minute;
    // the 10th failure pauses the subscription
    const gaps = sent.slice(1).map((c, i) => Math.round((c.at.getTime() - sent[i]!.at.getTime()) / 60_000));
    expect(sent.length).toBe(10);
    expect(gaps).toEqual([1, 1, 2, 3, 6, 12, 24, 48, 90]);

    const [w] = (await webhooks.list()).filter((x) => x.id === webhookId);
    expect(w).toMatchObject({ active: false, consecutiveFailures: 10, pausedReason: '10 consecutive failed deliveries (last: HTTP 503)' });
    const paused = (await outboxStore(table).unpublishedBefore(new Date('2030-01-01'), 100)).filter((e) => e.detailType === 'WebhookPaused');
    expect(paused.map((e) => JSON.parse(e.detail).data)).toContainEqual({ webhookId, url: 'https://flaky.example.com/hooks', consecutiveFailures: 10, lastResponseStatus: 503 });

    const [d] = (await webhooks.deliveries(webhookId, { limit: 1 })).items;
    expect(d).toMatchObject({ eventId: paid.eventId, status: 'FAILED', attempts: 10, lastError: 'subscription paused: not sent' });
    expect(runs.reduce((sum, r) => sum + r.failed, 0)).toBe(1);
    expect(counted).toEqual([['WebhookDeliveriesFailed', 1]]);
  });

  it('redeliver one event on request once the partner is back, and refuse while paused', async () => {
    const { webhooks, partner: p } = setup();
    const webhookId = id('back');
    const sub = { url: 'https://back.example.com/hooks', events: ['OrderPaid'], active: true, secret: SECRET };
    await webhooks.put(webhookId, sub, 'admin-1');
    p.state.answer = { error: 'connect ECONNREFUSED' };
    const paid = event('OrderPaid');
    await webhooks.fanOut(paid);
    expect((await webhooks.deliveries(webhookId, { limit: 1 })).items[0]).toMatchObject({ status: 'PENDING', attempts: 1, lastError: 'connect ECONNREFUSED' });

    await webhooks.put(webhookId, { ...sub, active: false }, 'admin-1');
    await expect(webhooks.redeliver(webhookId, paid.eventId)).rejects.toMatchObject({ status: 422, slug: 'webhook-paused' });
    await webhooks.put(webhookId, sub, 'admin-1');
    p.state.answer = { status: 200 };
    const d = await webhooks.redeliver(webhookId, paid.eventId);
    expect(d).toMatchObject({ status: 'DELIVERED', attempts: 2, lastResponseStatus: 200 });
    await expect(webhooks.redeliver(webhookId, 'no-such-event')).rejects.toMatchObject({ status: 404 });
    // a delivered one can be sent again too (a partner lost it on their side)
    expect(await webhooks.redeliver(webhookId, paid.eventId)).toMatchObject({ status: 'DELIVERED', attempts: 3 });
  });

  it('never sends one delivery twice at once: an attempt holds it until it ends', async () => {
    const { webhooks, partner: p, clock } = setup();
    const webhookId = id('race');
    await webhooks.put(webhookId, { url: 'https://race.example.com/hooks', events: ['OrderPaid'], active: true, secret: SECRET }, 'admin-1');
    p.state.answer = { status: 500 };
    const paid = event('OrderPaid');
    await webhooks.fanOut(paid);
    clock.now = new Date(T0.getTime() + 3600_000);
    await Promise.all([webhooks.attempt(webhookId, paid.eventId), webhooks.attempt(webhookId, paid.eventId), webhooks.retryDue(10, () => 60_000)]);
    expect(p.calls.filter((c) => c.url === 'https://race.example.com/hooks').length).toBe(2);
  });

  it("a scheduled run works as of its tick: a retry due by the tick's time is attempted, whatever the clock says", async () => {
    const { webhooks, partner: p } = setup();
    const webhookId = id('tick');
    await webhooks.put(webhookId, { url: 'https://tick.example.com/hooks', events: ['OrderPaid'], active: true, secret: SECRET }, 'admin-1');
    p.state.answer = { status: 500 };
    await webhooks.fanOut(event('OrderPaid'));
    p.state.answer = { status: 200 };
    const calls = () => p.calls.filter((c) => c.url === 'https://tick.example.com/hooks').length;
    // the clock still at the first attempt: its backoff has not passed
    await webhooks.retryDue(100, () => 60_000);
    expect(calls()).toBe(1);
    await webhooks.retryDue(100, () => 60_000, new Date(T0.getTime() + 3600_000));
    expect(calls()).toBe(2);
    expect((await webhooks.deliveries(webhookId, { limit: 1 })).items[0]).toMatchObject({ status: 'DELIVERED', attempts: 2 });
  });

  it('signs with the old and the new secret for a day after a rotation', async () => {
    const { webhooks, partner: p, clock } = setup();
    const webhookId = id('rotate');
    const sub = { url: 'https://rotate.example.com/hooks', events: ['OrderPaid'], active: true };
    await webhooks.put(webhookId, { ...sub, secret: SECRET }, 'admin-1');
    const NEW = 'whsec_rotated_secret_0123456789ab';
    await webhooks.put(webhookId, { ...sub, secret: NEW }, 'admin-1');
    expect((await webhooks.list()).find((w) => w.id === webhookId)!.secrets.map((s) => s.retiresAt)).toEqual([undefined, '2026-11-28T00:00:00.000Z']);
    await webhooks.fanOut(event('OrderPaid'));
    clock.now = new Date(T0.getTime() + 25 * 3600_000);
    await webhooks.fanOut(event('OrderPaid'));
    const [during, after] = p.calls.filter((c) => c.url === 'https://rotate.example.com/hooks');
    const check = (c: typeof during, secrets: string[]) =>
      verifyDelivery({ timestamp: c!.headers['x-oms-timestamp'], signature: c!.headers['x-oms-signature'] }, c!.body, secrets, c!.at);
    expect(await check(during, [SECRET])).toEqual({ ok: true });
    expect(await check(during, [NEW])).toEqual({ ok: true });
    expect(await check(after, [SECRET])).toEqual({ ok: false, why: 'no signature matches' });
    expect(await check(after, [NEW])).toEqual({ ok: true });
  });
});
