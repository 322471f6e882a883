import { transitionFor, type CommandType } from '../../shared/domain/order-transitions';
import { may } from './permissions';
import type { StaffRole } from './roles';
import type { OrderStory } from './types';

// What the order page offers: an action shows when the user's role may call its route
// (the route table) and the order's status allows it (the domain's transition table,
// which has no runtime imports, so the console uses the very same rows the API decides by).

export type Action = 'note' | 'cancel' | 'refund' | 'fulfil' | 'ship' | 'return';

/** Whether the order's status lets one of these roles issue a lifecycle command (a cash-on-delivery row: only for such an order). */
function statusAllows(command: CommandType, order: OrderStory, roles: readonly StaffRole[]): boolean {
  const row = transitionFor(command, order.status);
  if (!row || !row.by.some((by) => (roles as readonly string[]).includes(by))) return false;
  return !row.cashOnDelivery || order.payments.some((p) => p.method === 'cod' && p.status === 'PENDING');
}

export function actionsFor(order: OrderStory, roles: readonly StaffRole[]): Action[] {
  const actions: Action[] = [];
  const open = (order.outbound?.lines ?? order.lines.map((l) => ({ ordered: l.quantity, allocated: 0 }))).some((l) => l.allocated < l.ordered);
  if (may(roles, 'addOrderNote')) actions.push('note');
  if (may(roles, 'cancelOrder') && statusAllows('cancel', order, roles)) actions.push('cancel');
  if (may(roles, 'requestRefund') && order.money.balance.amount > 0) actions.push('refund');
  if (may(roles, 'createFulfilment') && open && (statusAllows('start-fulfilment', order, roles) || ['FULFILLING', 'PARTIALLY_SHIPPED'].includes(order.status))) actions.push('fulfil');
  if (may(roles, 'createShipment') && (order.outbound?.fulfilments ?? []).some((f) => f.status === 'PACKED')) actions.push('ship');
  if (may(roles, 'createReturn') && ['DELIVERED', 'PARTIALLY_DELIVERED', 'COMPLETED'].includes(order.status)) actions.push('return');
  return actions;
}

