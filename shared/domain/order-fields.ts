import * as z from 'zod';
import { CHANNELS } from './order-number';

// An order's fields that other areas use as well (workflow settings' review rules), in a module
// of their own so that those areas do not load the order's schemas (order.ts re-exports both).

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });
/** ISO 3166-1 alpha-2, checked against the runtime's region list (so "ZZ" or "AA" fail). */
export const CountryCode = z
  .string()
  .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as CN')
  .refine((c) => {
    // zod runs this even when the regex failed; that case is already reported
    if (!/^[A-Z]{2}$/.test(c)) return true;
    const name = regionNames.of(c);
    return name !== undefined && name !== c && name !== 'Unknown Region';
  }, 'is not a known ISO 3166-1 alpha-2 country');

export const Channel = z.enum(CHANNELS);
export type Channel = z.infer<typeof Channel>;
