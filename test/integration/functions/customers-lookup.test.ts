import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { makeHandler as makeCustomerStats } from '../../../functions/customer-stats/customer-stats';
import { makeHandler as makeLookup } from '../../../functions/order-lookup/order-lookup';
import { makeHandler as makePlaceOrder } from '../../../functions/place-order/place-order';
import { application as repositories, orderLookupOver as orderLookup, type Application as Repositories } from '../../../shared/app';
import { customerService as customerRepository } from '../../../shared/app/customer-stats';
import { makeCustomerEdits } from '../../../shared/app/customer-edits';
import { makeOrderStory } from '../../../shared/app/order-story';
import { storeFor } from '../../../shared/store';
import * as keys from '../../../shared/store/keys';
import { trackingRepository } from '../../../shared/store/tracking-repository';
import { outboundRepository } from '../../../shared/store/outbound-repository';
import { call, lambdaContext, TOKENS } from '../../support/api-event';
import { orderRequest, stocked } from '../../support/fixtures';
import { createTestTable, type TestTable } from '../../support/table';
import { customerServiceOver } from '../../../shared/app/customer-service';

let table: TestTable;
let repos: Repositories;
let now = new Date('2026-10-30T10:00:00.000Z');
let placeOrder: ReturnType<typeof makePlaceOrder>;
let lookup: ReturnType<typeof makeLookup>;
let stats: ReturnType<typeof makeCustomerStats>;

beforeAll(async () => {
  table = await createTestTable(inject('dynamoUrl'));
  repos = repositories(table.doc, table.tableName);
  const ctx = { doc: table.doc, tableName: table.tableName };
  const customers = customerRepository(ctx);
  placeOrder = makePlaceOrder({ orders: repos.orders, now: () => now });
  const store = storeFor(ctx);
  lookup = makeLookup({
    lookup: orderLookup(ctx), orders: repos.orders, customers, tracking: outboundRepository(ctx),
    story: makeOrderStory({ orders: store.orders, tracking: trackingRepository(ctx), notifications: store.notifications }),
    editCustomer: makeCustomerEdits({ customers: store.customers, writer: store.writer }),
    customerData: customerServiceOver(table.doc, table.tableName).customerData,
    now: () => new Date('2026-11-27T12:00:00.000Z'),
  });
  stats = makeCustomerStats({ orders: repos.orders, customers, now: () => now });
  await stocked(repos, 'TEA-OOLONG', 1000, 5000);
});
afterAll(() => table?.drop());

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are read loosely in tests
type Body = Record<string, any>;
// admin may place orders on every channel (customer service only on phone, email and store)
const place = (overrides: Record<string, unknown> = {}, claims: Record<string, string | string[]> = TOKENS.admin, key?: string) =>
  call<Body>(placeOrder, {
    routeKey: 'POST /orders',
    body: orderRequest([{ sku: 'TEA-OOLONG', quantity: 1 }], overrides),
    claims,
    headers: key ? { 'Idempotency-Key': key } : {},
  });
const get = (routeKey: string, pathParameters: Record<string, string> = {}, query?: Record<string, string>, claims: Record<string, string | string[]> = TOKENS.cs) =>
  call<Body>(lookup, { routeKey, pathParameters, query, claims });

/** An order event as the queue delivers it (EventBridge -> SQS). */
const sqsEvent = (detailType: string, orderId: string, eventId = `evt-${orderId}-${detailType}`): SQSEvent => ({
  Records: [
    {
      messageId: `m-${eventId}-${Math.random()}`,
      receiptHandle: 'rh',
      body: JSON.stringify({ id: eventId, 'detail-type': detailType, source: 'oms.orders', detail: { metadata: { eventId }, data: { orderId } } }),
      attributes: {} as never,
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:oms-test-customer-stats',
      awsRegion: 'us-east-1',
    },
  ],
});

