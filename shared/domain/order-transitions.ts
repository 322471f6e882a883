import type { OrderStatus } from './order-status';
import type { Role } from './roles';

// THE table of legal order transitions. Nothing else decides whether an order may
// move: order-status.ts answers canTransition() from it, lifecycle.ts turns a
// command into a decision with it, and the property tests walk it.
//
// This module has type-only imports on purpose: order-status.ts can import it at
// runtime without an import cycle (lifecycle.ts imports order-status.ts).

export const COMMAND_TYPES = [
  'reserve-succeeded',
  'reserve-failed',
  'auto-approve',
  'approve',
  'reject',
  'cancel',
  'expire',
  'pay',
  'start-fulfilment',
  'ship-part',
  'ship',
  'deliver-part',
  'deliver',
  'complete',
] as const;
export type CommandType = (typeof COMMAND_TYPES)[number];

/**
 * What a transition does to the order's reserved stock:
 * reserve (available -> reserved), release (reserved -> available),
 * commit (goods leave: onHand and reserved both go down; once the order is SHIPPED
 * none of its holds is left), commit-part (a shipment of some lines commits those
 * lines only: shared/domain/shipment.ts), or nothing.
 */
export const STOCK_EFFECTS = ['none', 'reserve', 'release', 'commit', 'commit-part'] as const;
export type StockEffect = (typeof STOCK_EFFECTS)[number];

/** Who may issue a command: the system (jobs, queue workers, provider callbacks) or a role. */
export type Issuer = 'system' | Role;

export interface Transition {
  command: CommandType;
  from: OrderStatus;
  to: OrderStatus;
  stock: StockEffect;
  by: readonly Issuer[];
  /** money was taken, so leaving this way owes the customer a refund */
  refundDue?: true;
  /** only for a cash-on-delivery order (its open attempt is cod) while the workflow settings allow COD */
  cashOnDelivery?: true;
  /** only for an order with nothing to pay (total zero: a replacement its return's credit covers) */
  nothingDue?: true;
}

const SYSTEM = ['system'] as const;
const REVIEWERS = ['ops', 'admin'] as const;
const WAREHOUSE = ['ops', 'admin', 'system'] as const;
// A storefront may cancel only its own orders, and only before it has paid
// (lifecycle.ts checks ownership); after payment a person handles the refund.
const BEFORE_PAYMENT_CANCEL = ['storefront', 'cs', 'admin'] as const;
const AFTER_PAYMENT_CANCEL = ['cs', 'admin'] as const;

export const TRANSITIONS: readonly Transition[] = [
  { command: 'reserve-succeeded', from: 'PENDING', to: 'IN_REVIEW', stock: 'reserve', by: SYSTEM },
  // all-or-nothing reservation: a short SKU means nothing was reserved
  { command: 'reserve-failed', from: 'PENDING', to: 'REJECTED', stock: 'none', by: SYSTEM },
  { command: 'auto-approve', from: 'IN_REVIEW', to: 'AWAITING_PAYMENT', stock: 'none', by: SYSTEM },
  { command: 'approve', from: 'IN_REVIEW', to: 'AWAITING_PAYMENT', stock: 'none', by: REVIEWERS },
  { command: 'reject', from: 'IN_REVIEW', to: 'REJECTED', stock: 'release', by: REVIEWERS },
  // PENDING holds no stock yet; the reservation step finds the order cancelled and reserves nothing
  { command: 'cancel', from: 'PENDING', to: 'CANCELLED', stock: 'none', by: BEFORE_PAYMENT_CANCEL },
  { command: 'cancel', from: 'IN_REVIEW', to: 'CANCELLED', stock: 'release', by: BEFORE_PAYMENT_CANCEL },
  { command: 'cancel', from: 'AWAITING_PAYMENT', to: 'CANCELLED', stock: 'release', by: BEFORE_PAYMENT_CANCEL },
  { command: 'cancel', from: 'PAID', to: 'CANCELLED', stock: 'release', by: AFTER_PAYMENT_CANCEL, refundDue: true },
  // picking may have started but nothing left the building: the goods go back on the shelf
  { command: 'cancel', from: 'FULFILLING', to: 'CANCELLED', stock: 'release', by: AFTER_PAYMENT_CANCEL, refundDue: true },
  { command: 'expire', from: 'AWAITING_PAYMENT', to: 'EXPIRED', stock: 'release', by: SYSTEM },
  // provider callbacks arrive as the system; finance confirms bank transfers by hand
  { command: 'pay', from: 'AWAITING_PAYMENT', to: 'PAID', stock: 'none', by: ['system', 'finance', 'admin'] },
  // nothing to pay (an exchange's replacement the returned units cover, a claim's reship): reserved is paid
  { command: 'pay', from: 'IN_REVIEW', to: 'PAID', stock: 'none', by: SYSTEM, nothingDue: true },
  { command: 'start-fulfilment', from: 'PAID', to: 'FULFILLING', stock: 'none', by: ['ops', 'admin'] },
  // cash on delivery ships before payment; the courier's cash settles it at delivery
  { command: 'start-fulfilment', from: 'AWAITING_PAYMENT', to: 'FULFILLING', stock: 'none', by: ['ops', 'admin'], cashOnDelivery: true },
  // The order's status follows from its lines (shared/domain/fulfilment.ts orderStatusOf):
  // some units shipped -> PARTIALLY_SHIPPED, all shipped -> SHIPPED, some delivered ->
  // PARTIALLY_DELIVERED, all delivered -> DELIVERED. A shipment or delivery that leaves the
  // derived status as it was moves no row. Nothing shipped may be cancelled: once a
  // parcel left, the order is not cancellable (returns handle the rest).
  { command: 'ship-part', from: 'FULFILLING', to: 'PARTIALLY_SHIPPED', stock: 'commit-part', by: WAREHOUSE },
  { command: 'ship', from: 'FULFILLING', to: 'SHIPPED', stock: 'commit', by: WAREHOUSE },
  { command: 'ship', from: 'PARTIALLY_SHIPPED', to: 'SHIPPED', stock: 'commit', by: WAREHOUSE },
  // carriers report delivery through their callbacks (system); staff may confirm by hand
  { command: 'deliver-part', from: 'PARTIALLY_SHIPPED', to: 'PARTIALLY_DELIVERED', stock: 'none', by: WAREHOUSE },
  { command: 'deliver-part', from: 'SHIPPED', to: 'PARTIALLY_DELIVERED', stock: 'none', by: WAREHOUSE },
  { command: 'deliver', from: 'SHIPPED', to: 'DELIVERED', stock: 'none', by: WAREHOUSE },
  { command: 'deliver', from: 'PARTIALLY_DELIVERED', to: 'DELIVERED', stock: 'none', by: WAREHOUSE },
  { command: 'complete', from: 'DELIVERED', to: 'COMPLETED', stock: 'none', by: WAREHOUSE },
];

/** The transition a command takes from a status, if it has one. At most one row per (command, from). */
export function transitionFor(command: CommandType, from: OrderStatus): Transition | undefined {
  return TRANSITIONS.find((t) => t.command === command && t.from === from);
}

/** Whether any command moves an order from `from` to `to` (what order-status.ts's canTransition asks). */
export function isLegalTransition(from: OrderStatus, to: OrderStatus): boolean {
  return TRANSITIONS.some((t) => t.from === from && t.to === to);
}

/** Statuses nothing leaves. Returns and exchanges are records of their own, not order transitions. */
export function isTerminal(status: OrderStatus): boolean {
  return !TRANSITIONS.some((t) => t.from === status);
}
