import * as z from 'zod';
import { RatingSummary } from './product';
import { Money } from './money';
import { PLACED_CHANNELS } from './order-number';
import { humanText } from './text';
import { lazySchema } from './lazy-schema';

/** How a customer wants to be reached and served; every field is optional. */
export const CustomerPreferences = lazySchema(() =>
  z.strictObject({
    /** the sales channel they prefer */
    channel: z.enum(PLACED_CHANNELS).optional(),
    contactMethod: z.enum(['email', 'phone', 'sms', 'wechat', 'none']).optional(),
    /** a BCP 47 language tag (`zh-CN`, `en`) */
    language: z.string().regex(/^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8}){0,3}$/, 'is not a language tag').optional(),
  }),
);
export type CustomerPreferences = z.infer<typeof CustomerPreferences>;

/** A staff label on a customer (`vip`, `wholesale`, `大客户`). */
export const CustomerTag = humanText({ max: 40 });
export const MAX_CUSTOMER_TAGS = 20;

/** A rating summary: how many and their average (absent until the first). */
export { RatingSummary } from './product';

/**
 * A customer, created or matched by email (case-insensitive) on their first order.
 * `orderCount` and `lifetimeValue` count the orders that are still "live": an order
 * is added when placed and subtracted when it is rejected, cancelled or expired, so a
 * refused or abandoned order does not inflate the value. `lifetimeValue` has one entry
 * per currency. `lastOrder` is the most recently placed order, whatever became of it.
 */
export const Customer = lazySchema(() =>
  z.object({
    customerId: z.string(),
    email: z.string(),
    name: z.string(),
    phone: z.string().optional(),
    orderCount: z.int(),
    lifetimeValue: z.array(Money),
    lastOrder: z.object({ orderId: z.string(), orderNumber: z.string(), placedAt: z.iso.datetime() }).optional(),
    preferences: CustomerPreferences,
    tags: z.array(z.string()),
    /** orders with a received return, and their share of the orders counted (0 to 1) */
    returnCount: z.int().min(0),
    returnRate: z.number().min(0),
    /** the ratings this customer gave their delivered orders */
    feedback: RatingSummary.optional(),
    /** changes with every staff edit (If-Match) */
    version: z.int().min(1),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  }),
);
export type Customer = z.infer<typeof Customer>;

/** What staff edit: preferences (a field set to null is cleared) and the tags (replaced as a whole). */
export const CustomerPatch = lazySchema(() =>
  z
    .strictObject({
      preferences: z.strictObject({
        channel: CustomerPreferences.unwrap().shape.channel.unwrap().nullable().optional(),
        contactMethod: CustomerPreferences.unwrap().shape.contactMethod.unwrap().nullable().optional(),
        language: CustomerPreferences.unwrap().shape.language.unwrap().nullable().optional(),
      }).optional(),
      tags: z.array(CustomerTag).max(MAX_CUSTOMER_TAGS).optional(),
      /** the version edited (or If-Match) */
      version: z.int().min(1).optional(),
    })
    .refine((p) => p.preferences !== undefined || p.tags !== undefined, { message: 'give preferences or tags' }),
);
export type CustomerPatch = z.infer<typeof CustomerPatch>;

/** The profile's preferences and tags after a patch (tags kept once each, in the order given). */
export function patchedProfile(current: Pick<Customer, 'preferences' | 'tags'>, patch: CustomerPatch): Pick<Customer, 'preferences' | 'tags'> {
  const preferences: Record<string, unknown> = { ...current.preferences };
  for (const [k, v] of Object.entries(patch.preferences ?? {})) {
    if (v === null) delete preferences[k];
    else if (v !== undefined) preferences[k] = v;
  }
  return { preferences: CustomerPreferences.parse(preferences), tags: patch.tags ? [...new Set(patch.tags)] : current.tags };
}

/** Order exits that take an order out of its customer's count and lifetime value. */
export const CUSTOMER_EXIT_EVENTS = ['OrderRejected', 'OrderCancelled', 'OrderExpired'] as const;
