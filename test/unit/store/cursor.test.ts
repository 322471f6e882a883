import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../shared/domain/errors';
import { cursorCodec } from '../../../shared/store/cursor';

const codec = cursorCodec('unit-test-secret-0123456789abcdef0123456789');
const ledger = (sku: string) => ({ list: 'ledger', sku });
const lastKey = { pk: 'PRODUCT#TEA-001', sk: 'LEDGER#2026-11-27T10:00:00.000Z#01J' };

/** The field errors of a 400, or 'accepted'. */
function refusal(fn: () => unknown) {
  try {
    fn();
    return 'accepted';
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as ValidationError).errors;
  }
}
const NOT_OURS = [{ path: 'query.cursor', message: 'is not a cursor returned by this API' }];

describe('list cursors', () => {
  it('round-trip the start key under the query that issued them', () => {
    const cursor = codec.next(ledger('TEA-001'), lastKey)!;
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(codec.startKey(ledger('TEA-001'), cursor)).toEqual(lastKey);
    // filters are bound whatever the order of their fields, and undefined ones do not count
    const sealed = codec.seal({ list: 'orders', status: 'PAID', channel: 'web', from: undefined }, { i: 2 })!;
    expect(codec.open({ channel: 'web', list: 'orders', status: 'PAID' }, sealed)).toEqual({ i: 2 });
  });

  it('mean the first page without a cursor, and no cursor when there is no next page', () => {
    expect(codec.startKey(ledger('TEA-001'), undefined)).toBeUndefined();
    expect(codec.next(ledger('TEA-001'), undefined)).toBeUndefined();
  });

  it('are refused for another partition, other filters or another list', () => {
    const cursor = codec.next(ledger('TEA-001'), lastKey)!;
    expect(refusal(() => codec.startKey(ledger('TEA-002'), cursor))).toEqual(NOT_OURS);
    expect(refusal(() => codec.startKey({ list: 'stock', sku: 'TEA-001' }, cursor))).toEqual(NOT_OURS);
    const orders = codec.seal({ list: 'orders', status: 'PAID' }, { i: 0 })!;
    expect(refusal(() => codec.open({ list: 'orders', status: 'PAID', channel: 'web' }, orders))).toEqual(NOT_OURS);
    expect(refusal(() => codec.open({ list: 'orders', status: 'SHIPPED' }, orders))).toEqual(NOT_OURS);
  });

  it('are refused when their key or signature was changed', () => {
    const cursor = codec.next(ledger('TEA-001'), lastKey)!;
    const [payload, mac] = cursor.split('.') as [string, string];
    const forged = Buffer.from(JSON.stringify({ ...lastKey, pk: 'PRODUCT#OTHER' })).toString('base64url');
    expect(refusal(() => codec.startKey(ledger('TEA-001'), `${forged}.${mac}`))).toEqual(NOT_OURS);
    const flipped = mac.slice(0, -2) + (mac.at(-2) === 'A' ? 'B' : 'A') + mac.at(-1);
    expect(refusal(() => codec.startKey(ledger('TEA-001'), `${payload}.${flipped}`))).toEqual(NOT_OURS);
    // a cursor signed with another stage's secret
    const other = cursorCodec('another-stage-secret-0123456789abcdef0123').next(ledger('TEA-001'), lastKey)!;
    expect(refusal(() => codec.startKey(ledger('TEA-001'), other))).toEqual(NOT_OURS);
  });

  it('are refused when they are garbage, including the unsigned cursors of before', () => {
    const unsigned = Buffer.from(JSON.stringify(lastKey)).toString('base64url');
    const monthWalk = Buffer.from(JSON.stringify({ m: '9999-12' })).toString('base64url');
    for (const garbage of ['', 'not-a-cursor', '.', 'a.b.c', '%%%.%%%', unsigned, monthWalk, `${unsigned}.`, `.${unsigned}`]) {
      expect(refusal(() => codec.startKey(ledger('TEA-001'), garbage)), garbage).toEqual(NOT_OURS);
    }
  });

  it('give a key only when the sealed state is one', () => {
    const notAKey = codec.seal(ledger('TEA-001'), { k: { pk: { S: 'x' } } })!;
    expect(refusal(() => codec.startKey(ledger('TEA-001'), notAKey))).toEqual(NOT_OURS);
  });
});
