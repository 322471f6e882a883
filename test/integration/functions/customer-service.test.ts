import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { makeHandler as makeCustomerStats } from '../../../functions/customer-stats/customer-stats';
import { makeHandler as makeLookup } from '../../../functions/order-lookup/order-lookup';
import { makeHandler as makePlaceOrder } from '../../../functions/place-order/place-order';
import { application as repositories, orderLookupOver as orderLookup, type Application as Repositories } from '../../../shared/app';
import { makeCustomerEdits } from '../../../shared/app/customer-edits';
import { customerService } from '../../../shared/app/customer-stats';
import { makeOrderStory } from '../../../shared/app/order-story';
import { storeFor, type Store } from '../../../shared/store';
import { outboundRepository } from '../../../shared/store/outbound-repository';
import { trackingRepository } from '../../../shared/store/tracking-repository';
import { call, lambdaContext, TOKENS } from '../../support/api-event';
import { orderRequest, stocked } from '../../support/fixtures';
import { createTestTable, type TestTable } from '../../support/table';
import { customerServiceOver } from '../../../shared/app/customer-service';

let table: TestTable;
let repos: Repositories;
let store: Store;
let now = new Date('2026-11-20T10:00:00.000Z');
let placeOrder: ReturnType<typeof makePlaceOrder>;
let lookup: ReturnType<typeof makeLookup>;
let stats: ReturnType<typeof makeCustomerStats>;

beforeAll(async () => {
  table = await createTestTable(inject('dynamoUrl'));
  repos = repositories(table.doc, table.tableName);
  const ctx = { doc: table.doc, tableName: table.tableName };
  store = storeFor(ctx);
  const customers = customerService(ctx);
  placeOrder = makePlaceOrder({ orders: repos.orders, now: () => now });
  lookup = makeLookup({
    lookup: orderLookup(ctx), orders: repos.orders, customers, tracking: outboundRepository(ctx),
    story: makeOrderStory({ orders: store.orders, tracking: trackingRepository(ctx), notifications: store.notifications }),
    editCustomer: makeCustomerEdits({ customers: store.customers, writer: store.writer }),
    customerData: customerServiceOver(table.doc, table.tableName).customerData,
    now: () => new Date('2026-11-27T12:00:00.000Z'),
  });
  stats = makeCustomerStats({ orders: repos.orders, customers, now: () => now });
  await stocked(repos, 'TEA-GREEN', 1000, 3000);
});
afterAll(() => table?.drop());

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are read loosely in tests
type Body = Record<string, any>;
const place = (customer: { email: string; name: string; phone?: string }) =>
  call<Body>(placeOrder, { routeKey: 'POST /orders', body: orderRequest([{ sku: 'TEA-GREEN', quantity: 1 }], { customer }), claims: TOKENS.admin });
const ask = (routeKey: string, o: { path?: Record<string, string>; query?: Record<string, string>; body?: unknown; headers?: Record<string, string>; claims?: Record<string, string | string[]> } = {}) =>
  call<Body>(lookup, { routeKey, pathParameters: o.path ?? {}, query: o.query, body: o.body, headers: o.headers ?? {}, claims: o.claims ?? TOKENS.cs });
const placedEvent = (orderId: string): SQSEvent => ({
  Records: [{
    messageId: `m-${orderId}-${Math.random()}`, receiptHandle: 'rh',
    body: JSON.stringify({ id: `e-${orderId}`, 'detail-type': 'OrderPlaced', source: 'oms.orders', detail: { metadata: { eventId: `e-${orderId}` }, data: { orderId } } }),
    attributes: {} as never, messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:q', awsRegion: 'us-east-1',
  }],
});
const customerOf = async (orderId: string) => (await repos.orders.getRecord(orderId))!.customer.customerId;

