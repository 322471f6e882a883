import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { makeHandler as makeLookup } from '../../../functions/order-lookup/order-lookup';
import { makeHandler as makePlaceOrder } from '../../../functions/place-order/place-order';
import { application as repositories, orderLookupOver as orderLookup, type Application as Repositories } from '../../../shared/app';
import { makeCustomerData } from '../../../shared/app/customer-data';
import { makeCustomerEdits } from '../../../shared/app/customer-edits';
import { makeOrderStory } from '../../../shared/app/order-story';
import { ERASED_EMAIL } from '../../../shared/domain/erasure';
import { storeFor } from '../../../shared/store';
import { customerMessageRepository } from '../../../shared/store/customer-message-repository';
import { customerRepository } from '../../../shared/store/customer-repository';
import { erasureRepository } from '../../../shared/store/erasure-repository';
import * as keys from '../../../shared/store/keys';
import { outboundRepository } from '../../../shared/store/outbound-repository';
import { trackingRepository } from '../../../shared/store/tracking-repository';
import { call, TOKENS } from '../../support/api-event';
import { orderRequest, stocked } from '../../support/fixtures';
import { createTestTable, type TestTable } from '../../support/table';

// A customer's personal data through the order-lookup function's handler: the export
// holds everything about them, and the erasure anonymizes the profile and every order in
// bounded steps (two orders per request here) while the money stays.

let table: TestTable;
let repos: Repositories;
let placeOrder: ReturnType<typeof makePlaceOrder>;
let lookup: ReturnType<typeof makeLookup>;
let now = new Date('2026-11-20T10:00:00.000Z');

beforeAll(async () => {
  table = await createTestTable(inject('dynamoUrl'));
  repos = repositories(table.doc, table.tableName);
  const ctx = { doc: table.doc, tableName: table.tableName };
  const store = storeFor(ctx);
  const customers = customerRepository(ctx);
  const story = makeOrderStory({ orders: store.orders, tracking: trackingRepository(ctx), notifications: store.notifications });
  placeOrder = makePlaceOrder({ orders: repos.orders, now: () => now });
  lookup = makeLookup({
    lookup: orderLookup(ctx), orders: repos.orders, customers, tracking: outboundRepository(ctx), story,
    editCustomer: makeCustomerEdits({ customers: store.customers, writer: store.writer }),
    customerData: makeCustomerData({
      customers, erasures: erasureRepository(ctx), orders: store.orders, story, messages: customerMessageRepository(ctx), writer: store.writer,
      limits: { exportOrders: 3, eraseOrders: 2 },
    }),
    now: () => now,
  });
  await stocked(repos, 'TEA-PU', 1000, 2500);
});
afterAll(() => table?.drop());

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are read loosely in tests
type Body = Record<string, any>;
const ask = (routeKey: string, o: { path?: Record<string, string>; query?: Record<string, string>; body?: unknown; claims?: Record<string, string | string[]> } = {}) =>
  call<Body>(lookup, { routeKey, pathParameters: o.path ?? {}, query: o.query, body: o.body, headers: {}, claims: o.claims ?? TOKENS.admin });

const PERSON = { email: 'li.wei@example.com', name: 'Li Wei', phone: '+86 139 1234 5678' };
const ADDRESS = { name: 'Li Wei', phone: '+86 139 1234 5678', line1: '88 Nanjing Road', city: 'Shanghai', postalCode: '200001', country: 'CN' };

async function placeFor(person: typeof PERSON, count: number): Promise<{ customerId: string; orderIds: string[] }> {
  const orderIds: string[] = [];
  for (let i = 0; i < count; i++) {
    now = new Date(now.getTime() + 60_000);
    const res = await call<Body>(placeOrder, {
      routeKey: 'POST /orders', claims: TOKENS.admin,
      body: orderRequest([{ sku: 'TEA-PU', quantity: 2 }], { customer: person, shippingAddress: ADDRESS, notes: 'Ring twice, ask for Li Wei' }),
    });
    expect(res.status).toBe(202);
    orderIds.push(res.body.orderId);
  }
  const customerId = (await repos.orders.getRecord(orderIds[0]!))!.customer.customerId;
  return { customerId, orderIds };
}

