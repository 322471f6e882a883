import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../infra/local/cloud';
import { eventually, orderBody } from './client';

// A second, persistent local cloud of its own: stopped and started again on the same
// data folder, everything acknowledged before the stop must still be there.
// Reserved orders wait for review, or are auto-approved and wait for payment (workflow settings).
const HOLDING = ['IN_REVIEW', 'AWAITING_PAYMENT'];

describe('restarting the local cloud', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'oms-restart-'));
  let cloud: LocalCloud | undefined;

  afterAll(async () => {
    await cloud?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  // stop() is bounded whatever the functions are doing (work is still flowing when it is called).
  const stopPromptly = async (c: LocalCloud) => {
    const started = Date.now();
    await c.stop();
    expect(Date.now() - started).toBeLessThan(20_000);
  };

  const send = async (method: string, path: string, token: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${cloud!.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  };

  // Two clouds of its own start here: on a busy 2-core machine each start alone can take half a minute.
  it('keeps orders and stock across a stop and a start', { timeout: 240_000 }, async () => {
    cloud = await startLocalCloud({ port: 0, dataDir, writeHandshake: false, log: () => {} });
    const sku = `KEEP-${randomUUID().slice(0, 6)}`;
    // the first call may meet a cold start slower than the function's timeout on a busy machine: PUT is safe to repeat
    const product = { name: 'Kept', price: { amount: 500, currency: 'CNY' }, cost: { amount: 200, currency: 'CNY' } };
    await eventually(() => send('PUT', `/products/${sku}`, cloud!.tokens.ops, product), (r) => r.status === 201 || r.status === 200, 120_000);
    expect((await send('POST', `/inventory/${sku}/adjustments`, cloud.tokens.ops, { delta: 4, reason: 'RECEIVED' })).status).toBe(201);
    const placed = await send('POST', '/orders', cloud.tokens.storefront, orderBody([{ sku, quantity: 3 }]), {
      'idempotency-key': randomUUID(),
    });
    expect(placed.status).toBe(202);
    const { orderId } = placed.body;
    await eventually(
      () => send('GET', `/orders/${orderId}`, cloud!.tokens.ops),
      (r) => HOLDING.includes(r.body.status),
    );

    await stopPromptly(cloud);
    cloud = await startLocalCloud({ port: 0, dataDir, writeHandshake: false, log: () => {} });

    const order = await send('GET', `/orders/${orderId}`, cloud.tokens.ops);
    expect(order.status).toBe(200);
    expect(order.body).toMatchObject({ orderId, orderNumber: placed.body.orderNumber });
    expect(HOLDING).toContain(order.body.status);
    expect((await send('GET', `/inventory/${sku}`, cloud.tokens.ops)).body).toMatchObject({ sku, onHand: 4, reserved: 3, available: 1 });

    // The restarted cloud keeps working: a new order flows through the relay and the queue.
    const next = await send('POST', '/orders', cloud.tokens.storefront, orderBody([{ sku, quantity: 1 }]), {
      'idempotency-key': randomUUID(),
    });
    const after = await eventually(
      () => send('GET', `/orders/${next.body.orderId}`, cloud!.tokens.ops),
      (r) => r.body.status !== 'PENDING',
    );
    expect(HOLDING).toContain(after.body.status);
    expect((await send('GET', `/inventory/${sku}`, cloud.tokens.ops)).body).toMatchObject({ sku, onHand: 4, reserved: 4, available: 0 });
    await stopPromptly(cloud);
  });
});
