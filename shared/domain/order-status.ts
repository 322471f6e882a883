import * as z from 'zod';
import { ConflictError } from './errors';
import { isLegalTransition } from './order-transitions';

// Every status an order can have (see ARCHITECTURE.md, order flow). Which moves
// between them are legal is decided in one place only: order-transitions.ts.
export const ORDER_STATUSES = [
  'PENDING',
  'IN_REVIEW',
  'AWAITING_PAYMENT',
  'PAID',
  'FULFILLING',
  'PARTIALLY_SHIPPED',
  'SHIPPED',
  'PARTIALLY_DELIVERED',
  'DELIVERED',
  'COMPLETED',
  'REJECTED',
  'CANCELLED',
  'EXPIRED',
] as const;
export const OrderStatus = z.enum(ORDER_STATUSES);
export type OrderStatus = z.infer<typeof OrderStatus>;

// The legal moves are the rows of order-transitions.ts (command, from, to, stock
// effect, who may); this status-level view is derived from it, never kept apart.
export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return isLegalTransition(from, to);
}

export function assertTransition(from: OrderStatus, to: OrderStatus): void {
  if (!canTransition(from, to)) {
    throw new ConflictError(`An order in status ${from} cannot become ${to}`, { from, to, status: from }, 'illegal-transition', 'Illegal state transition');
  }
}