describe('customer profiles', () => {
  it('is there right after the first order, before any event is processed', async () => {
    const res = await place({ email: 'first@example.com', name: 'First Timer', phone: '+86 138 0000 1111' });
    expect(res.status).toBe(202);
    const customer = await ask('GET /customers/{customerId}', { path: { customerId: await customerOf(res.body.orderId) } });
    expect(customer.status).toBe(200);
    expect(customer.headers?.etag).toBe('"1"');
    expect(customer.body).toMatchObject({
      email: 'first@example.com', phone: '+86 138 0000 1111', orderCount: 0, lastOrder: { orderId: res.body.orderId },
      preferences: {}, tags: [], returnCount: 0, returnRate: 0, version: 1,
    });
    await stats(placedEvent(res.body.orderId), lambdaContext);
    const counted = await ask('GET /customers/{customerId}', { path: { customerId: await customerOf(res.body.orderId) } });
    expect(counted.body).toMatchObject({ orderCount: 1, lifetimeValue: [{ amount: 3000, currency: 'CNY' }], lastOrder: { orderId: res.body.orderId } });
  });

  it('never moves lastOrder backwards when the events arrive out of order', async () => {
    now = new Date('2026-11-21T08:00:00.000Z');
    const older = await place({ email: 'reorder@example.com', name: 'Re Order' });
    now = new Date('2026-11-22T08:00:00.000Z');
    const newer = await place({ email: 'reorder@example.com', name: 'Re Order' });
    await stats(placedEvent(newer.body.orderId), lambdaContext);
    await stats(placedEvent(older.body.orderId), lambdaContext);
    const customer = await ask('GET /customers/{customerId}', { path: { customerId: await customerOf(older.body.orderId) } });
    expect(customer.body).toMatchObject({ orderCount: 2, lastOrder: { orderId: newer.body.orderId, placedAt: '2026-11-22T08:00:00.000Z' } });
  });

  it('PATCH edits preferences and tags at the version seen; a stale version is 409 and changes nothing', async () => {
    const res = await place({ email: 'patch@example.com', name: 'Pat Ch' });
    const customerId = await customerOf(res.body.orderId);
    const path = { customerId };
    const edited = await ask('PATCH /customers/{customerId}', {
      path, headers: { 'if-match': '"1"' }, body: { preferences: { channel: 'app', contactMethod: 'sms', language: 'zh-CN' }, tags: ['vip', 'vip', '大客户'] },
    });
    expect(edited.status).toBe(200);
    expect(edited.headers?.etag).toBe('"2"');
    expect(edited.body).toMatchObject({ preferences: { channel: 'app', contactMethod: 'sms', language: 'zh-CN' }, tags: ['vip', '大客户'], version: 2 });

    const stale = await ask('PATCH /customers/{customerId}', { path, headers: { 'if-match': '1' }, body: { tags: [] } });
    expect(stale.status).toBe(409);
    const cleared = await ask('PATCH /customers/{customerId}', { path, body: { version: 2, preferences: { contactMethod: null } } });
    expect(cleared.status).toBe(200);
    expect(cleared.body).toMatchObject({ preferences: { channel: 'app', language: 'zh-CN' }, tags: ['vip', '大客户'], version: 3 });
    expect(cleared.body.preferences.contactMethod).toBeUndefined();

    const bad = [
      await ask('PATCH /customers/{customerId}', { path, body: { tags: ['ok'] } }), // no version
      await ask('PATCH /customers/{customerId}', { path, headers: { 'if-match': '3' }, body: {} }),
      await ask('PATCH /customers/{customerId}', { path, headers: { 'if-match': '3' }, body: { preferences: { language: 'not a tag!' } } }),
      await ask('PATCH /customers/{customerId}', { path, headers: { 'if-match': '3' }, body: { tags: ['x\u202e'] } }),
      await ask('PATCH /customers/{customerId}', { path, headers: { 'if-match': '3' }, body: { tags: Array.from({ length: 21 }, (_, i) => `t${i}`) } }),
      await ask('PATCH /customers/{customerId}', { path, headers: { 'if-match': '3' }, body: { nickname: 'x' } }),
    ];
    expect(bad.map((r) => r.status)).toEqual([400, 400, 400, 400, 400, 400]);
    expect((await ask('PATCH /customers/{customerId}', { path: { customerId: 'cus_nobody' }, headers: { 'if-match': '1' }, body: { tags: [] } })).status).toBe(404);
    expect((await ask('PATCH /customers/{customerId}', { path, headers: { 'if-match': '3' }, body: { tags: [] }, claims: TOKENS.ops })).status).toBe(403);
    const after = await ask('GET /customers/{customerId}', { path });
    expect(after.body).toMatchObject({ tags: ['vip', '大客户'], version: 3 });
  });
});

