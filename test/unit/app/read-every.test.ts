import { describe, expect, it } from 'vitest';
import { readEvery } from '../../../shared/app/read-every';

describe('readEvery', () => {
  it('reuses a read for its time, then reads again; calls during a read share it', async () => {
    let now = 1_000;
    let reads = 0;
    const get = readEvery(async () => ++reads, 500, () => now);
    expect(await Promise.all([get(), get()])).toEqual([1, 1]);
    now += 499;
    expect(await get()).toBe(1);
    now += 1;
    expect(await get()).toBe(2);
    expect(reads).toBe(2);
  });

  it('reads on every call with a time of 0, and does not keep a failed read', async () => {
    let fail = true;
    let reads = 0;
    const get = readEvery(async () => {
      reads++;
      if (fail) throw new Error('unavailable');
      return 'ok';
    }, 60_000, () => 0);
    await expect(get()).rejects.toThrow('unavailable');
    fail = false;
    expect(await get()).toBe('ok');
    expect(await get()).toBe('ok');
    expect(reads).toBe(2);
    const every = readEvery(async () => ++reads, 0, () => 0);
    await every();
    await every();
    expect(reads).toBe(4);
  });
});