const erase = (customerId: string, claims: Record<string, string | string[]> = TOKENS.admin, body: unknown = { reason: 'Customer asked to be forgotten (ticket 4711)' }) =>
  ask('POST /customers/{customerId}/erase', { path: { customerId }, body, claims });

describe('customer export', () => {
  it('holds the profile and every order with its story; more orders than one answer reads come with a cursor', async () => {
    const { customerId, orderIds } = await placeFor({ ...PERSON, email: 'export@example.com' }, 4);
    await ask('POST /orders/{orderId}/notes', { path: { orderId: orderIds[0]! }, body: { text: 'Called about delivery time' }, claims: TOKENS.cs });

    const first = await ask('GET /customers/{customerId}/export', { path: { customerId }, claims: TOKENS.cs });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ complete: false, customer: { customerId, email: 'export@example.com', name: 'Li Wei', phone: PERSON.phone } });
    expect(first.body.orders).toHaveLength(3);
    const rest = await ask('GET /customers/{customerId}/export', { path: { customerId }, query: { cursor: first.body.nextCursor }, claims: TOKENS.cs });
    expect(rest.body).toMatchObject({ complete: true });
    expect(rest.body.nextCursor).toBeUndefined();
    const all = [...first.body.orders, ...rest.body.orders];
    expect(all.map((o: Body) => o.orderId).sort()).toEqual([...orderIds].sort());
    const noted = all.find((o: Body) => o.orderId === orderIds[0]);
    expect(noted).toMatchObject({
      customer: { email: 'export@example.com', name: 'Li Wei' }, shippingAddress: ADDRESS, orderNotes: 'Ring twice, ask for Li Wei',
      lines: [{ sku: 'TEA-PU', quantity: 2 }], customerMessages: [], notifications: [],
    });
    expect(noted.timeline.map((t: Body) => t.type)).toEqual(['ORDER_PLACED', 'NOTE']);
  });

  it('is for customer service and admins; an unknown customer is 404', async () => {
    const { customerId } = await placeFor({ ...PERSON, email: 'export-roles@example.com' }, 1);
    for (const claims of [TOKENS.ops, TOKENS.finance, TOKENS.storefront]) {
      expect((await ask('GET /customers/{customerId}/export', { path: { customerId }, claims })).status).toBe(403);
    }
    expect((await ask('GET /customers/{customerId}/export', { path: { customerId } })).status).toBe(200);
    expect((await ask('GET /customers/{customerId}/export', { path: { customerId: 'cus_nobody' } })).status).toBe(404);
  });
});

