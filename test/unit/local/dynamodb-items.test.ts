import { describe, expect, it } from 'vitest';
import { sameItem } from '../../../infra/local/dynamodb/items';

// Whether a write changed an item (no stream record, no index write when it did not) compares
// items as DynamoDB does: sets without order, maps without key order, everything else exactly.
describe('sameItem', () => {
  const item = {
    pk: { S: 'ORDER#1' }, n: { N: '3' }, tags: { SS: ['a', 'b'] },
    m: { M: { x: { N: '1' }, y: { L: [{ S: 'p' }, { S: 'q' }] } } },
  };

  it('ignores the order of set members and of map keys', () => {
    expect(sameItem(item, { m: { M: { y: { L: [{ S: 'p' }, { S: 'q' }] }, x: { N: '1' } } }, tags: { SS: ['b', 'a'] }, n: { N: '3' }, pk: { S: 'ORDER#1' } })).toBe(true);
  });

  it('sees a changed value, a changed list order, a missing or added attribute, and a set of other members', () => {
    expect(sameItem(item, { ...item, n: { N: '4' } })).toBe(false);
    expect(sameItem(item, { ...item, m: { M: { x: { N: '1' }, y: { L: [{ S: 'q' }, { S: 'p' }] } } } })).toBe(false);
    const { n: _, ...without } = item;
    expect(sameItem(item, without)).toBe(false);
    expect(sameItem(without, item)).toBe(false);
    expect(sameItem(item, { ...item, extra: { BOOL: true } })).toBe(false);
    expect(sameItem(item, { ...item, tags: { SS: ['a', 'c'] } })).toBe(false);
    expect(sameItem(item, { ...item, n: { S: '3' } })).toBe(false);
  });

  it('treats two absent items as the same, and an absent one as different from any item', () => {
    expect(sameItem(undefined, undefined)).toBe(true);
    expect(sameItem(undefined, item)).toBe(false);
    expect(sameItem(item, undefined)).toBe(false);
  });
});
