import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { StockMovement } from '../../../shared/domain/decision';
import { decide, type Actor } from '../../../shared/domain/lifecycle';
import { orderChangeSet } from '../../../shared/domain/order-changes';
import {
  endHoldStageChangeSet, holdsEndBy, holdStageChangeSet, SKUS_PER_TRANSACTION, staged, stages,
} from '../../../shared/domain/stock-changes';
import { makeWriter, MAX_TRANSACTION_ACTIONS } from '../../../shared/store/writer';

// Orders of more SKUs than one transaction moves: what is staged, and that every
// stage and the order's own transaction fit in DynamoDB's 100 actions.

const NOW = new Date('2026-11-27T03:00:00.000Z');
const AT = NOW.toISOString();
const SYSTEM: Actor = { kind: 'system', id: 'reserve-stock' };
const writer = makeWriter({ doc: {} as DynamoDBDocumentClient, tableName: 't' });
const skus = (n: number) => Array.from({ length: n }, (_, i) => `S${i}`);
const reserve = (sku: string): StockMovement => ({
  sku, locationId: 'default', movement: 'RESERVE', quantity: 2, actor: 'system:reserve-stock', cause: { orderId: 'o-1' }, hold: 'create',
});
const order = { orderId: 'o-1', status: 'PENDING' as const, version: 1 };

describe('staged stock movements', () => {
  it('stages only orders of more SKUs than one transaction moves, in stages of at most that many, in order', () => {
    expect(staged(SKUS_PER_TRANSACTION)).toBe(false);
    expect(staged(SKUS_PER_TRANSACTION + 1)).toBe(true);
    const split = stages(skus(100));
    expect(split.map((s) => s.length)).toEqual([20, 20, 20, 20, 20]);
    expect(split.flat()).toEqual(skus(100));
    expect(stages(skus(41)).map((s) => s.length)).toEqual([20, 20, 1]);
    expect(stages([])).toEqual([]);
  });

  it('a reservation stage holds its SKUs only while the order is as read, and fits one transaction', () => {
    const set = holdStageChangeSet(order, skus(SKUS_PER_TRANSACTION).map(reserve), AT);
    expect(set.changes).toEqual([{ op: 'check', entity: 'order', id: ['o-1'], tag: 'order', expect: { equals: { status: 'PENDING', version: 1 } } }]);
    expect(set.events).toEqual([]);
    const actions = writer.actions({ ...set, events: [] });
    expect(actions).toHaveLength(4 * SKUS_PER_TRANSACTION + 1);
    expect(actions.length).toBeLessThanOrEqual(MAX_TRANSACTION_ACTIONS);
  });

  it('an ending stage deletes each hold only if it is still there', () => {
    const holds = skus(SKUS_PER_TRANSACTION).map((sku) => ({ sku, locationId: 'default', quantity: 2 }));
    const set = endHoldStageChangeSet('o-1', holds, 'RELEASE', 'cs:u-1', 'ORDER_CANCELLED', AT);
    expect(set.movements.every((m) => m.movement === 'RELEASE' && m.hold === 'end' && m.cause.orderId === 'o-1')).toBe(true);
    const actions = writer.actions({ ...set, events: [] });
    expect(actions).toHaveLength(4 * SKUS_PER_TRANSACTION);
    expect(actions.filter((a) => a.Delete?.ConditionExpression === 'attribute_exists(pk)')).toHaveLength(SKUS_PER_TRANSACTION);
  });

  it('the status alone says how the remaining holds end', () => {
    expect(['REJECTED', 'CANCELLED', 'EXPIRED'].map(holdsEndBy)).toEqual(['RELEASE', 'RELEASE', 'RELEASE']);
    expect(['SHIPPED', 'DELIVERED', 'COMPLETED'].map(holdsEndBy)).toEqual(['COMMIT', 'COMMIT', 'COMMIT']);
    expect(['PENDING', 'IN_REVIEW', 'AWAITING_PAYMENT', 'PAID', 'FULFILLING'].map(holdsEndBy)).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });

  it('an order of 20 SKUs still reserves in one transaction; a bigger one records what its stages hold and moves no stock itself', () => {
    const reservations = skus(20).map((sku) => ({ sku, quantity: 2 }));
    const small = orderChangeSet(order, decide(order, { type: 'reserve-succeeded', actor: SYSTEM }, NOW, { reservations }), { locationId: 'default' });
    expect(small.movements).toHaveLength(20);
    expect(writer.actions({ ...small, events: [] }).length + small.events.length).toBeLessThanOrEqual(MAX_TRANSACTION_ACTIONS);

    const big = skus(100).map((sku) => ({ sku, quantity: 2, locationId: 'default' }));
    const decision = decide(order, { type: 'reserve-succeeded', actor: SYSTEM }, NOW, { reservations: big.map(({ sku, quantity }) => ({ sku, quantity })) });
    const final = orderChangeSet(order, decision, { locationId: 'default', reservedLines: big });
    expect(final.movements).toEqual([]);
    expect(final.changes.find((c) => c.entity === 'reservation')).toMatchObject({ op: 'put', expect: { exists: false }, item: { lines: big } });
  });

  it('ending the holds of a big order moves the order first, without its stock', () => {
    const held = { ...order, status: 'IN_REVIEW' as const, version: 2 };
    const cancel = decide(held, { type: 'cancel', actor: { kind: 'user', id: 'u-1', role: 'cs' }, reason: 'customer called' }, NOW);
    const lines = skus(21).map((sku) => ({ sku, quantity: 1, locationId: 'default' }));
    expect(orderChangeSet(held, cancel, { reservedLines: lines }).movements).toEqual([]);
    expect(orderChangeSet(held, cancel, { reservedLines: lines.slice(0, 20) }).movements).toHaveLength(20);
  });
});
