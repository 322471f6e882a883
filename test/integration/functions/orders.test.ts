import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { makeHandler as makeGetOrder } from '../../../functions/get-order/get-order';
import { makeHandler as makePlaceOrder } from '../../../functions/place-order/place-order';
import { makeHandler as makeReserveStock } from '../../../functions/reserve-stock/reserve-stock';
import { application as repositories, type Application as Repositories } from '../../../shared/app';
import { call, lambdaContext, TOKENS } from '../../support/api-event';
import { NOW, orderRequest, stocked } from '../../support/fixtures';
import { createTestTable, type TestTable } from '../../support/table';
import sample from '../../../events/samples/place-order.json';
import type { SQSEvent } from 'aws-lambda';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as keys from '../../../shared/store/keys';

let table: TestTable;
let repos: Repositories;
let placeOrder: ReturnType<typeof makePlaceOrder>;
let getOrder: ReturnType<typeof makeGetOrder>;

beforeAll(async () => {
  table = await createTestTable(inject('dynamoUrl'));
  repos = repositories(table.doc, table.tableName);
  placeOrder = makePlaceOrder({ orders: repos.orders, now: () => NOW });
  getOrder = makeGetOrder({ orders: repos.orders });
  await stocked(repos, 'TEA-JASMINE-250', 50, 4900);
  await stocked(repos, 'CUP-CELADON', 5, 12800);
});
afterAll(() => table?.drop());

const post = (body: unknown, key?: string, claims: Record<string, string | string[]> = TOKENS.storefront) =>
  call<Record<string, unknown>>(placeOrder, {
    routeKey: 'POST /orders',
    body,
    claims,
    headers: key ? { 'Idempotency-Key': key } : {},
  });

const get = (orderId: string, claims: Record<string, string | string[]> = TOKENS.storefront) =>
  call<Record<string, unknown>>(getOrder, { routeKey: 'GET /orders/{orderId}', pathParameters: { orderId }, claims });

/** how many orders are PENDING, counted through the status index */
async function pendingOrders(): Promise<number> {
  const res = await table.doc.send(
    new QueryCommand({
      TableName: table.tableName,
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.orderStatusIndex('PENDING', '', '').gsi2pk },
    }),
  );
  return res.Count ?? 0;
}

