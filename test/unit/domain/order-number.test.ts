import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHANNELS, formatOrderNumber, orderDay, parseOrderNumber } from '../../../shared/domain/order-number';

const at = new Date('2026-11-27T15:30:00.000Z');

describe('order numbers', () => {
  it('read as channel letter, date and a zero-padded daily sequence', () => {
    expect(formatOrderNumber('web', at, 42)).toBe('W20261127-0042');
    expect(formatOrderNumber('phone', at, 1)).toBe('P20261127-0001');
    expect(formatOrderNumber('marketplace', at, 12345)).toBe('M20261127-12345');
  });

  it('use the UTC day', () => {
    expect(orderDay(new Date('2026-11-27T23:59:59.999Z'))).toBe('20261127');
    expect(orderDay(new Date('2026-11-28T00:00:00.000Z'))).toBe('20261128');
  });

  it('parse back to what they were made of, for every channel', () => {
    fc.assert(
      fc.property(fc.constantFrom(...CHANNELS), fc.integer({ min: 1, max: 10_000_000 }), (channel, seq) => {
        const n = formatOrderNumber(channel, at, seq);
        expect(n).toMatch(/^[WAPEMSX]\d{8}-\d{4,}$/);
        expect(parseOrderNumber(n)).toEqual({ channel, day: '20261127', sequence: seq });
      }),
    );
  });

  it('are forgiving of case and spaces when typed in, strict otherwise', () => {
    expect(parseOrderNumber(' w20261127-0042 ')).toEqual({ channel: 'web', day: '20261127', sequence: 42 });
    expect(parseOrderNumber('Z20261127-0042')).toBeUndefined();
    expect(parseOrderNumber('W20261327-0042')).toBeUndefined();
    expect(parseOrderNumber('W20261127-42')).toBeUndefined();
  });

  it('refuse a sequence that is not a positive integer', () => {
    expect(() => formatOrderNumber('web', at, 0)).toThrow();
    expect(() => formatOrderNumber('web', at, 1.5)).toThrow();
  });
});
