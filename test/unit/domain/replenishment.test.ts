import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assessReplenishment, chooseLocation, crossedReorderPoint, daysOfCover, demandOver, reorderSettingsOf, salesVelocity, type StockLocation,
} from '../../../shared/domain/replenishment';

const settings = { reorderPoint: 10, leadTimeDays: 7, safetyStock: 5 };

describe('assessReplenishment', () => {
  it('suggests covering the lead time plus safety stock when at or below the reorder point', () => {
    // 7 days x 2/day + 5 safety - 4 available = 15
    expect(assessReplenishment({ sku: 'A', available: 4, settings, averageDailyDemand: 2 })).toEqual({
      sku: 'A', position: 4, needsReorder: true, suggestedQuantity: 15, daysOfCover: 2,
    });
    expect(assessReplenishment({ sku: 'A', available: 10, settings, averageDailyDemand: 2 }).needsReorder).toBe(true);
  });

  it('gives the days of cover at the same velocity the inventory report shows', () => {
    // 56 units net in the 28-day window: 2 a day; 4 available last 2 days
    const velocity = salesVelocity(56);
    expect(assessReplenishment({ sku: 'A', available: 4, settings, averageDailyDemand: velocity }).daysOfCover).toBe(daysOfCover(4, velocity));
    expect(assessReplenishment({ sku: 'A', available: 4, settings, averageDailyDemand: 0 }).daysOfCover).toBeNull();
  });

  it('suggests nothing above the reorder point', () => {
    expect(assessReplenishment({ sku: 'A', available: 11, settings, averageDailyDemand: 100 })).toMatchObject({ needsReorder: false, suggestedQuantity: 0 });
  });

  it('lifts the position above the reorder point even with no demand', () => {
    // cover = 0 + 0 - 3 < lift = 10 - 3 + 1
    expect(assessReplenishment({ sku: 'A', available: 3, settings: { reorderPoint: 10, leadTimeDays: 0, safetyStock: 0 }, averageDailyDemand: 0 }).suggestedQuantity).toBe(8);
  });

  it('counts what is already on order', () => {
    expect(assessReplenishment({ sku: 'A', available: 4, onOrder: 20, settings, averageDailyDemand: 2 }).needsReorder).toBe(false);
  });

  it('rounds fractional demand up to whole units without float noise', () => {
    expect(demandOver(10, 1.1)).toBe(11);
    expect(demandOver(3, 0.5)).toBe(2);
    expect(demandOver(0, 5)).toBe(0);
  });

  it('handles oversold positions (negative available is still a whole number)', () => {
    expect(assessReplenishment({ sku: 'A', available: -2, settings, averageDailyDemand: 1 }).suggestedQuantity).toBe(7 + 5 + 2);
  });

  it('refuses nonsense input', () => {
    expect(() => assessReplenishment({ sku: 'A', available: 1.5, settings, averageDailyDemand: 1 })).toThrow();
    expect(() => assessReplenishment({ sku: 'A', available: 1, settings, averageDailyDemand: Number.POSITIVE_INFINITY })).toThrow();
    expect(() => assessReplenishment({ sku: 'A', available: 1, settings: { ...settings, leadTimeDays: -1 }, averageDailyDemand: 1 })).toThrow();
  });

  it('ignores products without a reorder point', () => {
    expect(reorderSettingsOf({})).toBeUndefined();
    expect(reorderSettingsOf({ reorderPoint: 3 })).toEqual({ reorderPoint: 3, leadTimeDays: 0, safetyStock: 0 });
  });

  it('reports crossing the reorder point once', () => {
    expect(crossedReorderPoint(11, 10, settings)).toBe(true);
    expect(crossedReorderPoint(10, 9, settings)).toBe(false);
    expect(crossedReorderPoint(12, 11, settings)).toBe(false);
  });

  it('always suggests a whole quantity that covers demand and clears the reorder point', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -50, max: 500 }),
        fc.nat({ max: 100 }),
        fc.record({ reorderPoint: fc.nat({ max: 300 }), leadTimeDays: fc.nat({ max: 60 }), safetyStock: fc.nat({ max: 200 }) }),
        fc.double({ min: 0, max: 50, noNaN: true }),
        (available, onOrder, s, demand) => {
          const a = assessReplenishment({ sku: 'A', available, onOrder, settings: s, averageDailyDemand: demand });
          expect(Number.isInteger(a.suggestedQuantity)).toBe(true);
          expect(a.needsReorder).toBe(a.position <= s.reorderPoint);
          if (!a.needsReorder) {
            expect(a.suggestedQuantity).toBe(0);
            return;
          }
          const after = a.position + a.suggestedQuantity;
          expect(after).toBeGreaterThan(s.reorderPoint);
          expect(after).toBeGreaterThanOrEqual(demandOver(s.leadTimeDays, demand) + s.safetyStock);
          // and not a unit more than the larger of the two needs
          const less = after - 1;
          expect(less <= s.reorderPoint || less < demandOver(s.leadTimeDays, demand) + s.safetyStock).toBe(true);
        },
      ),
    );
  });
});