describe('POST /orders', () => {
  it('accepts an order priced from the catalog and returns 202 with a readable number and Location', async () => {
    const { externalRef: _ignored, ...body } = sample;
    const res = await post(body, 'key-first');
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ orderId: expect.any(String), orderNumber: expect.stringMatching(/^W20261127-\d{4}$/), status: 'PENDING' });
    expect(res.headers.location).toBe(`/orders/${res.body.orderId}`);

    const order = await get(String(res.body.orderId));
    expect(order.status).toBe(200);
    expect(order.body).toMatchObject({
      orderNumber: res.body.orderNumber,
      status: 'PENDING',
      channel: 'web',
      version: 1,
      customer: { email: 'li.wei@example.com', name: 'Li Wei', customerId: expect.stringMatching(/^cus_/) },
      lines: [
        { sku: 'TEA-JASMINE-250', quantity: 2, unitPrice: { amount: 4900, currency: 'CNY' } },
        { sku: 'CUP-CELADON', quantity: 1, unitPrice: { amount: 12800, currency: 'CNY' } },
      ],
      totals: { subtotal: { amount: 22600, currency: 'CNY' }, total: { amount: 22600, currency: 'CNY' } },
      timeline: [{ type: 'ORDER_PLACED', at: NOW.toISOString() }],
    });
    expect(order.body).not.toHaveProperty('placedBy');
  });

  it('requires an Idempotency-Key from a storefront but not from customer service', async () => {
    const body = orderRequest([{ sku: 'TEA-JASMINE-250', quantity: 1 }], { channel: 'phone' });
    const missing = await post(body);
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual([{ path: 'headers.idempotency-key', message: 'is required' }]);
    const phone = await post(body, undefined, TOKENS.cs);
    expect(phone.status).toBe(202);
    expect(phone.body.orderNumber).toMatch(/^P20261127-/);
  });

  it('replays the same response for the same key and body, and answers 409 for a different body', async () => {
    const before = await pendingOrders();
    const body = orderRequest([{ sku: 'TEA-JASMINE-250', quantity: 3 }]);
    const first = await post(body, 'key-replay');
    const again = await post(body, 'key-replay');
    expect(again).toEqual(first);

    const different = await post(orderRequest([{ sku: 'TEA-JASMINE-250', quantity: 4 }]), 'key-replay');
    expect(different.status).toBe(409);
    expect(different.headers['content-type']).toBe('application/problem+json');
    expect(await pendingOrders()).toBe(before + 1);
  });

  it('creates one order when the same request is sent 10 times at once', async () => {
    const before = await pendingOrders();
    const body = orderRequest([{ sku: 'CUP-CELADON', quantity: 1 }]);
    const answers = await Promise.all(Array.from({ length: 10 }, () => post(body, 'key-concurrent')));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(202));
    expect(new Set(answers.map((a) => a.body.orderId)).size).toBe(1);
    expect(await pendingOrders()).toBe(before + 1);
  });

  it('keys belong to the client: another storefront may use the same key', async () => {
    const body = orderRequest([{ sku: 'CUP-CELADON', quantity: 1 }]);
    const mine = await post(body, 'key-shared');
    const theirs = await post(body, 'key-shared', TOKENS.otherStorefront);
    expect(theirs.status).toBe(202);
    expect(theirs.body.orderId).not.toBe(mine.body.orderId);
  });

  it('imports a marketplace order once per externalRef', async () => {
    const body = orderRequest([{ sku: 'TEA-JASMINE-250', quantity: 1 }], { channel: 'marketplace', externalRef: 'TMALL-778899' });
    const first = await post(body, 'import-1');
    const second = await post(body, 'import-2');
    expect(second.body).toEqual(first.body);
    const changed = await post({ ...body, notes: 'changed' }, 'import-3');
    expect(changed.status).toBe(409);
  });

  it('accepts 100 lines of different SKUs, refuses 101 with a 400 problem and creates nothing', async () => {
    const skus = Array.from({ length: 101 }, (_, i) => `MANY-${String(i).padStart(3, '0')}`);
    for (let i = 0; i < skus.length; i += 25) await Promise.all(skus.slice(i, i + 25).map((sku) => stocked(repos, sku, 1, 100)));
    const before = await pendingOrders();

    const tooMany = await post(orderRequest(skus.map((sku) => ({ sku, quantity: 1 }))), 'key-101-lines');
    expect(tooMany.status).toBe(400);
    expect(tooMany.headers['content-type']).toBe('application/problem+json');
    expect(tooMany.body.errors).toEqual([expect.objectContaining({ path: 'body.lines' })]);
    expect(await pendingOrders()).toBe(before);

    const hundred = await post(orderRequest(skus.slice(0, 100).map((sku) => ({ sku, quantity: 1 }))), 'key-100-lines');
    expect(hundred.status).toBe(202);
    expect(((await get(String(hundred.body.orderId))).body.totals as { total: unknown }).total).toEqual({ amount: 10_000, currency: 'CNY' });
  });

  it('rejects unknown SKUs with 422 naming them', async () => {
    const res = await post(orderRequest([{ sku: 'TEA-JASMINE-250', quantity: 1 }, { sku: 'GHOST-1', quantity: 1 }, { sku: 'GHOST-2', quantity: 2 }]), 'key-ghost');
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ type: '/problems/unknown-sku', skus: ['GHOST-1', 'GHOST-2'] });
  });
});

describe('GET /orders/{orderId}', () => {
  it('shows a storefront only its own orders; staff see all', async () => {
    const placed = await post(orderRequest([{ sku: 'TEA-JASMINE-250', quantity: 1 }]), 'key-own');
    const id = String(placed.body.orderId);
    expect((await get(id)).status).toBe(200);
    expect((await get(id, TOKENS.otherStorefront)).status).toBe(404);
    expect((await get(id, TOKENS.cs)).status).toBe(200);
    expect((await get('01NOSUCHORDER')).status).toBe(404);
  });

  it('shows reservations after reserve-stock consumed the OrderPlaced event', async () => {
    const placed = await post(orderRequest([{ sku: 'CUP-CELADON', quantity: 2 }]), 'key-reserve');
    const orderId = String(placed.body.orderId);
    const outbox = await table.doc.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :o)',
        ExpressionAttributeValues: { ':pk': keys.orderPartition(orderId), ':o': keys.outboxPrefix },
      }),
    );
    const item = outbox.Items![0]!;
    const sqsEvent: SQSEvent = {
      Records: [
        {
          messageId: 'm-1',
          receiptHandle: 'r',
          body: JSON.stringify({ version: '0', id: 'e', 'detail-type': item.detailType, source: item.source, detail: JSON.parse(item.detail) }),
          attributes: {} as never,
          messageAttributes: {},
          md5OfBody: '',
          eventSource: 'aws:sqs',
          eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:reservations',
          awsRegion: 'us-east-1',
        },
      ],
    };
    const reserve = makeReserveStock({ orders: repos.orders, now: () => NOW });
    expect(await reserve(sqsEvent, lambdaContext)).toEqual({ batchItemFailures: [] });
    expect(await reserve(sqsEvent, lambdaContext)).toEqual({ batchItemFailures: [] });

    const order = await get(orderId);
    expect(order.body).toMatchObject({ status: 'IN_REVIEW', version: 2, reservations: [{ sku: 'CUP-CELADON', quantity: 2 }] });
    expect((order.body.timeline as { type: string }[]).map((t) => t.type)).toEqual(['ORDER_PLACED', 'STOCK_RESERVED']);
  });
});