describe('look-up by each key', () => {
  it('finds an order by phone (any formatting), provider payment reference and payment id, number and email', async () => {
    const res = await place({ email: 'caller@example.com', name: 'Cal Ler', phone: '+86 (21) 6666-7777' });
    const orderId = res.body.orderId;
    const ids = (r: Body) => r.body.items.map((o: Body) => o.orderId);
    expect(ids(await ask('GET /orders', { query: { phone: '862166667777' } }))).toEqual([orderId]);
    expect(ids(await ask('GET /orders', { query: { phone: '+86 21 6666 7777' } }))).toEqual([orderId]);
    expect(ids(await ask('GET /orders', { query: { phone: '+86 21 0000 0000' } }))).toEqual([]);

    // a payment attempt as the payments path writes it, then named by its provider
    const at = now.toISOString();
    await store.writer.commit({
      aggregate: { entity: 'order', id: orderId }, at, events: [], movements: [],
      changes: [
        { op: 'put', entity: 'payment', id: [orderId, 'pay_lookup1'], item: { paymentId: 'pay_lookup1', orderId, provider: 'stripe', status: 'PENDING', createdAt: at } },
        { op: 'put', entity: 'paymentRef', id: ['pay_lookup1'], item: { orderId, paymentId: 'pay_lookup1' } },
      ],
    });
    await store.writer.commit({
      aggregate: { entity: 'order', id: orderId }, at, events: [], movements: [],
      changes: [{ op: 'update', entity: 'payment', id: [orderId, 'pay_lookup1'], setIfAbsent: { providerRef: 'pi_3LookupRef' }, set: { updatedAt: at } }],
    });
    expect(ids(await ask('GET /orders', { query: { paymentRef: 'pi_3LookupRef' } }))).toEqual([orderId]);
    expect(ids(await ask('GET /orders', { query: { paymentRef: 'pay_lookup1' } }))).toEqual([orderId]);
    expect(ids(await ask('GET /orders', { query: { paymentRef: 'pi_unknown' } }))).toEqual([]);

    const byNumber = await ask('GET /orders/by-number/{orderNumber}', { path: { orderNumber: res.body.orderNumber } });
    expect(byNumber.body.orderId).toBe(orderId);
    expect(ids(await ask('GET /orders', { query: { customerEmail: 'CALLER@example.com' } }))).toEqual([orderId]);
  });

  it('refuses bad phone and payment references and mixed look-ups: 400', async () => {
    const bad: Record<string, string>[] = [
      { phone: 'call me' }, { phone: '12' }, { phone: '+86 21 6666 7777', status: 'PENDING' },
      { paymentRef: 'pi 1' }, { paymentRef: 'x'.repeat(129) }, { paymentRef: 'pi_1', cursor: 'abc' }, { paymentRef: 'pi_1', phone: '862166667777' },
    ];
    for (const query of bad) expect((await ask('GET /orders', { query })).status, JSON.stringify(query)).toBe(400);
  });
});

describe("the order's story", () => {
  it('merges the timeline, notes and payments in time order; 404 for an unknown order', async () => {
    now = new Date('2026-11-23T09:00:00.000Z');
    const res = await place({ email: 'story@example.com', name: 'Sto Ry' });
    const orderId = res.body.orderId;
    await repos.orders.addNote(orderId, 'Customer called about delivery', 'cs:agent-7', new Date('2026-11-23T11:00:00.000Z'));
    await store.writer.commit({
      aggregate: { entity: 'order', id: orderId }, at: '2026-11-23T10:00:00.000Z', events: [], movements: [],
      changes: [{
        op: 'put', entity: 'payment', id: [orderId, 'pay_story1'],
        item: {
          paymentId: 'pay_story1', orderId, method: 'card', provider: 'stripe', amount: { amount: 3000, currency: 'CNY' }, status: 'PENDING',
          refundReserved: 0, version: 1, createdAt: '2026-11-23T10:00:00.000Z', updatedAt: '2026-11-23T10:00:00.000Z',
        },
      }],
    });
    const story = await ask('GET /orders/{orderId}/story', { path: { orderId } });
    expect(story.status).toBe(200);
    expect(story.body).toMatchObject({ orderId, notes: [{ type: 'NOTE', detail: 'Customer called about delivery', actor: 'cs:agent-7' }], tracking: [], notifications: [] });
    expect(story.body.returns).toBeUndefined();
    expect(story.body.story.map((e: Body) => [e.kind, e.type])).toEqual([
      ['timeline', 'ORDER_PLACED'], ['payment', 'STARTED'], ['timeline', 'NOTE'],
    ]);
    const ats = story.body.story.map((e: Body) => e.at);
    expect([...ats].sort()).toEqual(ats);
    expect((await ask('GET /orders/{orderId}/story', { path: { orderId: 'ord_nothing' } })).status).toBe(404);
    expect((await ask('GET /orders/{orderId}/story', { path: { orderId }, claims: TOKENS.storefront })).status).toBe(403);
  });
});
