import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { makeHandler as makeReserveStock } from '../../../functions/reserve-stock/reserve-stock';
import { makeHandler as makeReview } from '../../../functions/review-order/review-order';
import { application, type Application } from '../../../shared/app';
import { orderLifecycle } from '../../../shared/app/order-lifecycle';
import { settingsService } from '../../../shared/app/settings';
import type { Actor } from '../../../shared/domain/actor';
import { defaultWorkflowSettings, WorkflowSettings, nextWorkflowSettings } from '../../../shared/domain/workflow-settings';
import * as keys from '../../../shared/store/keys';
import { lambdaContext } from '../../support/api-event';
import { NOW, pendingOrder, stocked } from '../../support/fixtures';
import { clientFor, createTestTable, type TestTable } from '../../support/table';

// reserve-stock and review-order decide on what the event that triggers them says of
// the order (OrderPlaced, StockReserved) instead of reading it again; on the real local
// endpoint, with each step's DynamoDB requests counted by command.

const CS: Actor = { kind: 'user', id: 'u-cs', role: 'cs' };

let table: TestTable;
let repos: Application;
/** DynamoDB commands each step sent, by name */
const sent: Record<'reserve' | 'review', Record<string, number>> = { reserve: {}, review: {} };
let reserve: ReturnType<typeof makeReserveStock>;
let review: ReturnType<typeof makeReview>;
const settings = () => settingsService({ doc: table.doc, tableName: table.tableName });

const clients: DynamoDBClient[] = [];
/** A client of its own for the step, whose requests are counted by command. */
function counted(step: keyof typeof sent): DynamoDBDocumentClient {
  const client = clientFor(inject('dynamoUrl'));
  clients.push(client);
  client.middlewareStack.add((next, context) => (args) => {
    const name = String(context.commandName).replace(/Command$/, '');
    sent[step][name] = (sent[step][name] ?? 0) + 1;
    return next(args);
  }, { step: 'initialize', name: 'countRequests' });
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

beforeAll(async () => {
  table = await createTestTable(inject('dynamoUrl'));
  repos = application(table.doc, table.tableName);
  // as deployed: the list of locations is reused for a while; the settings are read apart (not counted)
  const reserving = application(counted('reserve'), table.tableName, { locationsTtlMs: 60_000 });
  reserve = makeReserveStock({ orders: reserving.orders, stock: reserving.stock, now: () => NOW });
  const reviewCtx = { doc: counted('review'), tableName: table.tableName };
  review = makeReview({
    orders: application(reviewCtx.doc, table.tableName).orders, lifecycle: orderLifecycle(reviewCtx), settings: settings(), now: () => NOW, settingsTtlMs: 0,
  });
  // a container that reserved once knows the locations
  await stocked(repos, 'WARM-UP', 5);
  const first = await pendingOrder(repos, [{ sku: 'WARM-UP', quantity: 1 }]);
  await deliver(reserve, await eventOf(first, 'OrderPlaced'));
});
afterAll(async () => {
  for (const c of clients) c.destroy();
  await table?.drop();
});
beforeEach(() => {
  for (const step of Object.values(sent)) for (const k of Object.keys(step)) delete step[k];
});

interface Outgoing { eventId: string; detailType: string; source: string; detail: string }

/** The order's events in its outbox, oldest first. */
async function eventsOf(orderId: string): Promise<Outgoing[]> {
  const res = await table.doc.send(new QueryCommand({
    TableName: table.tableName,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :o)',
    ExpressionAttributeValues: { ':pk': keys.orderPartition(orderId), ':o': keys.outboxPrefix },
  }));
  return (res.Items ?? []) as Outgoing[];
}

async function eventOf(orderId: string, detailType: string): Promise<Outgoing> {
  const found = (await eventsOf(orderId)).filter((e) => e.detailType === detailType);
  expect(found, `${detailType} of ${orderId}`).toHaveLength(1);
  return found[0]!;
}

/** The event as its queue delivers it, its data changed by `edit` (an older producer). */
function message(e: Outgoing, edit: (data: Record<string, unknown>) => Record<string, unknown> = (d) => d): SQSEvent['Records'][number] {
  const detail = JSON.parse(e.detail) as { data: Record<string, unknown> };
  return {
    messageId: `m-${e.eventId}-${Math.random().toString(36).slice(2, 8)}`,
    receiptHandle: 'rh',
    body: JSON.stringify({ version: '0', id: e.eventId, 'detail-type': e.detailType, source: e.source, detail: { ...detail, data: edit(detail.data) } }),
    attributes: {} as never, messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:oms-test', awsRegion: 'us-east-1',
  };
}

