import * as z from 'zod';
import { LocationId } from '../domain/inventory';
import { Sku } from '../domain/product';
import { ClaimSettlement, ReturnCondition, ReturnKind, ReturnRecord, ReturnStatus } from '../domain/returns';
import { humanText } from '../domain/text';
import { ListQuery, OrderIdPath } from './schemas-common';
import { ReasonRequest } from './schemas-reason';
import { lazySchema } from '../domain/lazy-schema';

// --- after-sales: returns and claims (re-exported by schemas.ts; routes/returns.ts imports this module) ---

export { OrderIdPath, ReasonRequest };
const opaqueId = (what: string) => z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, `is not a ${what} id`);
export const ReturnPath = lazySchema(() =>
  z.strictObject({ returnId: opaqueId('return') }),
);
export const CreateReturnRequest = lazySchema(() =>
  z.strictObject({
    type: ReturnKind,
    lines: z.array(z.strictObject({ sku: Sku, quantity: z.int().min(1).max(10_000), reason: humanText({ max: 200 }) })).min(1).max(100),
    note: humanText({ max: 1000, multiline: true }).optional(),
    /** an exchange: what the customer gets instead (default: the same SKUs and quantities) */
    replacement: z.array(z.strictObject({ sku: Sku, quantity: z.int().min(1).max(10_000) })).min(1).max(100).optional(),
    /** a claim: refund (default) or reship the claimed units */
    settlement: ClaimSettlement.optional(),
  }).meta({ id: 'ReturnInput' }),
);
export const ReceiveReturnRequest = lazySchema(() =>
  z.strictObject({
    lines: z.array(z.strictObject({ sku: Sku, quantity: z.int().min(1).max(10_000), condition: ReturnCondition })).min(1).max(100),
    /** where the parcel arrived (default: the default location) */
    locationId: LocationId.optional(),
  }).meta({ id: 'ReturnReceipt' }),
);
export const ReturnResponse = lazySchema(() =>
  ReturnRecord.unwrap().omit({ kind: true, version: true }).extend({ type: ReturnKind }).meta({ id: 'Return' }),
);
export const ReturnList = lazySchema(() =>
  z.object({ items: z.array(ReturnResponse) }),
);
export const ReturnListQuery = lazySchema(() =>
  z.strictObject({
    status: ReturnStatus.describe('The state to list (required): each state is a queue, oldest first'),
    type: ReturnKind.optional().describe('Only returns, exchanges or claims'),
    cursor: ListQuery.shape.cursor.describe("The previous page's `nextCursor`"),
    limit: ListQuery.shape.limit.describe('Page size, 1 to 100 (default 50)'),
  }),
);
export const ReturnPage = lazySchema(() =>
  z.object({ items: z.array(ReturnResponse), nextCursor: z.string().optional() }).meta({ id: 'ReturnPage' }),
);
