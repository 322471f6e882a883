import { describe, expect, it } from 'vitest';
import { matchesPattern, validatePattern } from '../../../infra/local/event-pattern';

const event = {
  version: '0',
  id: 'e-1',
  'detail-type': 'OrderPlaced',
  source: 'oms.orders',
  account: '000000000000',
  region: 'us-east-1',
  resources: ['arn:aws:dynamodb:us-east-1:000000000000:table/oms-dev'],
  detail: {
    metadata: { eventId: 'E1', schemaVersion: 1 },
    data: { orderId: 'O-1', total: 1999, channel: 'Web', tags: ['vip', 'gift'], lines: [{ sku: 'A', quantity: 2 }, { sku: 'B', quantity: 5 }], note: null, ip: '10.0.0.7' },
  },
};

const m = (pattern: unknown) => matchesPattern(pattern, event);

describe('EventBridge pattern matching', () => {
  it('matches exact values and requires every key', () => {
    expect(m({ source: ['oms.orders'], 'detail-type': ['OrderPlaced'] })).toBe(true);
    expect(m({ source: ['oms.orders'], 'detail-type': ['StockReserved'] })).toBe(false);
    expect(m({ source: ['oms.inventory', 'oms.orders'] })).toBe(true);
    expect(m('{"source":["oms.orders"]}')).toBe(true);
  });

  it('matches nested objects, numbers and null literals', () => {
    expect(m({ detail: { data: { orderId: ['O-1'] } } })).toBe(true);
    expect(m({ detail: { metadata: { schemaVersion: [1] } } })).toBe(true);
    expect(m({ detail: { metadata: { schemaVersion: ['1'] } } })).toBe(false);
    expect(m({ detail: { data: { note: [null] } } })).toBe(true);
    expect(m({ detail: { data: { missing: ['x'] } } })).toBe(false);
  });

  it('matches an event array when any element matches', () => {
    expect(m({ detail: { data: { tags: ['gift'] } } })).toBe(true);
    expect(m({ detail: { data: { tags: ['cheap'] } } })).toBe(false);
    expect(m({ resources: [{ prefix: 'arn:aws:dynamodb:' }] })).toBe(true);
    expect(m({ detail: { data: { lines: { sku: ['B'] } } } })).toBe(true);
    expect(m({ detail: { data: { lines: { sku: ['C'] } } } })).toBe(false);
  });

  it('supports prefix and suffix, also ignoring case', () => {
    expect(m({ source: [{ prefix: 'oms.' }] })).toBe(true);
    expect(m({ source: [{ prefix: 'aws.' }] })).toBe(false);
    expect(m({ source: [{ suffix: '.orders' }] })).toBe(true);
    expect(m({ source: [{ prefix: { 'equals-ignore-case': 'OMS.' } }] })).toBe(true);
    expect(m({ source: [{ suffix: { 'equals-ignore-case': '.ORDERS' } }] })).toBe(true);
  });

  it('supports anything-but with values, lists, prefix and suffix', () => {
    expect(m({ 'detail-type': [{ 'anything-but': 'OrderRejected' }] })).toBe(true);
    expect(m({ 'detail-type': [{ 'anything-but': ['OrderPlaced', 'X'] }] })).toBe(false);
    expect(m({ source: [{ 'anything-but': { prefix: 'aws.' } }] })).toBe(true);
    expect(m({ source: [{ 'anything-but': { prefix: 'oms.' } }] })).toBe(false);
    expect(m({ source: [{ 'anything-but': { suffix: '.orders' } }] })).toBe(false);
    expect(m({ detail: { data: { total: [{ 'anything-but': [0, 1] }] } } })).toBe(true);
    // anything-but needs the field to exist
    expect(m({ detail: { data: { missing: [{ 'anything-but': 'x' }] } } })).toBe(false);
  });

  it('supports numeric ranges', () => {
    expect(m({ detail: { data: { total: [{ numeric: ['>', 1000, '<=', 1999] }] } } })).toBe(true);
    expect(m({ detail: { data: { total: [{ numeric: ['>', 1999] }] } } })).toBe(false);
    expect(m({ detail: { data: { total: [{ numeric: ['=', 1999] }] } } })).toBe(true);
    expect(m({ detail: { data: { total: [{ numeric: ['>=', 2000] }] } } })).toBe(false);
    expect(m({ detail: { data: { orderId: [{ numeric: ['>', 0] }] } } })).toBe(false);
  });

  it('supports exists true and false', () => {
    expect(m({ detail: { data: { orderId: [{ exists: true }] } } })).toBe(true);
    expect(m({ detail: { data: { missing: [{ exists: true }] } } })).toBe(false);
    expect(m({ detail: { data: { missing: [{ exists: false }] } } })).toBe(true);
    expect(m({ detail: { data: { orderId: [{ exists: false }] } } })).toBe(false);
    expect(m({ detail: { nothing: { deeper: [{ exists: false }] } } })).toBe(true);
  });

  it('supports equals-ignore-case, wildcard and cidr', () => {
    expect(m({ detail: { data: { channel: [{ 'equals-ignore-case': 'WEB' }] } } })).toBe(true);
    expect(m({ detail: { data: { channel: ['web'] } } })).toBe(false);
    expect(m({ resources: [{ wildcard: 'arn:aws:dynamodb:*:table/oms-*' }] })).toBe(true);
    expect(m({ resources: [{ wildcard: 'arn:aws:sqs:*' }] })).toBe(false);
    expect(m({ detail: { data: { ip: [{ cidr: '10.0.0.0/24' }] } } })).toBe(true);
    expect(m({ detail: { data: { ip: [{ cidr: '10.0.1.0/24' }] } } })).toBe(false);
  });

  it('supports $or alternatives combined with the other keys', () => {
    const p = (type: string) => ({ source: ['oms.orders'], $or: [{ 'detail-type': [type] }, { detail: { data: { total: [{ numeric: ['>', 5000] }] } } }] });
    expect(m(p('OrderPlaced'))).toBe(true);
    expect(m(p('Nope'))).toBe(false);
    expect(m({ source: ['other'], $or: [{ 'detail-type': ['OrderPlaced'] }, { id: ['e-1'] }] })).toBe(false);
  });

  it('matches DynamoDB stream records the way Lambda filtering does', () => {
    const filter = { eventName: ['INSERT'], dynamodb: { NewImage: { type: { S: ['OUTBOX'] } } } };
    const record = (eventName: string, type: string) => ({ eventName, dynamodb: { Keys: {}, NewImage: { type: { S: type }, pk: { S: 'ORDER#1' } } } });
    expect(matchesPattern(filter, record('INSERT', 'OUTBOX'))).toBe(true);
    expect(matchesPattern(filter, record('MODIFY', 'OUTBOX'))).toBe(false);
    expect(matchesPattern(filter, record('INSERT', 'ORDER'))).toBe(false);
    expect(matchesPattern(filter, { eventName: 'REMOVE', dynamodb: { OldImage: { type: { S: 'OUTBOX' } } } })).toBe(false);
  });

  it('rejects malformed patterns', () => {
    expect(() => validatePattern({ source: 'oms.orders' })).toThrow(/must be an array/);
    expect(() => validatePattern({ source: [{ bogus: 1 }] })).toThrow(/unknown content filter/);
    expect(() => validatePattern({ source: ['a'], detail: { x: [{ prefix: 'y' }] } })).not.toThrow();
  });
});
