// TransactWriteItems / TransactGetItems against DynamoDB's documented behaviour:
// all-or-nothing, conditions judged on the state before the transaction, CancellationReasons
// one per action, same-item validation, idempotency tokens, isolation from concurrent readers.
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, GetCommand, PutCommand, TransactGetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { clients, createTable, rejection, uniqueTableName } from './helpers';

const { client, doc } = clients(inject('dynamoUrl'));
const table = uniqueTableName('transactions');

const stock = (sku: string) => ({ pk: `STOCK#${sku}`, sk: 'STOCK' });
const take = (sku: string, q: number) => ({
  Update: {
    TableName: table,
    Key: stock(sku),
    UpdateExpression: 'SET available = available - :q',
    ConditionExpression: 'available >= :q',
    ExpressionAttributeValues: { ':q': q },
  },
});

beforeAll(async () => {
  await createTable(client, table);
});

describe('TransactWriteItems', () => {
  it('applies every action when all conditions hold', async () => {
    await doc.send(new PutCommand({ TableName: table, Item: { ...stock('a1'), available: 5 } }));
    await doc.send(new PutCommand({ TableName: table, Item: { pk: 'PRODUCT#a1', sk: 'PRODUCT', active: true } }));
    await doc.send(
      new TransactWriteCommand({
        TransactItems: [
          take('a1', 2),
          { Put: { TableName: table, Item: { pk: 'ORDER#1', sk: 'ORDER', total: 2 }, ConditionExpression: 'attribute_not_exists(pk)' } },
          { ConditionCheck: { TableName: table, Key: { pk: 'PRODUCT#a1', sk: 'PRODUCT' }, ConditionExpression: 'active = :yes', ExpressionAttributeValues: { ':yes': true } } },
        ],
      }),
    );
    expect((await doc.send(new GetCommand({ TableName: table, Key: stock('a1') }))).Item?.available).toBe(3);
    expect((await doc.send(new GetCommand({ TableName: table, Key: { pk: 'ORDER#1', sk: 'ORDER' } }))).Item).toEqual({ pk: 'ORDER#1', sk: 'ORDER', total: 2 });
  });

  it('cancels the whole transaction with one reason per action when a condition fails', async () => {
    await doc.send(new PutCommand({ TableName: table, Item: { ...stock('b1'), available: 1 } }));
    const err = await rejection(
      doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { ...take('b1', 5), Update: { ...take('b1', 5).Update, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } },
            { Put: { TableName: table, Item: { pk: 'ORDER#2', sk: 'ORDER' } } },
          ],
        }),
      ),
    );
    expect(err).toBeInstanceOf(TransactionCanceledException);
    expect(err.message).toBe('Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed, None]');
    expect((err as unknown as TransactionCanceledException).CancellationReasons).toEqual([
      { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed', Item: { ...{ pk: { S: 'STOCK#b1' }, sk: { S: 'STOCK' } }, available: { N: '1' } } },
      { Code: 'None' },
    ]);
    expect((await doc.send(new GetCommand({ TableName: table, Key: { pk: 'ORDER#2', sk: 'ORDER' } }))).Item).toBeUndefined();
  });

  it('reports every failing condition, without Item unless ALL_OLD was asked', async () => {
    const err = await rejection(
      doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { ConditionCheck: { TableName: table, Key: { pk: 'none', sk: 'x' }, ConditionExpression: 'attribute_exists(pk)' } },
            { Put: { TableName: table, Item: { pk: 'ORDER#3', sk: 'ORDER' } } },
            { Delete: { TableName: table, Key: { pk: 'none', sk: 'y' }, ConditionExpression: 'attribute_exists(pk)' } },
          ],
        }),
      ),
    );
    expect((err as unknown as TransactionCanceledException).CancellationReasons).toEqual([
      { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' },
      { Code: 'None' },
      { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' },
    ]);
  });

  it('judges every condition against the state before the transaction', async () => {
    // The Put would make the ConditionCheck true, but conditions see the state before the transaction.
    const err = await rejection(
      doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: table, Item: { pk: 'NEW#1', sk: 'A', flag: true } } },
            { ConditionCheck: { TableName: table, Key: { pk: 'NEW#1', sk: 'B' }, ConditionExpression: 'attribute_exists(pk)' } },
          ],
        }),
      ),
    );
    expect(err.name).toBe('TransactionCanceledException');
    expect((await doc.send(new GetCommand({ TableName: table, Key: { pk: 'NEW#1', sk: 'A' } }))).Item).toBeUndefined();
  });

  it('rejects two actions on the same item with a ValidationException', async () => {
    const err = await rejection(
      doc.send(new TransactWriteCommand({ TransactItems: [take('a1', 1), { Put: { TableName: table, Item: { ...stock('a1'), available: 9 } } }] })),
    );
    expect(err.name).toBe('ValidationException');
    expect(err.message).toBe('Transaction request cannot include multiple operations on one item');
  });

  it('rejects more than 100 actions and an empty list', async () => {
    const many = Array.from({ length: 101 }, (_, i) => ({ Put: { TableName: table, Item: { pk: `MANY#${i}`, sk: 'X' } } }));
    expect((await rejection(doc.send(new TransactWriteCommand({ TransactItems: many })))).name).toBe('ValidationException');
    expect((await rejection(doc.send(new TransactWriteCommand({ TransactItems: [] })))).name).toBe('ValidationException');
    const hundred = many.slice(0, 100);
    await doc.send(new TransactWriteCommand({ TransactItems: hundred }));
  });

  it('reports expression errors the way DynamoDB does (dynalite validation)', async () => {
    const err = await rejection(
      doc.send(
        new TransactWriteCommand({
          TransactItems: [{ Update: { TableName: table, Key: stock('a1'), UpdateExpression: 'SET available = :v', ExpressionAttributeValues: { ':v': 1, ':unused': 2 } } }],
        }),
      ),
    );
    expect(err.name).toBe('ValidationException');
    expect(err.message).toMatch(/unused in expressions/);
  });

  it('undoes earlier actions when a later update cannot be applied to its item', async () => {
    await doc.send(new PutCommand({ TableName: table, Item: { pk: 'TYPE#1', sk: 'X', label: 'text' } }));
    const err = await rejection(
      doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: table, Item: { pk: 'TYPE#2', sk: 'X' } } },
            { Update: { TableName: table, Key: { pk: 'TYPE#1', sk: 'X' }, UpdateExpression: 'ADD label :n', ExpressionAttributeValues: { ':n': 1 } } },
          ],
        }),
      ),
    );
    expect(err.name).toBe('TransactionCanceledException');
    expect((err as unknown as TransactionCanceledException).CancellationReasons?.map((r) => r.Code)).toEqual(['None', 'ValidationError']);
    expect((await doc.send(new GetCommand({ TableName: table, Key: { pk: 'TYPE#2', sk: 'X' } }))).Item).toBeUndefined();
  });

  it('answers ResourceNotFoundException for a missing table', async () => {
    const err = await rejection(doc.send(new TransactWriteCommand({ TransactItems: [{ Put: { TableName: 'no-such-table', Item: { pk: 'a', sk: 'b' } } }] })));
    expect(err.name).toBe('ResourceNotFoundException');
  });

  it('lets exactly the available units through a 50-way race', async () => {
    await doc.send(new PutCommand({ TableName: table, Item: { ...stock('race'), available: 10 } }));
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        doc.send(new TransactWriteCommand({ TransactItems: [take('race', 1), { Put: { TableName: table, Item: { pk: `RACE#${i}`, sk: 'ORDER' } } }] })),
      ),
    );
    const ok = results.filter((r) => r.status === 'fulfilled');
    const cancelled = results.filter((r) => r.status === 'rejected' && r.reason instanceof TransactionCanceledException);
    expect(ok).toHaveLength(10);
    expect(cancelled).toHaveLength(40);
    expect((await doc.send(new GetCommand({ TableName: table, Key: stock('race') }))).Item?.available).toBe(0);
  });
});

