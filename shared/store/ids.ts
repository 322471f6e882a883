import { randomFillSync } from 'node:crypto';
import { monotonicFactory, ulid } from 'ulid';

// ulid's own generator asks the system for one random byte per character: 16 calls (and
// 16 small buffers) per id, a tenth of a queued step's own CPU. One pooled fill of secure
// random bytes serves 256 ids; a byte ÷ 256 is uniform over ulid's 32 characters.
const pool = new Uint8Array(4096);
let next = pool.length;

/** A uniform fraction in [0, 1) from the system's secure random bytes (ulid's PRNG shape). */
export function randomFraction(): number {
  if (next === pool.length) {
    randomFillSync(pool);
    next = 0;
  }
  return pool[next++]! / 256;
}

// ULIDs sort by time; the monotonic factory keeps ids made within the same
// millisecond in creation order, so ledger and timeline entries written with the
// same timestamp still list in the order they happened.
const monotonic = monotonicFactory(randomFraction);

export const newId = (at?: Date): string => monotonic(at?.getTime());

/** A ULID on its own (an order or a customer id): no ordering among the ids made in one millisecond. */
export const randomId = (): string => ulid(undefined, randomFraction);