async function deliver(step: typeof reserve | typeof review, e: Outgoing, edit?: (data: Record<string, unknown>) => Record<string, unknown>) {
  expect(await step({ Records: [message(e, edit)] }, lambdaContext)).toEqual({ batchItemFailures: [] });
}

let n = 0;
async function placed(qty = 2, onHand = 10) {
  const sku = `CO-${++n}-${Math.random().toString(36).slice(2, 6).toUpperCase()}`;
  await stocked(repos, sku, onHand);
  const orderId = await pendingOrder(repos, [{ sku, quantity: qty }]);
  return { orderId, sku };
}

/** What a redelivery must not change: the order, its timeline and events, the SKU's level and ledger. */
async function snapshot(orderId: string, sku: string) {
  const order = await repos.orders.get(orderId);
  return { order, events: (await eventsOf(orderId)).map((e) => e.eventId), level: await repos.stock.get(sku), ledger: await repos.stock.ledger(sku) };
}

async function setWorkflow(input: Record<string, unknown>) {
  const s = settings();
  const current = await s.get('workflow', WorkflowSettings, defaultWorkflowSettings());
  await s.replace('workflow', current, nextWorkflowSettings(current, { paymentDeadlineMinutes: 60, ...input }, 'admin', NOW));
}

describe('the order path on what its events carry', () => {
  it('reserves a fresh order in 2 requests (no read of the order) and approves it in 1', async () => {
    const { orderId, sku } = await placed(3, 10);
    await deliver(reserve, await eventOf(orderId, 'OrderPlaced'));
    expect(sent.reserve).toEqual({ BatchGetItem: 1, TransactWriteItems: 1 });
    expect(await repos.orders.get(orderId)).toMatchObject({ status: 'IN_REVIEW', version: 2, reservations: [{ sku, quantity: 3 }] });
    expect(await repos.stock.get(sku)).toMatchObject({ onHand: 10, reserved: 3, available: 7 });

    const reserved = await eventOf(orderId, 'StockReserved');
    // what review decides on, and nothing personal
    const data = JSON.parse(reserved.detail).data;
    expect(data).toEqual({
      orderId, orderNumber: expect.any(String), reservations: [{ sku, quantity: 3 }], version: 2, channel: 'web',
      total: { amount: 3000, currency: 'CNY' }, customerId: expect.stringMatching(/^cus_/), shippingCountry: 'CN', skus: [sku], placedAt: NOW.toISOString(),
    });
    expect(reserved.detail).not.toContain('li.wei@example.com');
    expect(reserved.detail).not.toContain('Century Avenue');

    await deliver(review, reserved);
    expect(sent.review).toEqual({ TransactWriteItems: 1 });
    const order = await repos.orders.get(orderId);
    expect(order).toMatchObject({ status: 'AWAITING_PAYMENT', version: 3 });
    expect(order!.timeline.map((t) => t.type)).toEqual(['ORDER_PLACED', 'STOCK_RESERVED', 'ORDER_AUTO_APPROVED']);
  });

  it('an order cancelled before its reservation: the reservation reads it and holds nothing, in the same delivery', async () => {
    const { orderId, sku } = await placed(2, 4);
    await orderLifecycle({ doc: table.doc, tableName: table.tableName }).transition(orderId, { type: 'cancel', actor: CS, reason: 'Customer called' }, { causationId: 'c', now: NOW });
    await deliver(reserve, await eventOf(orderId, 'OrderPlaced'));
    // planned on the copy, refused by the order's condition, then read: cancelled, nothing to do
    expect(sent.reserve).toEqual({ BatchGetItem: 1, TransactWriteItems: 1, GetItem: 1 });
    const order = await repos.orders.get(orderId);
    expect(order).toMatchObject({ status: 'CANCELLED', version: 2 });
    expect(order!.reservations).toBeUndefined();
    expect(order!.timeline.map((t) => t.type)).toEqual(['ORDER_PLACED', 'ORDER_CANCELLED']);
    expect(await repos.stock.get(sku)).toMatchObject({ onHand: 4, reserved: 0, available: 4 });
    expect(await repos.stock.ledger(sku)).toHaveLength(1); // the receipt only
    expect((await eventsOf(orderId)).map((e) => e.detailType).sort()).toEqual(['OrderCancelled', 'OrderPlaced']);
  });

  it('an order reviewed by a person before the review step ran: the step reads it and leaves it alone', async () => {
    const { orderId } = await placed(1, 3);
    await deliver(reserve, await eventOf(orderId, 'OrderPlaced'));
    await orderLifecycle({ doc: table.doc, tableName: table.tableName }).transition(orderId, { type: 'reject', actor: { kind: 'user', id: 'u-ops', role: 'ops' }, reason: 'Suspected fraud' }, { causationId: 'r', now: NOW });
    await deliver(review, await eventOf(orderId, 'StockReserved'));
    expect(sent.review).toEqual({ TransactWriteItems: 1, GetItem: 1 });
    expect(await repos.orders.get(orderId)).toMatchObject({ status: 'REJECTED', version: 3 });
  });

  it('redelivered OrderPlaced and StockReserved, ten times each, in any order and at once, change nothing', async () => {
    const { orderId, sku } = await placed(2, 5);
    const placedEvent = await eventOf(orderId, 'OrderPlaced');
    await deliver(reserve, placedEvent);
    const reservedEvent = await eventOf(orderId, 'StockReserved');
    await deliver(review, reservedEvent);
    const before = await snapshot(orderId, sku);
    expect(before.order).toMatchObject({ status: 'AWAITING_PAYMENT', version: 3 });
    expect(before.level).toMatchObject({ reserved: 2, available: 3 });

    // one after another, shuffled; then all at once
    const redeliveries = [...Array(10).fill([reserve, placedEvent]), ...Array(10).fill([review, reservedEvent])] as [typeof reserve, Outgoing][];
    for (const [step, e] of redeliveries.sort(() => Math.random() - 0.5)) await deliver(step, e);
    expect(await snapshot(orderId, sku)).toEqual(before);
    await Promise.all(redeliveries.map(([step, e]) => deliver(step, e)));
    expect(await snapshot(orderId, sku)).toEqual(before);
  });

  it('a StockReserved redelivered after the order was sent to a person does not approve it, whatever the settings say now', async () => {
    await setWorkflow({ review: { channels: ['web'] } });
    try {
      const { orderId } = await placed(1, 3);
      await deliver(reserve, await eventOf(orderId, 'OrderPlaced'));
      const reservedEvent = await eventOf(orderId, 'StockReserved');
      await deliver(review, reservedEvent);
      expect(await repos.orders.get(orderId)).toMatchObject({ status: 'IN_REVIEW', version: 3, reviewReasons: ['Orders from the web channel are always reviewed'] });
      await setWorkflow({});
      await deliver(review, reservedEvent);
      const order = await repos.orders.get(orderId);
      expect(order).toMatchObject({ status: 'IN_REVIEW', version: 3 });
      expect(order!.timeline.map((t) => t.type)).toEqual(['ORDER_PLACED', 'STOCK_RESERVED', 'REVIEW_REQUIRED']);
    } finally {
      await setWorkflow({});
    }
  });

  it('events as published before they carried the order still work: the steps read the order', async () => {
    const { orderId, sku } = await placed(2, 6);
    // an OrderPlaced without the shipping country: reserved on its copy, but StockReserved cannot tell review everything
    await deliver(reserve, await eventOf(orderId, 'OrderPlaced'), ({ shippingCountry: _gone, ...data }) => data);
    expect(sent.reserve).toEqual({ BatchGetItem: 1, TransactWriteItems: 1 });
    const reserved = await eventOf(orderId, 'StockReserved');
    expect(Object.keys(JSON.parse(reserved.detail).data).sort()).toEqual(['orderId', 'orderNumber', 'reservations']);
    await deliver(review, reserved);
    expect(sent.review).toEqual({ GetItem: 1, TransactWriteItems: 1 });
    expect(await repos.orders.get(orderId)).toMatchObject({ status: 'AWAITING_PAYMENT', version: 3 });

    // a StockReserved of the old shape for an order reserved with the new one
    const other = await placed(1, 2);
    await deliver(reserve, await eventOf(other.orderId, 'OrderPlaced'));
    for (const k of Object.keys(sent.review)) delete sent.review[k];
    await deliver(review, await eventOf(other.orderId, 'StockReserved'), ({ orderId: id, orderNumber, reservations }) => ({ orderId: id, orderNumber, reservations }));
    expect(sent.review).toEqual({ GetItem: 1, TransactWriteItems: 1 });
    expect(await repos.orders.get(other.orderId)).toMatchObject({ status: 'AWAITING_PAYMENT' });
    expect(await repos.stock.get(sku)).toMatchObject({ reserved: 2, available: 4 });
  });

  it('a workflow that flags customers by email still flags them: review reads the order for the email', async () => {
    await setWorkflow({ review: { flaggedCustomers: { emails: ['Li.Wei@example.com'], customerIds: [] } } });
    try {
      const { orderId } = await placed(1, 3);
      await deliver(reserve, await eventOf(orderId, 'OrderPlaced'));
      await deliver(review, await eventOf(orderId, 'StockReserved'));
      expect(sent.review).toEqual({ GetItem: 1, TransactWriteItems: 1 });
      expect(await repos.orders.get(orderId)).toMatchObject({ status: 'IN_REVIEW', reviewReasons: ['Customer li.wei@example.com is flagged for review'] });
    } finally {
      await setWorkflow({});
    }
  });
});