describe('channels and externalRef', () => {
  it('importing the same marketplace order five times at once yields one order', async () => {
    const body = { channel: 'marketplace', externalRef: 'TMALL-778899', customer: { email: 'import@example.com', name: 'Importer' } };
    const answers = await Promise.all(Array.from({ length: 5 }, () => place(body)));
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202, 202]);
    expect(new Set(answers.map((a) => a.body.orderId)).size).toBe(1);
    const again = await place(body);
    expect(again.body.orderId).toBe(answers[0]!.body.orderId);
    // the same reference on another channel is another order
    const other = await place({ ...body, channel: 'email' });
    expect(other.status).toBe(202);
    expect(other.body.orderId).not.toBe(answers[0]!.body.orderId);
    const listed = await get('GET /orders', {}, { channel: 'marketplace' });
    expect(listed.body.items.filter((o: Body) => o.externalRef === 'TMALL-778899')).toHaveLength(1);
  });

  it('a phone order placed by customer service records who placed it and stays invisible to storefronts', async () => {
    const res = await place({ channel: 'phone', customer: { email: 'caller@example.com', name: 'Caller' } }, TOKENS.cs);
    const order = await repos.orders.get(res.body.orderId);
    expect(order).toMatchObject({ channel: 'phone', placedBy: TOKENS.cs.sub, timeline: [{ type: 'ORDER_PLACED', actor: `cs:${TOKENS.cs.sub}` }] });
  });
});

describe('customers', () => {
  it('concurrent first orders of one email (any case) create one customer', async () => {
    const emails = ['Race@Example.com', 'race@example.com', 'RACE@EXAMPLE.COM', 'race@Example.com', 'rAce@example.com', 'race@example.COM'];
    const answers = await Promise.all(emails.map((email) => place({ customer: { email, name: 'Racer' } })));
    expect(answers.every((a) => a.status === 202)).toBe(true);
    const orders = await Promise.all(answers.map((a) => repos.orders.getRecord(a.body.orderId)));
    const ids = new Set(orders.map((o) => o!.customer.customerId));
    expect(ids.size).toBe(1);
    const claim = await table.doc.send(
      new QueryCommand({ TableName: table.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.customerEmail('race@example.com').pk } }),
    );
    expect(claim.Items).toHaveLength(1);
    expect(claim.Items![0]!.customerId).toBe([...ids][0]);
  });

  it('keeps order count, lifetime value and last order from events, once per order, and subtracts exits', async () => {
    const email = 'stats@example.com';
    const placed: string[] = [];
    for (const [i, quantity] of [1, 2, 3].entries()) {
      now = new Date(`2026-11-0${i + 1}T08:00:00.000Z`);
      const res = await call<Body>(placeOrder, {
        routeKey: 'POST /orders',
        body: orderRequest([{ sku: 'TEA-OOLONG', quantity }], { customer: { email, name: 'Stat Person', phone: '+86 21 5555' } }),
        claims: TOKENS.admin,
      });
      placed.push(res.body.orderId);
    }
    for (const orderId of placed) {
      await stats(sqsEvent('OrderPlaced', orderId), lambdaContext);
      await stats(sqsEvent('OrderPlaced', orderId), lambdaContext); // redelivered
    }
    // the second order is rejected (delivered twice)
    await stats(sqsEvent('OrderRejected', placed[1]!), lambdaContext);
    const again = await stats(sqsEvent('OrderRejected', placed[1]!, 'other-delivery'), lambdaContext);
    expect(again.batchItemFailures).toEqual([]);

    const order = await repos.orders.getRecord(placed[0]!);
    const customer = await get('GET /customers/{customerId}', { customerId: order!.customer.customerId });
    expect(customer.status).toBe(200);
    expect(customer.body).toMatchObject({
      email,
      name: 'Stat Person',
      phone: '+86 21 5555',
      orderCount: 2,
      lifetimeValue: [{ amount: 5000 * (1 + 3), currency: 'CNY' }],
      lastOrder: { orderId: placed[2], placedAt: '2026-11-03T08:00:00.000Z' },
    });

    const page1 = await get('GET /customers/{customerId}/orders', { customerId: order!.customer.customerId }, { limit: '2' });
    expect(page1.body.items.map((o: Body) => o.orderId)).toEqual([placed[2], placed[1]]);
    const page2 = await get('GET /customers/{customerId}/orders', { customerId: order!.customer.customerId }, { limit: '2', cursor: page1.body.nextCursor });
    expect(page2.body.items.map((o: Body) => o.orderId)).toEqual([placed[0]]);
    expect(page2.body.nextCursor).toBeUndefined();
  });

  it('an exit that overtakes its OrderPlaced is retried, not lost', async () => {
    const res = await place({ customer: { email: 'early-exit@example.com', name: 'Early' } });
    const failed = await stats(sqsEvent('OrderCancelled', res.body.orderId), lambdaContext);
    expect(failed.batchItemFailures).toHaveLength(1);
  });

  it('an unknown customer is 404', async () => {
    expect((await get('GET /customers/{customerId}', { customerId: 'cus_nobody' })).status).toBe(404);
  });
});

