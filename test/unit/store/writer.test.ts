import { describe, expect, it, vi } from 'vitest';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { OutgoingEvent } from '../../../events/define-event';
import type { ChangeSet } from '../../../shared/domain/decision';
import { ENTITIES } from '../../../shared/store/entities';
import { MAX_TRANSACTION_ACTIONS, TransactionTooLarge, makeWriter } from '../../../shared/store/writer';

// A payment attempt: an aggregate that is not an order, declared the way a new one
// would be (its own entity mapping), written through the same writer.
const PAYMENTS = {
  ...ENTITIES,
  paymentAttempt: {
    type: 'PAYMENTATTEMPT',
    key: (id: readonly string[]) => ({ pk: `PAYMENTATTEMPT#${id[0]}`, sk: 'ATTEMPT' }),
    partition: (id: string) => `PAYMENTATTEMPT#${id}`,
    updateIndexes: (set: Record<string, unknown>) => (set.status === undefined ? {} : { gsi2pk: `ATTEMPTSTATUS#${String(set.status)}` }),
  },
};

const AT = '2026-11-27T03:00:00.000Z';
const event: OutgoingEvent = { eventId: 'evt-1', source: 'oms.payments', detailType: 'PaymentCaptured', detail: '{}' };

function captured(): ChangeSet<OutgoingEvent> {
  return {
    aggregate: { entity: 'paymentAttempt', id: 'pa-1' },
    at: AT,
    changes: [{
      op: 'update', entity: 'paymentAttempt', id: ['pa-1'], tag: 'attempt',
      expect: { equals: { version: 3, status: 'AUTHORIZED' } },
      set: { status: 'CAPTURED', version: 4, updatedAt: AT },
    }],
    timeline: { at: AT, type: 'PAYMENT_CAPTURED', actor: 'system:apply-payment' },
    events: [event],
    movements: [],
  };
}

const fakeDoc = () => ({ send: vi.fn(async () => ({})) });

describe('the writer', () => {
  it('turns a change set of another aggregate into one transaction: the conditioned item, its index key, timeline, outbox', async () => {
    const doc = fakeDoc();
    const writer = makeWriter({ doc: doc as unknown as DynamoDBDocumentClient, tableName: 't' }, PAYMENTS);
    await writer.commit(captured());
    expect(doc.send).toHaveBeenCalledTimes(1);
    const [[command]] = doc.send.mock.calls as unknown as [[{ input: { TransactItems: Record<string, { Item?: Record<string, unknown> } & Record<string, unknown>>[] } }]];
    const items = command.input.TransactItems;
    expect(items).toHaveLength(3);
    expect(items[0]!.Update).toMatchObject({
      Key: { pk: 'PAYMENTATTEMPT#pa-1', sk: 'ATTEMPT' },
      ConditionExpression: '#c_version = :eq_version AND #c_status = :eq_status',
      ExpressionAttributeValues: expect.objectContaining({ ':eq_version': 3, ':s_version': 4, ':s_status': 'CAPTURED', ':s_gsi2pk': 'ATTEMPTSTATUS#CAPTURED' }),
    });
    expect(items[1]!.Put!.Item).toMatchObject({ pk: 'PAYMENTATTEMPT#pa-1', type: 'TIMELINE', eventType: 'PAYMENT_CAPTURED', actor: 'system:apply-payment' });
    expect(items[2]!.Put!.Item).toMatchObject({ pk: 'PAYMENTATTEMPT#pa-1', type: 'OUTBOX', eventId: 'evt-1', detailType: 'PaymentCaptured' });
  });

  it(`refuses more than ${MAX_TRANSACTION_ACTIONS} actions before sending anything`, async () => {
    const doc = fakeDoc();
    const writer = makeWriter({ doc: doc as unknown as DynamoDBDocumentClient, tableName: 't' }, PAYMENTS);
    const big = captured();
    big.movements = Array.from({ length: 25 }, (_, i) => ({
      sku: `SKU-${i}`, locationId: 'MAIN', movement: 'RESERVE' as const, quantity: 1, actor: 'system:reserve-stock', cause: { orderId: 'o-1' }, hold: 'create' as const,
    }));
    expect(writer.actions(big)).toHaveLength(103);
    const err = await writer.commit(big).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransactionTooLarge);
    expect((err as Error).message).toBe('The change to paymentAttempt pa-1 needs 103 actions; one transaction takes at most 100');
    expect(doc.send).not.toHaveBeenCalled();
  });

  it('refuses an entity the store does not know', async () => {
    const writer = makeWriter({ doc: fakeDoc() as unknown as DynamoDBDocumentClient, tableName: 't' });
    await expect(writer.commit(captured())).rejects.toThrow('The store knows no entity "paymentAttempt"');
  });
});
