import { beforeAll, describe, expect, it } from 'vitest';
import { call, createProduct, deliveredOrder, eventually, getOrder, placeOrder, stockOf, uniqueSku } from './client';

// After-sales over HTTP through the local cloud: an order delivered by the sandbox
// carrier, part of it returned by its storefront with one line damaged on arrival
// (stock restocked and written off exactly, the received units refunded with the
// return as cause), and a claim refunded on approval. Exchanges and claims settled by
// reship place a replacement order (channel exchange) that reserves stock like any order:
// paid at once when the returned units cover it, the difference charged or refunded
// otherwise, and left waiting (with the SKUs) while its stock is short, or again when the
// replacement is refused at its reservation.

let tea: string;
let cup: string;
let pot: string;

beforeAll(async () => {
  tea = uniqueSku('RET-TEA');
  cup = uniqueSku('RET-CUP');
  pot = uniqueSku('RET-POT');
  await Promise.all([createProduct(tea, 20, 1500), createProduct(cup, 20, 800), createProduct(pot, 20, 2000)]);
});

const isProblem = (res: { status: number; headers: Headers; body: { status?: number } }, status: number) =>
  res.status === status && res.headers.get('content-type') === 'application/problem+json' && res.body.status === status;

/** Every page of `GET /returns?status=` (walked `limit` at a time), only the given returns, in the order listed. */
async function listed(query: string, ids: readonly string[], limit = 2): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | undefined;
  do {
    const res = await call('GET', `/returns?${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { as: 'ops' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.items.length).toBeLessThanOrEqual(limit);
    seen.push(...res.body.items.map((r: { returnId: string }) => r.returnId));
    cursor = res.body.nextCursor;
  } while (cursor);
  return seen.filter((id) => ids.includes(id));
}

describe('returns over HTTP', () => {
  it('part of a delivered order returned, one line damaged: stock, ledger and refund exact', async () => {
    const orderId = await deliveredOrder([{ sku: tea, quantity: 3 }, { sku: cup, quantity: 2 }]);
    const before = { tea: await stockOf(tea), cup: await stockOf(cup) };

    // more than was delivered, an SKU not on the order, an exchange: refused, nothing written
    expect(isProblem(await call('POST', `/orders/${orderId}/returns`, { as: 'storefront', body: { type: 'return', lines: [{ sku: tea, quantity: 4, reason: 'x' }] } }), 409)).toBe(true);
    expect(isProblem(await call('POST', `/orders/${orderId}/returns`, { as: 'storefront', body: { type: 'return', lines: [{ sku: 'NOPE-1', quantity: 1, reason: 'x' }] } }), 422)).toBe(true);
    expect(isProblem(await call('POST', `/orders/${orderId}/returns`, { as: 'storefront', body: { type: 'bogus', lines: [] } }), 400)).toBe(true);
    expect((await call('GET', `/orders/${orderId}/returns`, { as: 'cs' })).body.items).toEqual([]);

    const asked = await call('POST', `/orders/${orderId}/returns`, {
      as: 'storefront', body: { type: 'return', lines: [{ sku: tea, quantity: 2, reason: 'too strong' }, { sku: cup, quantity: 1, reason: 'chipped' }], note: 'box kept' },
    });
    expect(asked.status, JSON.stringify(asked.body)).toBe(201);
    expect(asked.headers.get('location')).toBe(`/returns/${asked.body.returnId}`);
    expect(asked.body).toMatchObject({ type: 'return', status: 'REQUESTED', orderId });
    const id = asked.body.returnId as string;

    // ops may not approve; cs approves (twice: the same answer)
    expect((await call('POST', `/returns/${id}/approve`, { as: 'ops' })).status).toBe(403);
    expect((await call('POST', `/returns/${id}/approve`, { as: 'cs' })).body.status).toBe('APPROVED');
    expect((await call('POST', `/returns/${id}/approve`, { as: 'cs' })).body.status).toBe('APPROVED');

    const receipt = { lines: [{ sku: tea, quantity: 2, condition: 'resellable' }, { sku: cup, quantity: 1, condition: 'damaged' }] };
    const received = await call('POST', `/returns/${id}/receive`, { as: 'ops', body: receipt });
    expect(received.status, JSON.stringify(received.body)).toBe(200);
    // 2 × 15.00 + 1 × 8.00
    expect(received.body).toMatchObject({ status: 'REFUNDED', locationId: 'MAIN', refund: { amount: { amount: 3800, currency: 'CNY' } } });
    expect((await call('POST', `/returns/${id}/receive`, { as: 'ops', body: receipt })).body.refund).toEqual(received.body.refund);

    expect(await stockOf(tea)).toMatchObject({ onHand: before.tea.onHand + 2, available: before.tea.available + 2 });
    expect(await stockOf(cup)).toMatchObject({ onHand: before.cup.onHand, available: before.cup.available });

    const money = (await call('GET', `/orders/${orderId}/payments`, { as: 'finance' })).body;
    expect(money.refunds).toEqual([expect.objectContaining({ refundId: received.body.refund.refundId, reasonCode: 'RETURNED', returnId: id, amount: { amount: 3800, currency: 'CNY' } })]);

    const order = (await getOrder(orderId)).body;
    expect(order.outbound.lines.map((l: { sku: string; returned: number }) => [l.sku, l.returned])).toEqual([[tea, 2], [cup, 1]]);
    expect((await call('POST', `/returns/${id}/close`, { as: 'cs' })).body.status).toBe('CLOSED');
    expect((await call('GET', `/returns/${id}`, { as: 'storefront' })).body.status).toBe('CLOSED');
  });

  it('a claim (missing unit) needs no parcel and is refunded on approval', async () => {
    const orderId = await deliveredOrder([{ sku: cup, quantity: 2 }]);
    const claim = await call('POST', `/orders/${orderId}/returns`, { as: 'cs', body: { type: 'claim', lines: [{ sku: cup, quantity: 1, reason: 'missing from the parcel' }] } });
    expect(claim.status, JSON.stringify(claim.body)).toBe(201);
    expect(isProblem(await call('POST', `/returns/${claim.body.returnId}/receive`, { as: 'ops', body: { lines: [{ sku: cup, quantity: 1, condition: 'resellable' }] } }), 409)).toBe(true);
    const approved = await call('POST', `/returns/${claim.body.returnId}/approve`, { as: 'cs' });
    expect(approved.body).toMatchObject({ type: 'claim', status: 'REFUNDED', refund: { amount: { amount: 800, currency: 'CNY' } } });
  });

  it('an exchange whose replacement is short waits for stock, then is placed, reserved and paid by the credit', async () => {
    const other = uniqueSku('RET-TEA-B');
    await createProduct(other, 0, 1500);
    const orderId = await deliveredOrder([{ sku: tea, quantity: 1 }]);
    // a replacement on a plain return, a settlement on an exchange: refused
    expect(isProblem(await call('POST', `/orders/${orderId}/returns`, { as: 'cs', body: { type: 'return', lines: [{ sku: tea, quantity: 1, reason: 'x' }], replacement: [{ sku: other, quantity: 1 }] } }), 422)).toBe(true);
    expect(isProblem(await call('POST', `/orders/${orderId}/returns`, { as: 'cs', body: { type: 'exchange', lines: [{ sku: tea, quantity: 1, reason: 'x' }], settlement: 'reship' } }), 422)).toBe(true);
    const asked = await call('POST', `/orders/${orderId}/returns`, {
      as: 'storefront', body: { type: 'exchange', lines: [{ sku: tea, quantity: 1, reason: 'wrong flavour' }], replacement: [{ sku: other, quantity: 1 }] },
    });
    expect(asked.status, JSON.stringify(asked.body)).toBe(201);
    expect(asked.body).toMatchObject({ type: 'exchange', replacement: { lines: [{ sku: other, quantity: 1 }] } });
    const id = asked.body.returnId as string;
    expect((await call('POST', `/returns/${id}/approve`, { as: 'cs' })).body.status).toBe('APPROVED');
    const received = await call('POST', `/returns/${id}/receive`, { as: 'ops', body: { lines: [{ sku: tea, quantity: 1, condition: 'resellable' }] } });
    expect(received.body).toMatchObject({ status: 'RECEIVED' });
    expect(received.body.refund).toBeUndefined();

    // customer service sees why nothing happened yet
    const waiting = await eventually(() => call('GET', `/returns/${id}`, { as: 'cs' }), (r) => r.body?.replacement?.waitingFor !== undefined);
    expect(waiting.body.replacement.waitingFor).toMatchObject({ reason: 'stock', skus: [other] });
    expect(isProblem(await call('POST', `/returns/${id}/close`, { as: 'cs' }), 409)).toBe(true);

    // goods received: the waiting exchange is placed and its replacement reserved
    expect((await call('POST', `/inventory/${other}/adjustments`, { as: 'ops', body: { delta: 3, reason: 'RECEIVED' } })).status).toBe(201);
    const exchanged = await eventually(() => call('GET', `/returns/${id}`, { as: 'cs' }), (r) => r.body?.status === 'EXCHANGED');
    const { orderId: replacementId, orderNumber } = exchanged.body.replacement.order;
    expect(orderNumber).toMatch(/^X\d{8}-\d{4,}$/);
    expect(exchanged.body.replacement).toMatchObject({ credit: { amount: 1500, currency: 'CNY' }, due: { amount: 0, currency: 'CNY' } });
    expect(exchanged.body.replacement.waitingFor).toBeUndefined();
    const replacement = await eventually(() => getOrder(replacementId), (r) => r.body?.status === 'PAID');
    expect(replacement.body).toMatchObject({
      channel: 'exchange', replaces: { orderId, returnId: id }, totals: { subtotal: { amount: 1500 }, credit: { amount: 1500 }, total: { amount: 0 } },
      reservations: [{ sku: other, quantity: 1 }],
    });
    expect(await stockOf(other)).toMatchObject({ onHand: 3, reserved: 1, available: 2 });
    expect((await getOrder(orderId)).body.replacements).toEqual([{ orderId: replacementId, orderNumber, returnId: id }]);
    // its own storefront sees the replacement
    expect((await getOrder(replacementId, 'storefront')).status).toBe(200);
    expect(await listed('status=EXCHANGED&type=exchange', [id])).toEqual([id]);
    expect((await call('POST', `/returns/${id}/close`, { as: 'cs' })).body.status).toBe('CLOSED');
    expect(await listed('status=EXCHANGED', [id])).toEqual([]);
    expect(await listed('status=CLOSED&type=exchange', [id])).toEqual([id]);
  });

  it('a replacement refused at its reservation waits again; stock arriving places a new one, the difference refunded once', async () => {
    // two units in all but one per location: the step's check (totals) passes, the
    // reservation (one location covering the order) refuses: the race made deterministic
    const split = uniqueSku('RET-SPLIT');
    const where = uniqueSku('WH');
    await createProduct(split, 0, 500);
    expect((await call('PUT', `/locations/${where}`, { as: 'ops', body: { name: 'Overflow', priority: 9 } })).status).toBeLessThan(300);
    for (const locationId of ['MAIN', where]) {
      expect((await call('POST', `/inventory/${split}/adjustments`, { as: 'ops', body: { delta: 1, reason: 'RECEIVED', locationId } })).status).toBe(201);
    }
    const orderId = await deliveredOrder([{ sku: tea, quantity: 1 }]);
    const asked = await call('POST', `/orders/${orderId}/returns`, { as: 'cs', body: { type: 'exchange', lines: [{ sku: tea, quantity: 1, reason: 'wrong size' }], replacement: [{ sku: split, quantity: 2 }] } });
    expect(asked.status, JSON.stringify(asked.body)).toBe(201);
    const id = asked.body.returnId as string;
    await call('POST', `/returns/${id}/approve`, { as: 'cs' });
    await call('POST', `/returns/${id}/receive`, { as: 'ops', body: { lines: [{ sku: tea, quantity: 1, condition: 'resellable' }] } });

    // placed (5.00 of the 15.00 credit refunded), rejected at its reservation, waiting again
    const waiting = await eventually(() => call('GET', `/returns/${id}`, { as: 'cs' }), (r) => r.body?.replacement?.refused?.length === 1 && r.body.status === 'RECEIVED');
    const [refused] = waiting.body.replacement.refused;
    expect(refused).toMatchObject({ orderNumber: expect.stringMatching(/^X/), skus: [split] });
    expect(waiting.body.replacement).toMatchObject({ waitingFor: { reason: 'stock', skus: [split] } });
    expect(waiting.body.replacement.order).toBeUndefined();
    expect(waiting.body.refund).toMatchObject({ amount: { amount: 500, currency: 'CNY' } });
    expect((await getOrder(refused.orderId)).body).toMatchObject({ status: 'REJECTED', shortages: [{ sku: split, requested: 2 }] });
    expect(isProblem(await call('POST', `/returns/${id}/close`, { as: 'cs' }), 409)).toBe(true);

    // a second unit at MAIN: a new replacement is placed, reserved and paid by the credit
    expect((await call('POST', `/inventory/${split}/adjustments`, { as: 'ops', body: { delta: 1, reason: 'RECEIVED' } })).status).toBe(201);
    const exchanged = await eventually(() => call('GET', `/returns/${id}`, { as: 'cs' }), (r) => r.body?.status === 'EXCHANGED');
    const next = exchanged.body.replacement.order;
    expect(next.orderId).not.toBe(refused.orderId);
    expect(exchanged.body.replacement.refused).toEqual([refused]);
    await eventually(() => getOrder(next.orderId), (r) => r.body?.status === 'PAID');
    const money = (await call('GET', `/orders/${orderId}/payments`, { as: 'finance' })).body;
    expect(money.refunds).toEqual([expect.objectContaining({ refundId: waiting.body.refund.refundId, amount: { amount: 500, currency: 'CNY' } })]);
    expect((await getOrder(orderId)).body.replacements.map((l: { orderId: string }) => l.orderId)).toEqual([refused.orderId, next.orderId]);
  });

  it('an exchange for something dearer is charged the difference; for something cheaper, refunded it', async () => {
    const orderId = await deliveredOrder([{ sku: tea, quantity: 2 }]);
    const settle = async (replacement: { sku: string; quantity: number }[]) => {
      const asked = await call('POST', `/orders/${orderId}/returns`, { as: 'cs', body: { type: 'exchange', lines: [{ sku: tea, quantity: 1, reason: 'wrong size' }], replacement } });
      expect(asked.status, JSON.stringify(asked.body)).toBe(201);
      await call('POST', `/returns/${asked.body.returnId}/approve`, { as: 'cs' });
      await call('POST', `/returns/${asked.body.returnId}/receive`, { as: 'ops', body: { lines: [{ sku: tea, quantity: 1, condition: 'resellable' }] } });
      return (await eventually(() => call('GET', `/returns/${asked.body.returnId}`, { as: 'cs' }), (r) => r.body?.status === 'EXCHANGED')).body;
    };
    const dearer = await settle([{ sku: pot, quantity: 1 }]);
    expect(dearer.replacement).toMatchObject({ credit: { amount: 1500 }, due: { amount: 500, currency: 'CNY' } });
    const due = await eventually(() => getOrder(dearer.replacement.order.orderId), (r) => r.body?.status === 'AWAITING_PAYMENT');
    expect(due.body.totals.total).toEqual({ amount: 500, currency: 'CNY' });

    const cheaper = await settle([{ sku: cup, quantity: 1 }]);
    expect(cheaper.replacement).toMatchObject({ credit: { amount: 1500 }, due: { amount: 0 } });
    expect(cheaper.refund).toMatchObject({ amount: { amount: 700, currency: 'CNY' } });
    const money = (await call('GET', `/orders/${orderId}/payments`, { as: 'finance' })).body;
    expect(money.refunds).toEqual([expect.objectContaining({ refundId: cheaper.refund.refundId, returnId: cheaper.returnId, amount: { amount: 700, currency: 'CNY' } })]);
    await eventually(() => getOrder(cheaper.replacement.order.orderId), (r) => r.body?.status === 'PAID');
  });

  it('a claim settled by reship sends the units again: a replacement order, no payment, no parcel back', async () => {
    const orderId = await deliveredOrder([{ sku: cup, quantity: 2 }]);
    const before = await stockOf(cup);
    const claim = await call('POST', `/orders/${orderId}/returns`, { as: 'cs', body: { type: 'claim', settlement: 'reship', lines: [{ sku: cup, quantity: 1, reason: 'broken in transit' }] } });
    expect(claim.status, JSON.stringify(claim.body)).toBe(201);
    expect(claim.body).toMatchObject({ settlement: 'reship', replacement: { lines: [{ sku: cup, quantity: 1 }] } });
    const approved = await call('POST', `/returns/${claim.body.returnId}/approve`, { as: 'cs' });
    expect(approved.body).toMatchObject({ status: 'APPROVED' });
    expect(approved.body.refund).toBeUndefined();
    const reshipped = await eventually(() => call('GET', `/returns/${claim.body.returnId}`, { as: 'cs' }), (r) => r.body?.status === 'RESHIPPED');
    const replacement = await eventually(() => getOrder(reshipped.body.replacement.order.orderId), (r) => r.body?.status === 'PAID');
    expect(replacement.body).toMatchObject({ channel: 'exchange', totals: { total: { amount: 0 } }, replaces: { orderId, returnId: claim.body.returnId } });
    expect(await stockOf(cup)).toMatchObject({ onHand: before.onHand, reserved: before.reserved + 1 });
    expect((await call('GET', `/orders/${orderId}/payments`, { as: 'finance' })).body.refunds).toEqual([]);
    expect(await listed('status=RESHIPPED&type=claim', [claim.body.returnId])).toEqual([claim.body.returnId]);
  });

  it('staff list returns by status, oldest first, paged; each moves to the next list with its status', async () => {
    const orderId = await deliveredOrder([{ sku: tea, quantity: 3 }, { sku: cup, quantity: 1 }]);
    const ask = async (type: string, sku: string) => {
      const res = await call('POST', `/orders/${orderId}/returns`, { as: 'cs', body: { type, lines: [{ sku, quantity: 1, reason: `${type} ${sku}` }] } });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body.returnId as string;
    };
    const first = await ask('return', tea);
    const second = await ask('return', tea);
    const claim = await ask('claim', cup);
    const ids = [first, second, claim];

    expect(await listed('status=REQUESTED', ids, 1)).toEqual([first, second, claim]);
    expect(await listed('status=REQUESTED&type=claim', ids)).toEqual([claim]);
    const page = await call('GET', '/returns?status=REQUESTED&limit=1', { as: 'cs' });
    expect(page.body.items[0]).toMatchObject({ status: 'REQUESTED' });
    expect(page.body.items[0].lines).toBeDefined();

    expect((await call('POST', `/returns/${first}/approve`, { as: 'cs' })).body.status).toBe('APPROVED');
    expect((await call('POST', `/returns/${second}/approve`, { as: 'cs' })).body.status).toBe('APPROVED');
    expect(await listed('status=REQUESTED', ids)).toEqual([claim]);
    expect(await listed('status=APPROVED', ids)).toEqual([first, second]);

    const received = await call('POST', `/returns/${first}/receive`, { as: 'ops', body: { lines: [{ sku: tea, quantity: 1, condition: 'resellable' }] } });
    expect(received.body.status).toBe('REFUNDED');
    expect(await listed('status=APPROVED', ids)).toEqual([second]);
    expect(await listed('status=REFUNDED', ids)).toEqual([first]);
    expect((await call('POST', `/returns/${claim}/reject`, { as: 'cs', body: { reason: 'arrived complete' } })).body.status).toBe('REJECTED');
    expect(await listed('status=REQUESTED', ids)).toEqual([]);
    expect(await listed('status=REJECTED&type=claim', ids)).toEqual([claim]);

    // bad input: 400 problem+json, naming the allowed states; a cursor of another list or altered; limits
    const missing = await call('GET', '/returns', { as: 'ops' });
    expect(isProblem(missing, 400)).toBe(true);
    const bad = await call('GET', '/returns?status=LOST', { as: 'ops' });
    expect(isProblem(bad, 400)).toBe(true);
    expect(JSON.stringify(bad.body.errors)).toContain('REQUESTED');
    expect(JSON.stringify(bad.body.errors)).toContain('CLOSED');
    expect(isProblem(await call('GET', '/returns?status=APPROVED&type=refund', { as: 'ops' }), 400)).toBe(true);
    expect(isProblem(await call('GET', '/returns?status=APPROVED&limit=0', { as: 'ops' }), 400)).toBe(true);
    expect(isProblem(await call('GET', '/returns?status=APPROVED&limit=101', { as: 'ops' }), 400)).toBe(true);
    const paged = await call('GET', '/returns?status=REFUNDED&limit=1', { as: 'ops' });
    expect(paged.body.nextCursor).toEqual(expect.any(String));
    const cursor = encodeURIComponent(paged.body.nextCursor);
    expect(isProblem(await call('GET', `/returns?status=APPROVED&limit=1&cursor=${cursor}`, { as: 'ops' }), 400)).toBe(true);
    expect(isProblem(await call('GET', `/returns?status=REFUNDED&limit=1&cursor=${cursor}x`, { as: 'ops' }), 400)).toBe(true);
    // every staff role reads the queues; a storefront may not list everyone's returns
    for (const role of ['cs', 'finance', 'admin'] as const) expect((await call('GET', '/returns?status=APPROVED', { as: role })).status).toBe(200);
    expect(isProblem(await call('GET', '/returns?status=APPROVED', { as: 'storefront' }), 403)).toBe(true);
  });

  it('a request sent again with its Idempotency-Key gets the first answer; the key with another body is 409', async () => {
    const orderId = await deliveredOrder([{ sku: cup, quantity: 2 }]);
    const body = { type: 'return', lines: [{ sku: cup, quantity: 1, reason: 'spare' }] };
    const headers = { 'idempotency-key': `ret-${orderId}` };
    const [a, b] = await Promise.all([
      call('POST', `/orders/${orderId}/returns`, { as: 'storefront', body, headers }),
      call('POST', `/orders/${orderId}/returns`, { as: 'storefront', body, headers }),
    ]);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.body.returnId).toBe(a.body.returnId);
    const again = await call('POST', `/orders/${orderId}/returns`, { as: 'storefront', body, headers });
    expect(again.body).toEqual(a.body);
    expect(again.headers.get('location')).toBe(`/returns/${a.body.returnId}`);
    expect(isProblem(await call('POST', `/orders/${orderId}/returns`, { as: 'storefront', body: { ...body, note: 'other' }, headers }), 409)).toBe(true);
    expect((await call('GET', `/orders/${orderId}/returns`, { as: 'cs' })).body.items).toHaveLength(1);
  });

  it('feedback: once per delivered order, counted into the customer and the product, a poor rating reaches customer service', async () => {
    const rated = uniqueSku('RET-RATED');
    await createProduct(rated, 5, 1000);
    const orderId = await deliveredOrder([{ sku: rated, quantity: 1 }]);
    const customerId = (await getOrder(orderId)).body.customer.customerId as string;
    const before = (await call('GET', `/customers/${customerId}`, { as: 'cs' })).body.feedback ?? { count: 0 };

    expect(isProblem(await call('POST', `/orders/${orderId}/feedback`, { as: 'storefront', body: { rating: 6 } }), 400)).toBe(true);
    expect((await call('POST', `/orders/${orderId}/feedback`, { as: 'cs', body: { rating: 2 } })).status).toBe(403);
    const given = await call('POST', `/orders/${orderId}/feedback`, { as: 'storefront', body: { rating: 2, comment: 'arrived late' } });
    expect(given.status, JSON.stringify(given.body)).toBe(201);
    expect(given.body).toMatchObject({ orderId, rating: 2, comment: 'arrived late' });
    expect(isProblem(await call('POST', `/orders/${orderId}/feedback`, { as: 'storefront', body: { rating: 5 } }), 409)).toBe(true);

    expect((await call('GET', `/products/${rated}`, { as: 'storefront' })).body.feedback).toEqual({ count: 1, average: 2 });
    expect((await call('GET', `/customers/${customerId}`, { as: 'cs' })).body.feedback.count).toBe(before.count + 1);
    const story = (await call('GET', `/orders/${orderId}/story`, { as: 'cs' })).body;
    expect(story.feedback).toMatchObject({ rating: 2, comment: 'arrived late' });
    await eventually(
      () => call('GET', '/notifications?department=customer-service', { as: 'cs' }),
      (r) => (r.body?.items ?? []).some((n: { eventType?: string; detailType?: string; orderId?: string }) => JSON.stringify(n).includes('PoorFeedbackReceived') && JSON.stringify(n).includes(orderId)),
    );

    // an order not delivered yet cannot be rated
    const placed = await placeOrder([{ sku: rated, quantity: 1 }]);
    await eventually(() => getOrder(placed.body.orderId), (r) => r.body?.status === 'AWAITING_PAYMENT');
    expect(isProblem(await call('POST', `/orders/${placed.body.orderId}/feedback`, { as: 'storefront', body: { rating: 4 } }), 409)).toBe(true);
  });
});
