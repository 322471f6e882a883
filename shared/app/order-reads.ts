import { orderRepository } from '../store/order-repository';
import type { TableContext } from '../store/table';

// What GET /orders/{orderId} reads: the order with its payments and outbound work, nothing
// else (its bundle carries no use case and no event catalog).
export const orderReads = (ctx: TableContext) => {
  const orders = orderRepository(ctx);
  return { get: (orderId: string) => orders.get(orderId) };
};
