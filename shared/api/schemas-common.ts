import * as z from 'zod';
import { Sku } from '../domain/product';

// Path, list and problem schemas every area's routes use (re-exported by schemas.ts).

export const SkuPath = z.strictObject({ sku: Sku });
// Ids are opaque: anything id-like is looked up (and may be 404); only characters that
// could never be part of an id (and would confuse storage keys) are a 400.
export const OrderIdPath = z.strictObject({ orderId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'is not an order id') });

export const ListQuery = z.strictObject({
  cursor: z.string().max(2048).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    detail: z.string(),
    instance: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });
