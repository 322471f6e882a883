import * as z from 'zod';
import { COUNTRY_CODES } from './country-codes';
import { CHANNELS } from './order-number';

// An order's fields that other areas use as well (workflow settings' review rules), in a module
// of their own so that those areas do not load the order's schemas (order.ts re-exports both).

/** ISO 3166-1 alpha-2, an assigned code (so "ZZ", "AA" or the former "UK" fail). */
export const CountryCode = z
  .string()
  .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as CN')
  // zod runs the refinement even when the regex failed; that case is already reported
  .refine((c) => !/^[A-Z]{2}$/.test(c) || COUNTRY_CODES.has(c), 'is not a known ISO 3166-1 alpha-2 country');

export const Channel = z.enum(CHANNELS);
export type Channel = z.infer<typeof Channel>;
