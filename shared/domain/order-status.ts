import { z } from 'zod';
import { ConflictError } from './errors';

// Every status an order can have (see ARCHITECTURE.md, order flow). Only the
// transitions this release performs are in the table; later steps add theirs here,
// and this table stays the only place that decides.
export const ORDER_STATUSES = [
  'PENDING',
  'IN_REVIEW',
  'AWAITING_PAYMENT',
  'PAID',
  'FULFILLING',
  'SHIPPED',
  'DELIVERED',
  'COMPLETED',
  'REJECTED',
  'CANCELLED',
  'EXPIRED',
] as const;
export const OrderStatus = z.enum(ORDER_STATUSES);
export type OrderStatus = z.infer<typeof OrderStatus>;

const TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  PENDING: ['IN_REVIEW', 'REJECTED'],
  IN_REVIEW: [],
  AWAITING_PAYMENT: [],
  PAID: [],
  FULFILLING: [],
  SHIPPED: [],
  DELIVERED: [],
  COMPLETED: [],
  REJECTED: [],
  CANCELLED: [],
  EXPIRED: [],
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function assertTransition(from: OrderStatus, to: OrderStatus): void {
  if (!canTransition(from, to)) {
    throw new ConflictError(`An order in status ${from} cannot become ${to}`, { from, to }, 'illegal-transition', 'Illegal state transition');
  }
}