describe('customer erasure', () => {
  it('anonymizes the profile and every order in bounded steps, keeps the money, and a repeat changes nothing', async () => {
    const { customerId, orderIds } = await placeFor({ ...PERSON, phone: '+86 139 5555 0001' }, 5);
    const before = await ask('GET /customers/{customerId}/export', { path: { customerId } });

    const steps = [await erase(customerId), await erase(customerId)];
    expect(steps.map((s) => [s.status, s.body.status, s.body.ordersErased])).toEqual([[202, 'IN_PROGRESS', 2], [202, 'IN_PROGRESS', 4]]);
    const done = await erase(customerId);
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ customerId, status: 'COMPLETE', ordersErased: 5, reason: 'Customer asked to be forgotten (ticket 4711)', requestedBy: 'admin:user-admin' });
    const again = await erase(customerId, TOKENS.admin, { reason: 'again' });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(done.body);

    // look-ups by the old e-mail and phone find nothing
    expect((await ask('GET /orders', { query: { customerEmail: PERSON.email } })).body.items).toEqual([]);
    expect((await ask('GET /orders', { query: { phone: '+86 139 5555 0001' } })).body.items).toEqual([]);

    const after = await ask('GET /customers/{customerId}/export', { path: { customerId } });
    expect(after.body.customer).toMatchObject({ customerId, name: 'Erased', email: ERASED_EMAIL, orderCount: before.body.customer.orderCount });
    expect(after.body.customer.phone).toBeUndefined();
    expect(after.body.erasure).toMatchObject({ status: 'COMPLETE', ordersErased: 5 });
    expect(after.body.orders).toHaveLength(3); // the export reads three per answer here
    for (const order of after.body.orders) {
      const was = before.body.orders.find((o: Body) => o.orderId === order.orderId);
      expect(order.customer).toEqual({ customerId, name: 'Erased', email: ERASED_EMAIL });
      expect(order.shippingAddress).toEqual({ name: 'Erased', line1: 'Erased', city: 'Erased', postalCode: 'Erased', country: 'CN' });
      expect(order.orderNotes).toBeUndefined();
      expect({ lines: order.lines, totals: order.totals, money: order.money, status: order.status }).toEqual({ lines: was.lines, totals: was.totals, money: was.money, status: was.status });
      expect(order.timeline.at(-1)).toMatchObject({ type: 'PERSONAL_DATA_ERASED', actor: 'admin:user-admin' });
      expect(order.timeline.filter((t: Body) => t.type === 'PERSONAL_DATA_ERASED')).toHaveLength(1);
    }
    expect(JSON.stringify(after.body)).not.toMatch(/Li Wei|li\.wei|139 1234|5555 0001|Nanjing/);

    // one CustomerErased, with no personal data, in the customer's outbox
    const outbox = await table.doc.send(new QueryCommand({
      TableName: table.tableName, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :o)',
      ExpressionAttributeValues: { ':pk': keys.customer(customerId).pk, ':o': keys.outboxPrefix },
    }));
    expect((outbox.Items ?? []).map((i) => i.detailType)).toEqual(['CustomerErased']);
    expect(JSON.stringify(outbox.Items)).not.toMatch(/Li Wei|li\.wei|139|ticket/);
    expect(orderIds).toHaveLength(5);

    // the same e-mail afterwards is a new customer
    const { customerId: newcomer } = await placeFor(PERSON, 1);
    expect(newcomer).not.toBe(customerId);
  });

  it('erases each order once when two requests run at the same time', async () => {
    const { customerId } = await placeFor({ ...PERSON, email: 'race@example.com' }, 3);
    const answers = await Promise.all([erase(customerId), erase(customerId), erase(customerId)]);
    expect(answers.every((a) => [200, 202].includes(a.status))).toBe(true);
    let last = answers[0]!;
    for (let i = 0; i < 5 && last.body.status !== 'COMPLETE'; i++) last = await erase(customerId);
    expect(last.body).toMatchObject({ status: 'COMPLETE', ordersErased: 3 });
    const after = await ask('GET /customers/{customerId}/export', { path: { customerId } });
    for (const order of after.body.orders) expect(order.timeline.filter((t: Body) => t.type === 'PERSONAL_DATA_ERASED')).toHaveLength(1);
  });

  it('is for admins only, needs a reason, and changes nothing otherwise', async () => {
    const { customerId } = await placeFor({ ...PERSON, email: 'refused@example.com' }, 1);
    expect((await erase(customerId, TOKENS.cs)).status).toBe(403);
    const noReason = await erase(customerId, TOKENS.admin, {});
    expect(noReason.status).toBe(400);
    expect(noReason.headers?.['content-type']).toBe('application/problem+json');
    expect((await erase(customerId, TOKENS.admin, { reason: 'x', extra: 1 })).status).toBe(400);
    expect((await erase('cus_nobody')).status).toBe(404);
    const profile = await ask('GET /customers/{customerId}', { path: { customerId } });
    expect(profile.body).toMatchObject({ email: 'refused@example.com', name: 'Li Wei', version: 1 });
  });
});
