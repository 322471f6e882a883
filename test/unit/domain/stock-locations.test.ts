import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MOVEMENTS, movementDeltas } from '../../../shared/domain/inventory';
import { reconcileLocations } from '../../../shared/domain/reconciliation';

describe('movementDeltas', () => {
  it('moves available by exactly onHand - reserved for every kind of movement', () => {
    fc.assert(
      fc.property(fc.constantFrom(...MOVEMENTS), fc.integer({ min: 1, max: 1_000 }), (movement, q) => {
        const d = movementDeltas(movement, q);
        expect(d.available).toBe(d.onHand - d.reserved);
      }),
    );
  });

  it('reserve and release cancel out; commit takes stock out of on-hand and reserved alike', () => {
    const reserve = movementDeltas('RESERVE', 3);
    const release = movementDeltas('RELEASE', 3);
    expect({ onHand: reserve.onHand + release.onHand, reserved: reserve.reserved + release.reserved }).toEqual({ onHand: 0, reserved: 0 });
    expect(movementDeltas('COMMIT', 3)).toEqual({ onHand: -3, reserved: -3, available: 0 });
    expect(movementDeltas('ADJUSTMENT', -2)).toEqual({ onHand: -2, reserved: 0, available: -2 });
  });
});

describe('reconcileLocations', () => {
  const total = { sku: 'A', onHand: 10, reserved: 4, available: 6 };

  it('accepts a total that is the sum of its locations', () => {
    expect(reconcileLocations(total, [
      { onHand: 7, reserved: 4, available: 3 },
      { onHand: 3, reserved: 0, available: 3 },
    ])).toEqual([]);
  });

  it('names each counter that does not add up', () => {
    expect(reconcileLocations(total, [{ onHand: 10, reserved: 2, available: 8 }]).map((p) => p.message)).toEqual([
      'A: total reserved is 4 but its locations add up to 2',
      'A: total available is 6 but its locations add up to 8',
    ]);
  });
});