describe('chooseLocation', () => {
  const loc = (locationId: string, priority: number, available: Record<string, number>): StockLocation => ({ locationId, priority, available });

  it('picks the first location by priority that covers the whole order', () => {
    const locations = [loc('south', 2, { A: 10, B: 10 }), loc('main', 1, { A: 10, B: 1 }), loc('north', 3, { A: 10, B: 10 })];
    expect(chooseLocation(locations, [{ sku: 'A', quantity: 2 }, { sku: 'B', quantity: 2 }])?.locationId).toBe('south');
    expect(chooseLocation(locations, [{ sku: 'A', quantity: 2 }, { sku: 'B', quantity: 1 }])?.locationId).toBe('main');
  });

  it('sums repeated SKUs and does not split an order', () => {
    const locations = [loc('main', 1, { A: 3 }), loc('south', 2, { A: 3 })];
    expect(chooseLocation(locations, [{ sku: 'A', quantity: 2 }, { sku: 'A', quantity: 2 }])).toBeUndefined();
  });

  it('treats a SKU a location does not stock as none there', () => {
    expect(chooseLocation([loc('main', 1, {})], [{ sku: 'A', quantity: 1 }])).toBeUndefined();
  });

  const locationsArb = fc.uniqueArray(
    fc.record({
      locationId: fc.constantFrom('l1', 'l2', 'l3', 'l4', 'l5'),
      priority: fc.integer({ min: 0, max: 3 }),
      available: fc.record({ A: fc.nat({ max: 6 }), B: fc.nat({ max: 6 }) }, { requiredKeys: [] }),
    }),
    { selector: (l) => l.locationId, maxLength: 5 },
  );
  const demandArb = fc.array(fc.record({ sku: fc.constantFrom('A', 'B'), quantity: fc.integer({ min: 1, max: 4 }) }), { minLength: 1, maxLength: 4 });

  it('never picks a location that falls short, nor passes over a preferred one that would do', () => {
    fc.assert(
      fc.property(locationsArb, demandArb, (locations, demand) => {
        const chosen = chooseLocation(locations, demand);
        const need = (sku: string) => demand.filter((d) => d.sku === sku).reduce((n, d) => n + d.quantity, 0);
        const fits = (l: StockLocation) => ['A', 'B'].every((sku) => (l.available[sku] ?? 0) >= need(sku));
        if (!chosen) {
          expect(locations.some(fits)).toBe(false);
          return;
        }
        expect(fits(chosen)).toBe(true);
        for (const l of locations) {
          if (l.priority < chosen.priority) expect(fits(l)).toBe(false);
        }
        // the same answer whatever order the locations were read in
        expect(chooseLocation([...locations].reverse(), demand)?.locationId).toBe(chosen.locationId);
      }),
    );
  });
});
