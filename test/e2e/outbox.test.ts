import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { OrderRejected } from '../../events/catalog';
import { buildEvent } from '../../events/define-event';
import * as keys from '../../shared/store/keys';
import { outboxItem } from '../../shared/store/outbox';
import { SWEEP_AFTER_MS } from '../../functions/outbox-sweeper/outbox-sweeper';
import { clientFor, type TestTable } from '../support/table';
import { call, createProduct, eventually, placeOrder, settled, uniqueSku } from './client';

// The outbox on the running local cloud: the relay deletes the outbox item of what it
// published, and the scheduled sweeper delivers (and deletes) an item the relay never did.

let db: Pick<TestTable, 'client' | 'doc' | 'tableName'>;
beforeAll(async () => {
  const client = clientFor(inject('dynamoUrl'));
  const { TableNames = [] } = await client.send(new ListTablesCommand({}));
  const tableName = TableNames.find((t) => t.startsWith('oms-'))!;
  db = { client, tableName, doc: DynamoDBDocumentClient.from(client) };
});
afterAll(() => db?.client.destroy());

const unpublished = async () =>
  (
    await db.doc.send(
      new QueryCommand({
        TableName: db.tableName, IndexName: 'gsi2', KeyConditionExpression: 'gsi2pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.outboxUnpublishedPk },
      }),
    )
  ).Items ?? [];

/** The outbox items still in an order's partition. */
const outboxOf = async (orderId: string) =>
  (
    await db.doc.send(
      new QueryCommand({
        TableName: db.tableName, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :outbox)',
        ExpressionAttributeValues: { ':pk': keys.orderPartition(orderId), ':outbox': keys.outboxPrefix },
      }),
    )
  ).Items ?? [];

type Heard = { subject: string; eventId: string; occurredAt: string };
/**
 * Customer service's notifications that occurred at `since` or later, newest first: every page
 * of them (a whole test run adds more than a page within the two minutes the sweeper waits).
 */
const customerService = async (since: Date) => {
  const heard: Heard[] = [];
  for (let cursor: string | undefined; ;) {
    const res = await call('GET', `/notifications?department=customer-service&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { as: 'ops' });
    const items = res.body.items as Heard[];
    heard.push(...items.filter((n) => Date.parse(n.occurredAt) >= since.getTime()));
    cursor = res.body.nextCursor as string | undefined;
    if (!cursor || items.some((n) => Date.parse(n.occurredAt) < since.getTime())) return heard;
  }
};

describe('outbox', () => {
  it('the relay deletes the outbox item of every event it published', async () => {
    const sku = uniqueSku('OUTBOX');
    await createProduct(sku, 1);
    const placed = await placeOrder([{ sku, quantity: 1 }]);
    await settled(placed.body.orderId);
    const mine = (items: Record<string, unknown>[]) => items.filter((i) => String(i.pk).includes(placed.body.orderId));
    expect(mine(await eventually(unpublished, (items) => mine(items).length === 0))).toEqual([]);
    // OrderPlaced, StockReserved and the approval were published: nothing of them stays in the table
    expect(await eventually(() => outboxOf(placed.body.orderId), (items) => items.length === 0)).toEqual([]);
  });

  it('the sweeper delivers, with its own event id, an outbox item the relay never published', async () => {
    const orderId = `ORD-SWEEP-${randomUUID().slice(0, 8)}`;
    const orderNumber = `W20261127-S${randomUUID().slice(0, 4)}`;
    // written 110 s ago: the sweeper (which also runs every minute on its own) leaves it alone for 10 s more
    const writtenAt = new Date(Date.now() - 110_000);
    const event = buildEvent(
      OrderRejected,
      { orderId, orderNumber, previousStatus: 'IN_REVIEW', status: 'REJECTED', actor: 'ops:e2e', reason: 'Held back by the test', refundDue: false, shortages: [] },
      { eventId: `evt-${randomUUID()}`, occurredAt: writtenAt, correlationId: orderId, causationId: 'e2e' },
    );
    const item = outboxItem(keys.orderPartition(orderId), event, writtenAt);
    // As if its relay batch had run out of retries: written under another type (the stream
    // filter takes INSERTs of OUTBOX items only), then turned into an outbox item by a MODIFY.
    await db.doc.send(new PutCommand({ TableName: db.tableName, Item: { ...item, type: 'HELD' } }));
    await db.doc.send(new UpdateCommand({
      TableName: db.tableName, Key: { pk: item.pk, sk: item.sk },
      UpdateExpression: 'SET #type = :outbox', ExpressionAttributeNames: { '#type': 'type' }, ExpressionAttributeValues: { ':outbox': 'OUTBOX' },
    }));
    await new Promise((r) => setTimeout(r, 1500));
    expect((await customerService(writtenAt)).some((n) => n.eventId === event.eventId)).toBe(false);
    expect((await unpublished()).map((i) => i.eventId)).toContain(event.eventId);

    // fire the job's tick of two seconds past the sweeper's two minutes (a tick's time is in whole seconds) rather than wait for them
    const tick = new Date(writtenAt.getTime() + SWEEP_AFTER_MS + 2000).toISOString();
    const run = await call('POST', `/_local/schedules/outbox-sweeper/run?time=${tick}`);
    expect(run.status).toBe(200);
    expect(run.body.results[0]).toMatchObject({ ok: true });

    const heard = await eventually(() => customerService(writtenAt), (items) => items.some((n) => n.eventId === event.eventId));
    expect(heard.filter((n) => n.eventId === event.eventId)).toEqual([
      expect.objectContaining({ subject: `[OMS] Order rejected: ${orderNumber}` }),
    ]);
    const stored = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: { pk: item.pk, sk: item.sk } }));
    expect(stored.Item).toBeUndefined();
    expect((await unpublished()).map((i) => i.eventId)).not.toContain(event.eventId);
  });
});
