import * as z from 'zod';
import { defineEvent } from './define-event';
import { ORDERS_SOURCE } from './orders';
import { Money } from './schemas';

// --- After-sales: returns and claims (source oms.orders) ------------------------------
// A return (RMA) or claim moved: requested, approved (by a person or the rules),
// rejected, received (with the stock restocked or written off, and its refund), closed.

const ReturnFacts = z.object({
  orderId: z.string(),
  orderNumber: z.string(),
  returnId: z.string(),
  type: z.enum(['return', 'exchange', 'claim']),
  status: z.enum(['REQUESTED', 'APPROVED', 'REJECTED', 'RECEIVED', 'REFUNDED', 'CLOSED']),
  lines: z.array(z.object({ sku: z.string(), quantity: z.int().min(1), reason: z.string() })),
  actor: z.string(),
  refund: z.object({ refundId: z.string(), paymentId: z.string(), amount: Money }).optional(),
});

const returnEvent = <T extends string, D extends z.ZodRawShape>(detailType: T, extra: D) =>
  defineEvent({ source: ORDERS_SOURCE, detailType, version: 1, data: () => ReturnFacts.extend(extra) });

export const ReturnRequested = returnEvent('ReturnRequested', { note: z.string().optional() });
export const ReturnApproved = returnEvent('ReturnApproved', { automatic: z.boolean().optional() });
export const ReturnRejected = returnEvent('ReturnRejected', { reason: z.string().optional() });
/** The parcel arrived at `locationId`: resellable units RETURNED to stock, damaged ones written off (DAMAGED). */
export const ReturnReceived = returnEvent('ReturnReceived', { locationId: z.string().optional() });
export const ReturnClosed = returnEvent('ReturnClosed', {});

export const RETURN_EVENTS = [ReturnRequested, ReturnApproved, ReturnRejected, ReturnReceived, ReturnClosed] as const;
