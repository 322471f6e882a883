import { describe, expect, it } from 'vitest';
import { newId, randomFraction, randomId } from '../../../shared/store/ids';

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

describe('ids', () => {
  it('draws fractions in [0, 1) that reach every one of the 32 ULID characters about equally', () => {
    const counts = new Array<number>(32).fill(0);
    const draws = 32 * 2000;
    for (let i = 0; i < draws; i++) {
      const f = randomFraction();
      expect(f).toBeGreaterThanOrEqual(0);
      expect(f).toBeLessThan(1);
      counts[Math.floor(f * 32)]!++;
    }
    // 2000 expected per character; 6 standard deviations (about 260) either side
    for (const c of counts) expect(Math.abs(c - 2000)).toBeLessThan(300);
  });

  it('makes ids of one millisecond in creation order, and ids of later times after them', () => {
    // ahead of any id made before in this process (the factory never goes back in time)
    const at = new Date(Date.now() + 3_600_000);
    const same = Array.from({ length: 500 }, () => newId(at));
    expect(new Set(same).size).toBe(500);
    expect([...same].sort()).toEqual(same);
    const later = newId(new Date(at.getTime() + 1));
    expect(later > same.at(-1)!).toBe(true);
    for (const id of same) expect(id).toMatch(ULID);
    // one time part (the millisecond), the random part counting up
    expect(new Set(same.map((id) => id.slice(0, 10))).size).toBe(1);
  });

  it('makes distinct standalone ids across many pool refills', () => {
    const ids = Array.from({ length: 5000 }, () => randomId());
    expect(new Set(ids).size).toBe(5000);
    for (const id of ids.slice(0, 50)) expect(id).toMatch(ULID);
  });
});
