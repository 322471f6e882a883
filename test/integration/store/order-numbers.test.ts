// Order numbers from each container's lease of the day's sequence, on a real local endpoint
// of our own so that its requests can be counted per caller (one access key per container).
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalDynamo, type LocalDynamo } from '../../../infra/local/dynamodb';
import { application } from '../../../shared/app';
import { placeOrder, placeOrderSteps } from '../../../shared/app/place-order';
import { MAX_LEASE } from '../../../shared/domain/order-number-lease';
import { parseOrderNumber } from '../../../shared/domain/order-number';
import * as keys from '../../../shared/store/keys';
import { createTableInput } from '../../../shared/store/table-schema';
import { orderRequest, stocked } from '../../support/fixtures';

let dynamo: LocalDynamo;
const tableName = `oms-order-numbers-${randomUUID().slice(0, 8)}`;
const docOf = (caller: string) =>
  DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: dynamo.url, region: 'us-east-1', credentials: { accessKeyId: caller, secretAccessKey: 'x' }, maxAttempts: 3 }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
/** A place-order container: its own steps (and so its own lease), its own access key. */
const container = (caller: string) => placeOrderSteps({ doc: docOf(caller), tableName }).orders;
const operationsOf = async (caller: string) => (await dynamo.stats()).byCaller[caller]?.operations ?? {};

let placed = 0;
/** Places one order of one unit through the placement path every channel takes: its number. */
async function place(orders: ReturnType<typeof container>, now: Date): Promise<string> {
  const n = ++placed;
  const { response } = await placeOrder(orders, {
    body: orderRequest([{ sku: 'TEA-OOLONG', quantity: 1 }], { customer: { email: `buyer-${n}@example.com`, name: 'Li Wei' } }),
    principal: 'shop-client-1', actor: 'storefront:shop-client-1', causationId: `req-${n}`, now, orderId: `ord-${randomUUID()}`, requestHash: `h${n}`,
  });
  return String((response.body as { orderNumber: string }).orderNumber);
}

async function counterOf(day: string): Promise<number> {
  const res = await docOf('reader').send(new GetCommand({ TableName: tableName, Key: keys.orderNumberCounter(day), ConsistentRead: true }));
  return Number(res.Item?.seq ?? 0);
}

beforeAll(async () => {
  dynamo = await startLocalDynamo();
  const admin = docOf('admin');
  await admin.send(new CreateTableCommand(createTableInput(tableName)));
  await stocked(application(admin, tableName), 'TEA-OOLONG', 1_000, 4900);
});
afterAll(async () => {
  await dynamo?.stop();
});

describe('order numbers from a lease', () => {
  it('gives 200 placements from 4 concurrent containers 200 distinct numbers, with fewer counter updates than orders', async () => {
    const now = new Date('2026-11-27T03:00:00.000Z');
    const callers = ['burst-1', 'burst-2', 'burst-3', 'burst-4'];
    const perContainer = 50;
    const numbers = (
      await Promise.all(callers.map(async (caller) => {
        const orders = container(caller);
        const mine: string[] = [];
        // a container takes one request at a time, as a Lambda container does
        for (let i = 0; i < perContainer; i++) mine.push(await place(orders, now));
        return mine;
      }))
    ).flat();

    expect(numbers).toHaveLength(200);
    expect(new Set(numbers).size).toBe(200);
    expect(numbers.every((n) => parseOrderNumber(n)?.day === '20261127' && n.startsWith('W'))).toBe(true);
    // what is taken and not used is at most one lease per container
    const counter = await counterOf('20261127');
    expect(Math.max(...numbers.map((n) => parseOrderNumber(n)!.sequence))).toBeLessThanOrEqual(counter);
    expect(counter - 200).toBeLessThanOrEqual(callers.length * MAX_LEASE);

    let requests = 0;
    for (const caller of callers) {
      const ops = await operationsOf(caller);
      // one read and one transaction per placement; the counter update only once per lease
      expect(ops.BatchGetItem).toBe(perContainer);
      expect(ops.TransactWriteItems).toBe(perContainer);
      expect(ops.UpdateItem).toBeLessThanOrEqual(perContainer / 2);
      requests += Object.values(ops).reduce((a, b) => a + b, 0);
    }
    expect(requests / 200).toBeLessThan(2.5);
  });

  it('numbers a quiet shop\'s orders one after another with no gap, whichever container places them', async () => {
    const now = new Date('2026-11-28T09:00:00.000Z');
    const a = container('quiet-a');
    const b = container('quiet-b');
    const pause = () => new Promise((r) => setTimeout(r, 1_100)); // longer than a lease's window
    expect(await place(a, now)).toBe('W20261128-0001');
    await pause();
    expect(await place(b, now)).toBe('W20261128-0002');
    await pause();
    expect(await place(a, now)).toBe('W20261128-0003');
    expect(await counterOf('20261128')).toBe(3);
    expect((await operationsOf('quiet-a')).UpdateItem).toBe(2);
    expect((await operationsOf('quiet-b')).UpdateItem).toBe(1);
  });
});
