import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../../shared/domain/errors';
import { AdjustmentInput, applyAdjustment, shortageReason, summarizeDemand } from '../../../shared/domain/inventory';

const line = fc.record({ sku: fc.constantFrom('A', 'B', 'C', 'D'), quantity: fc.integer({ min: 1, max: 10_000 }) });

describe('demand summation', () => {
  it('keeps the total per SKU and lists each SKU once', () => {
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 100 }), (lines) => {
        const demand = summarizeDemand(lines);
        expect(new Set(demand.map((d) => d.sku)).size).toBe(demand.length);
        for (const { sku, quantity } of demand) {
          expect(quantity).toBe(lines.filter((l) => l.sku === sku).reduce((a, l) => a + l.quantity, 0));
        }
        expect(demand.reduce((a, d) => a + d.quantity, 0)).toBe(lines.reduce((a, l) => a + l.quantity, 0));
      }),
    );
  });

  it('keeps first-seen order', () => {
    expect(summarizeDemand([{ sku: 'B', quantity: 1 }, { sku: 'A', quantity: 2 }, { sku: 'B', quantity: 3 }])).toEqual([
      { sku: 'B', quantity: 4 },
      { sku: 'A', quantity: 2 },
    ]);
  });
});

describe('stock adjustments', () => {
  const level = { sku: 'A', onHand: 10, reserved: 4, available: 6 };

  it('moves on-hand and available together', () => {
    expect(applyAdjustment(level, 5)).toEqual({ sku: 'A', onHand: 15, reserved: 4, available: 11 });
    expect(applyAdjustment(level, -6)).toEqual({ sku: 'A', onHand: 4, reserved: 4, available: 0 });
  });

  it('is a conflict below reserved or below zero', () => {
    expect(() => applyAdjustment(level, -7)).toThrow(ConflictError);
    expect(() => applyAdjustment({ sku: 'A', onHand: 0, reserved: 0, available: 0 }, -1)).toThrow(ConflictError);
  });

  it('keeps 0 <= reserved <= onHand for any sequence of accepted adjustments', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -20, max: 20 }).filter((d) => d !== 0)), (deltas) => {
        let l = { sku: 'A', onHand: 0, reserved: 0, available: 0 };
        for (const d of deltas) {
          try {
            l = applyAdjustment(l, d);
          } catch (e) {
            expect(e).toBeInstanceOf(ConflictError);
          }
          expect(l.onHand).toBeGreaterThanOrEqual(l.reserved);
          expect(l.available).toBe(l.onHand - l.reserved);
        }
      }),
    );
  });

  it('accepts the five reasons and a non-zero integer delta only', () => {
    expect(AdjustmentInput.safeParse({ delta: 3, reason: 'RECEIVED' }).success).toBe(true);
    for (const reason of ['COUNT', 'DAMAGED', 'RETURNED', 'OTHER']) {
      expect(AdjustmentInput.safeParse({ delta: -1, reason }).success).toBe(true);
    }
    expect(AdjustmentInput.safeParse({ delta: 0, reason: 'COUNT' }).success).toBe(false);
    expect(AdjustmentInput.safeParse({ delta: 1.5, reason: 'COUNT' }).success).toBe(false);
    expect(AdjustmentInput.safeParse({ delta: 1, reason: 'LOST' }).success).toBe(false);
    expect(AdjustmentInput.safeParse({ delta: 1, reason: 'COUNT', by: 'me' }).success).toBe(false);
  });

  it('explains shortages by SKU', () => {
    expect(shortageReason([{ sku: 'A', requested: 3, available: 1 }, { sku: 'B', requested: 2, available: 0 }])).toBe(
      'Insufficient stock: A (requested 3, available 1); B (requested 2, available 0)',
    );
  });
});
