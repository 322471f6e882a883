import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { GetQueueAttributesCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../infra/local/cloud';
import { deadLetterAlarms, deadLetteredIn } from '../support/dead-letter-alarms';
import { orderBody } from './client';

// Faults on: the local DynamoDB endpoint cancels transactions with TransactionConflict and
// throttles item requests, the outbox relay's invocations fail or lose their worker mid-batch
// (events published twice or late). Through all that, and a restart of the local cloud in the
// middle: 50 orders for 10 units oversell nothing, lose or duplicate no order, stock movement or
// payment; a paid order's callbacks delivered three times count once; every message is applied or
// waits in a dead-letter queue whose depth alarm notifies someone (and every dead-letter queue of
// the template has one); the reconciliation jobs find no drift.
const FAULTS = 'transaction-conflict=0.05,throttle=0.02,fail:outbox-relay=0.1,kill:outbox-relay=0.1';
const HOLDING = ['IN_REVIEW', 'AWAITING_PAYMENT'];

describe('chaos: faults on, restart in the middle', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'oms-chaos-'));
  let cloud: LocalCloud | undefined;
  // The clouds' log lines that tell of a message reaching a dead-letter queue (both runs).
  const deadLetterLines: string[] = [];
  const log = (line: string) => {
    if (line.includes('dead-letter queue') || line.includes('retries exhausted')) deadLetterLines.push(line);
  };
  const start = async () => (cloud = await startLocalCloud({ port: 0, dataDir, writeHandshake: false, faults: FAULTS, log }));

  afterAll(async () => {
    await cloud?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** The API as a client sees it; a 5xx is retried (same Idempotency-Key), as a careful client does. */
  const send = async (method: string, path: string, token: string, body?: unknown, headers: Record<string, string> = {}) => {
    for (let attempt = 1; ; attempt++) {
      const res = await fetch(`${cloud!.apiUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (res.status >= 500 && attempt < 4) continue;
      return { status: res.status, body: (text ? JSON.parse(text) : undefined) as any };
    }
  };
  const ops = (path: string) => send('GET', path, cloud!.tokens.ops);
  const until = async <T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 60_000): Promise<T> => {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = await read();
      if (done(v) || Date.now() > end) return v;
      await new Promise((r) => setTimeout(r, 250));
    }
  };

  it('50 orders for 10 units, a paid order with duplicated callbacks: nothing oversold, lost or doubled', { timeout: 600_000 }, async () => {
    const t0 = Date.now();
    const phases: string[] = [];
    const mark = (what: string) => phases.push(`${what} ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    await start();
    mark('started');

    // "In a DLQ with an alarm": every dead-letter queue of the template this cloud serves has a
    // depth alarm with an action, so whatever lands in one is seen.
    const { deadLetterQueues, alarmed } = deadLetterAlarms(cloud!.assemblyDir);
    expect(deadLetterQueues.length).toBeGreaterThan(0);
    expect(deadLetterQueues.filter((q) => !alarmed.has(q)), 'dead-letter queues without a depth alarm').toEqual([]);
    const sku = `CHAOS-${randomUUID().slice(0, 6).toUpperCase()}`;
    expect((await send('PUT', `/products/${sku}`, cloud!.tokens.ops, { name: 'Chaos tea', price: { amount: 500, currency: 'CNY' }, cost: { amount: 200, currency: 'CNY' } })).status).toBe(201);
    expect((await send('POST', `/inventory/${sku}/adjustments`, cloud!.tokens.ops, { delta: 10, reason: 'RECEIVED' })).status).toBeLessThan(300);

    // The race: every order acknowledged (202) exactly once per Idempotency-Key.
    const keys = Array.from({ length: 50 }, () => randomUUID());
    const placed = await Promise.all(
      keys.map((key) => send('POST', '/orders', cloud!.tokens.storefront, orderBody([{ sku, quantity: 1 }]), { 'idempotency-key': key })),
    );
    expect(placed.map((p) => p.status)).toEqual(keys.map(() => 202));
    const orderIds = placed.map((p) => p.body.orderId as string);
    expect(new Set(orderIds).size).toBe(50);
    expect(new Set(placed.map((p) => p.body.orderNumber)).size).toBe(50);
    mark('50 placed');

    // Restart while the orders are still being reserved: nothing acknowledged may be lost.
    const before = (await cloud!.dynamoStats()).faults!;
    const relayBefore = cloud!.runtimeFaults();
    await cloud!.stop();
    mark('stopped');
    await start();
    mark('restarted');

    const statuses = await until(
      () => Promise.all(orderIds.map(async (id) => (await ops(`/orders/${id}`)).body?.status as string)),
      (s) => s.every((x) => x && x !== 'PENDING'),
      180_000,
    );
    const held = orderIds.filter((_, i) => HOLDING.includes(statuses[i]!));
    expect(held).toHaveLength(10);
    expect(statuses.filter((s) => s === 'REJECTED')).toHaveLength(40);
    expect((await ops(`/inventory/${sku}`)).body).toMatchObject({ onHand: 10, reserved: 10, available: 0 });
    mark('settled');

    // Retried requests made no second order: the same key answers the same order.
    const again = await send('POST', '/orders', cloud!.tokens.storefront, orderBody([{ sku, quantity: 1 }]), { 'idempotency-key': keys[0]! });
    expect(again.body.orderId).toBe(orderIds[0]);

    // One paid order; the provider's callback delivered three times in all.
    const orderId = held[0]!;
    if ((await ops(`/orders/${orderId}`)).body.status === 'IN_REVIEW') {
      expect((await send('POST', `/orders/${orderId}/approve`, cloud!.tokens.ops, {})).status).toBeLessThan(300);
    }
    await until(() => ops(`/orders/${orderId}`), (r) => r.body.status === 'AWAITING_PAYMENT');
    const payment = await send('POST', `/orders/${orderId}/payments`, cloud!.tokens.storefront, { method: 'alipay' }, { 'idempotency-key': randomUUID() });
    expect(payment.status).toBeLessThan(300);
    const page = await fetch(payment.body.nextAction.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ outcome: 'succeed' }) });
    expect(page.status).toBeLessThan(400);
    const paid = await until(() => ops(`/orders/${orderId}`), (r) => r.body.status === 'PAID');
    expect(paid.body.status).toBe('PAID');
    const replay = async (id: string) => (await fetch(`${cloud!.apiUrl}/_local/sandbox/payments/${id}/callbacks/1/replay?times=2`, { method: 'POST' })).status;
    let replayed = await replay(payment.body.paymentId);
    if (replayed === 404 && payment.body.providerRef) replayed = await replay(payment.body.providerRef);
    expect(replayed).toBe(200);
    await new Promise((r) => setTimeout(r, 3000));
    const after = (await ops(`/orders/${orderId}`)).body;
    expect(after.status).toBe('PAID');
    const succeeded = (after.payments as { status: string; amount?: unknown }[]).filter((p) => p.status === 'SUCCEEDED' || p.status === 'CAPTURED');
    expect(succeeded).toHaveLength(1);
    mark('paid');

    // Stock movements: one per order and movement, and they add up to the stock level.
    const ledger = (await ops(`/inventory/${sku}/ledger?limit=100`)).body.items as {
      movement: string;
      onHandDelta: number;
      reservedDelta: number;
      cause: { orderId?: string };
    }[];
    const byOrder = ledger.filter((e) => e.cause.orderId).map((e) => `${e.movement}:${e.cause.orderId}`);
    expect(new Set(byOrder).size).toBe(byOrder.length);
    expect(new Set(ledger.filter((e) => e.cause.orderId).map((e) => e.cause.orderId))).toEqual(new Set(held));
    expect(ledger.reduce((s, e) => s + e.reservedDelta, 0)).toBe(10);
    expect(ledger.reduce((s, e) => s + e.onHandDelta, 0)).toBe(10);

    // Every message applied or dead-lettered: the queues drain; what a dead-letter queue holds is alarmed.
    const sqs = new SQSClient({ endpoint: cloud!.awsUrl, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const { QueueUrls = [] } = await sqs.send(new ListQueuesCommand({}));
    expect(QueueUrls.filter((u) => u.endsWith('-dlq')).length).toBeGreaterThan(0);
    const depths = () =>
      Promise.all(
        QueueUrls.map(async (QueueUrl) => {
          const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
          const n = (['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] as const).reduce((sum, a) => sum + Number(Attributes[a] ?? 0), 0);
          return [QueueUrl.split('/').pop(), n] as const;
        }),
      );
    // An exit or a report event overtaking its OrderPlaced (the relay re-published it) comes back
    // within seconds; a message cut short by the restart is applied after the queue's 61 s visibility timeout.
    const isDeadLetter = (q: string | undefined) => deadLetterQueues.includes(q!);
    const final = await until(depths, (d) => d.every(([q, n]) => n === 0 || isDeadLetter(q)), 100_000);
    expect(final.filter(([q, n]) => n > 0 && !isDeadLetter(q))).toEqual([]);
    const deadLettered = new Set([...deadLetteredIn(deadLetterLines), ...final.filter(([q, n]) => n > 0 && isDeadLetter(q)).map(([q]) => q!)]);
    expect([...deadLettered].filter((q) => !alarmed.has(q)), 'messages in a dead-letter queue without an alarm').toEqual([]);
    mark(`queues drained (dead-lettered: ${[...deadLettered].join(', ') || 'none'})`);

    // The reconciliation jobs agree.
    const stock = await fetch(`${cloud!.apiUrl}/_local/schedules/reconcile-stock/run`, { method: 'POST' }).then((r) => r.json() as Promise<any>);
    expect(stock.results[0]).toMatchObject({ ok: true, result: { drifts: 0 } });
    const payments = await fetch(`${cloud!.apiUrl}/_local/schedules/reconcile-payments/run`, { method: 'POST' }).then((r) => r.json() as Promise<any>);
    expect(payments.results[0]).toMatchObject({ ok: true, result: { drifts: 0 } });

    // The faults did happen.
    const injected = (await cloud!.dynamoStats()).faults!;
    expect(before.transactionConflict + before.throttle + injected.transactionConflict + injected.throttle).toBeGreaterThan(0);
    console.log(
      `chaos: faults injected: dynamodb ${JSON.stringify(before)} before the restart, ${JSON.stringify(injected)} after; ` +
        `runtime ${JSON.stringify(relayBefore)} before, ${JSON.stringify(cloud!.runtimeFaults())} after; ${phases.join(', ')}`,
    );
  });
});