describe('single-item conditional writes', () => {
  it('return the old item on ConditionalCheckFailedException when ReturnValuesOnConditionCheckFailure is ALL_OLD', async () => {
    await doc.send(new PutCommand({ TableName: table, Item: { ...stock('single'), available: 1 } }));
    const err = await rejection(
      doc.send(
        new UpdateCommand({
          TableName: table,
          Key: stock('single'),
          UpdateExpression: 'SET available = available - :q',
          ConditionExpression: 'available >= :q',
          ExpressionAttributeValues: { ':q': 2 },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      ),
    );
    expect(err).toBeInstanceOf(ConditionalCheckFailedException);
    expect((err as unknown as ConditionalCheckFailedException).Item).toEqual({ pk: { S: 'STOCK#single' }, sk: { S: 'STOCK' }, available: { N: '1' } });
  });
});

describe('ClientRequestToken', () => {
  it('applies a repeated request once and rejects a different request with the same token', async () => {
    await doc.send(new PutCommand({ TableName: table, Item: { ...stock('idem'), available: 10 } }));
    const token = `token-${Date.now()}`;
    await doc.send(new TransactWriteCommand({ ClientRequestToken: token, TransactItems: [take('idem', 3)] }));
    await doc.send(new TransactWriteCommand({ ClientRequestToken: token, TransactItems: [take('idem', 3)] }));
    expect((await doc.send(new GetCommand({ TableName: table, Key: stock('idem') }))).Item?.available).toBe(7);
    const err = await rejection(doc.send(new TransactWriteCommand({ ClientRequestToken: token, TransactItems: [take('idem', 4)] })));
    expect(err.name).toBe('IdempotentParameterMismatchException');
  });
});

describe('isolation', () => {
  it('never shows a torn total to TransactGetItems, GetItem or BatchGetItem during concurrent transfers', async () => {
    const a = { pk: 'ACCOUNT#a', sk: 'ACCOUNT' };
    const b = { pk: 'ACCOUNT#b', sk: 'ACCOUNT' };
    await doc.send(new PutCommand({ TableName: table, Item: { ...a, balance: 500 } }));
    await doc.send(new PutCommand({ TableName: table, Item: { ...b, balance: 500 } }));
    const transfer = (from: typeof a, to: typeof a, amount: number) =>
      doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Update: { TableName: table, Key: from, UpdateExpression: 'SET balance = balance - :x', ConditionExpression: 'balance >= :x', ExpressionAttributeValues: { ':x': amount } } },
            { Update: { TableName: table, Key: to, UpdateExpression: 'SET balance = balance + :x', ExpressionAttributeValues: { ':x': amount } } },
          ],
        }),
      ).catch((err: unknown) => {
        if (!(err instanceof TransactionCanceledException)) throw err;
      });

    let done = false;
    const totals: number[] = [];
    const reader = (async () => {
      while (!done) {
        const tx = await doc.send(new TransactGetCommand({ TransactItems: [{ Get: { TableName: table, Key: a } }, { Get: { TableName: table, Key: b } }] }));
        totals.push(Number(tx.Responses?.[0]?.Item?.balance) + Number(tx.Responses?.[1]?.Item?.balance));
        const batch = await doc.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: [a, b], ConsistentRead: true } } }));
        totals.push((batch.Responses?.[table] ?? []).reduce((sum, item) => sum + Number(item.balance), 0));
      }
    })();
    const writers = Array.from({ length: 200 }, (_, i) => (i % 2 ? transfer(a, b, 1 + (i % 7)) : transfer(b, a, 1 + (i % 5))));
    await Promise.all(writers);
    done = true;
    await reader;
    expect(totals.length).toBeGreaterThan(0);
    expect(new Set(totals)).toEqual(new Set([1000]));
  });

  it('never shows GetItem a write that a failing transaction undoes', async () => {
    const target = { pk: 'UNDO#a', sk: 'X' };
    await doc.send(new PutCommand({ TableName: table, Item: { ...target, state: 'committed' } }));
    await doc.send(new PutCommand({ TableName: table, Item: { pk: 'UNDO#b', sk: 'X', label: 'text' } }));
    // The second action fails while being applied (ADD to a string), so the first is written and undone.
    const failing = () =>
      doc
        .send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: table, Item: { ...target, state: 'uncommitted' } } },
              { Update: { TableName: table, Key: { pk: 'UNDO#b', sk: 'X' }, UpdateExpression: 'ADD label :n', ExpressionAttributeValues: { ':n': 1 } } },
            ],
          }),
        )
        .catch(() => undefined);
    let done = false;
    const states = new Set<unknown>();
    const reader = (async () => {
      while (!done) states.add((await doc.send(new GetCommand({ TableName: table, Key: target }))).Item?.state);
    })();
    await Promise.all(Array.from({ length: 100 }, failing));
    done = true;
    await reader;
    expect(states).toEqual(new Set(['committed']));
  });

  it('interleaves single-item writes with transactions without losing updates', async () => {
    const counter = { pk: 'COUNTER#1', sk: 'COUNTER' };
    await doc.send(new PutCommand({ TableName: table, Item: { ...counter, n: 0 } }));
    await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        i % 2
          ? doc.send(new UpdateCommand({ TableName: table, Key: counter, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': 1 } }))
          : doc.send(new TransactWriteCommand({ TransactItems: [{ Update: { TableName: table, Key: counter, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': 1 } } }] })),
      ),
    );
    expect((await doc.send(new GetCommand({ TableName: table, Key: counter, ConsistentRead: true }))).Item?.n).toBe(60);
  });
});

describe('TransactGetItems', () => {
  it('returns one response per Get, empty for a missing item, with projections', async () => {
    await doc.send(new PutCommand({ TableName: table, Item: { pk: 'GET#1', sk: 'X', a: 1, b: 2 } }));
    const out = await doc.send(
      new TransactGetCommand({
        TransactItems: [
          { Get: { TableName: table, Key: { pk: 'GET#1', sk: 'X' }, ProjectionExpression: 'a' } },
          { Get: { TableName: table, Key: { pk: 'GET#missing', sk: 'X' } } },
        ],
      }),
    );
    expect(out.Responses).toEqual([{ Item: { a: 1 } }, {}]);
  });

  it('rejects two Gets of the same item', async () => {
    const key = { pk: 'GET#1', sk: 'X' };
    const err = await rejection(doc.send(new TransactGetCommand({ TransactItems: [{ Get: { TableName: table, Key: key } }, { Get: { TableName: table, Key: key } }] })));
    expect(err.message).toBe('Transaction request cannot include multiple operations on one item');
  });
});