describe('staff look-up', () => {
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    // six orders over three months and two channels, for one customer
    const plan = [
      ['a', 'app', '2026-09-15T09:00:00.000Z'],
      ['b', 'store', '2026-10-01T09:00:00.000Z'],
      ['c', 'app', '2026-10-20T09:00:00.000Z'],
      ['d', 'store', '2026-11-02T09:00:00.000Z'],
      ['e', 'app', '2026-11-10T09:00:00.000Z'],
      ['f', 'app', '2026-11-20T09:00:00.000Z'],
    ] as const;
    for (const [name, channel, at] of plan) {
      now = new Date(at);
      const res = await place({ channel, customer: { email: 'lookup@example.com', name: 'Look Up' } });
      ids[name] = res.body.orderId;
    }
  });
  const all = async (query: Record<string, string>) => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const res = await get('GET /orders', {}, { ...query, limit: '2', ...(cursor ? { cursor } : {}) });
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((o: Body) => o.orderId));
      cursor = res.body.nextCursor;
    } while (cursor);
    return seen;
  };
  const mine = (list: string[]) => list.filter((id) => Object.values(ids).includes(id));

  it('by channel, newest first, page by page', async () => {
    expect(mine(await all({ channel: 'app' }))).toEqual([ids.f, ids.e, ids.c, ids.a]);
  });

  it('by date range across months, newest first', async () => {
    expect(mine(await all({ from: '2026-10-01', to: '2026-11-10' }))).toEqual([ids.e, ids.d, ids.c, ids.b]);
    expect(mine(await all({ from: '2026-10-01', to: '2026-11-10', channel: 'store' }))).toEqual([ids.d, ids.b]);
  });

  it('by customer email (any case), newest first, with channel and dates as filters', async () => {
    expect(await all({ customerEmail: 'LOOKUP@example.com' })).toEqual([ids.f, ids.e, ids.d, ids.c, ids.b, ids.a]);
    expect(await all({ customerEmail: 'lookup@example.com', channel: 'store' })).toEqual([ids.d, ids.b]);
    expect(await all({ customerEmail: 'lookup@example.com', from: '2026-11-01T00:00:00Z' })).toEqual([ids.f, ids.e, ids.d]);
    expect(await all({ customerEmail: 'nobody@example.com' })).toEqual([]);
  });

  it('by status, oldest first (a work queue), with the other filters applied', async () => {
    expect(mine(await all({ status: 'PENDING', channel: 'app' }))).toEqual([ids.a, ids.c, ids.e, ids.f]);
    expect(await all({ status: 'PENDING', customerEmail: 'lookup@example.com', to: '2026-10-31' })).toEqual([ids.a, ids.b, ids.c]);
  });

  it('by number, and 404 for an unknown number', async () => {
    const order = await repos.orders.getRecord(ids.d!);
    const res = await get('GET /orders/by-number/{orderNumber}', { orderNumber: order!.orderNumber });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ orderId: ids.d, channel: 'store' });
    expect(res.body).not.toHaveProperty('placedBy');
    expect((await get('GET /orders/by-number/{orderNumber}', { orderNumber: 'W20990101-0001' })).status).toBe(404);
  });

  it('refuses a cursor issued for other filters or another customer: 400 on query.cursor, no rows', async () => {
    const first = async (query: Record<string, string>) => (await get('GET /orders', {}, { ...query, limit: '1' })).body.nextCursor as string;
    const refused = async (query: Record<string, string>, cursor: string) => {
      const res = await get('GET /orders', {}, { ...query, limit: '1', cursor });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ path: 'query.cursor', message: 'is not a cursor returned by this API' }]);
    };
    const byApp = await first({ channel: 'app' });
    await refused({ channel: 'store' }, byApp);
    await refused({ channel: 'app', from: '2026-10-01' }, byApp);
    await refused({}, byApp);
    await refused({ status: 'PENDING' }, await first({ status: 'PENDING', channel: 'app' }));
    await refused({ customerEmail: 'someone-else@example.com' }, await first({ customerEmail: 'lookup@example.com' }));
    await refused({ from: '2026-09-01', to: '2026-11-10' }, await first({ from: '2026-10-01', to: '2026-11-10' }));
    // the same cursor still works with its own query
    expect((await get('GET /orders', {}, { channel: 'app', limit: '1', cursor: byApp })).status).toBe(200);

    const customerId = (await repos.orders.getRecord(ids.a!))!.customer.customerId;
    const other = await place({ customer: { email: 'other-customer@example.com', name: 'Other' } });
    const otherId = (await repos.orders.getRecord(other.body.orderId))!.customer.customerId;
    const theirs = (await get('GET /customers/{customerId}/orders', { customerId }, { limit: '1' })).body.nextCursor as string;
    const res = await get('GET /customers/{customerId}/orders', { customerId: otherId }, { limit: '1', cursor: theirs });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ path: 'query.cursor', message: 'is not a cursor returned by this API' }]);
  });

  it('answers the unbounded date look-ups at once: too long a range is 400, a future end is now', async () => {
    const started = Date.now();
    const ancient = await get('GET /orders', {}, { from: '0001-01-01', to: '1999-12-31' });
    expect(ancient.status).toBe(400);
    expect(ancient.body.errors).toEqual([{ path: 'query.from', message: 'must be at most 366 days before to (or now)' }]);
    expect((await get('GET /orders', {}, { from: '0001-01-01' })).status).toBe(400);
    const future = await get('GET /orders', {}, { from: '2026-01-01', to: '9999-12-31', limit: '100' });
    expect(future.status).toBe(200);
    expect(mine(future.body.items.map((o: Body) => o.orderId))).toEqual([ids.f, ids.e, ids.d, ids.c, ids.b, ids.a]);
    // with status, email or channel the look-up reads one partition, so any range is fine
    expect((await get('GET /orders', {}, { status: 'PENDING', from: '0001-01-01', to: '9999-12-31' })).status).toBe(200);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('stops at its read budget with a short page and a cursor; following the cursors reaches every order', async () => {
    const search = orderLookup({ doc: table.doc, tableName: table.tableName }).search;
    const walk = async (filter: Record<string, string>, readBudget: number) => {
      const pages: string[][] = [];
      let cursor: string | undefined;
      do {
        const page = await search(filter, { limit: 3, readBudget, now: new Date('2026-11-27T12:00:00.000Z'), ...(cursor ? { cursor } : {}) });
        pages.push(page.items.map((o) => o.orderId));
        cursor = page.nextCursor;
      } while (cursor && pages.length < 50);
      return pages;
    };
    // one month partition per request: September, October and November each end a page
    const monthly = await walk({ from: '2026-09-01T00:00:00.000Z', to: '2026-11-27T23:59:59.999Z' }, 1);
    expect(monthly.some((p) => p.length < 3)).toBe(true);
    expect(mine(monthly.flat())).toEqual([ids.f, ids.e, ids.d, ids.c, ids.b, ids.a]);
    // twelve empty months, four per request: empty pages that go on, then the end
    const empty = await walk({ from: '2025-09-01T00:00:00.000Z', to: '2026-08-31T23:59:59.999Z' }, 4);
    expect(empty).toEqual([[], [], []]);
    // a filter the index cannot apply (channel on the status queue) reads on, within the budget
    const filtered = await walk({ status: 'PENDING', channel: 'store' }, 1);
    expect(mine(filtered.flat())).toEqual([ids.b, ids.d]);
  });

  it('refuses tampered cursors, unknown filters, reversed ranges and storefront callers', async () => {
    expect((await get('GET /orders', {}, { cursor: 'not-a-cursor' })).status).toBe(400);
    expect((await get('GET /orders', {}, { colour: 'red' })).status).toBe(400);
    expect((await get('GET /orders', {}, { from: '2026-11-02', to: '2026-11-01' })).status).toBe(400);
    expect((await get('GET /orders', {}, {}, TOKENS.storefront)).status).toBe(403);
  });
});

describe('notes', () => {
  it('appends a NOTE with its author to the timeline; 404 for an unknown order', async () => {
    const res = await place({ customer: { email: 'note@example.com', name: 'Noted' } });
    const note = await call<Body>(lookup, {
      routeKey: 'POST /orders/{orderId}/notes',
      pathParameters: { orderId: res.body.orderId },
      body: { text: 'Customer called: deliver after 6pm' },
      claims: TOKENS.cs,
    });
    expect(note.status).toBe(201);
    expect(note.body).toMatchObject({ type: 'NOTE', actor: `cs:${TOKENS.cs.sub}`, detail: 'Customer called: deliver after 6pm' });
    const order = await repos.orders.get(res.body.orderId);
    expect(order!.timeline.map((t) => t.type)).toEqual(['ORDER_PLACED', 'NOTE']);
    const missing = await call<Body>(lookup, {
      routeKey: 'POST /orders/{orderId}/notes', pathParameters: { orderId: 'NOPE' }, body: { text: 'x' }, claims: TOKENS.cs,
    });
    expect(missing.status).toBe(404);
  });
});
