import type { TableContext } from '../store/table';
import { orderRepository } from '../store/order-repository';

/** What a Kuaidi100 subscription reads of an order: the receiver's phone (SF Express answers only with it). */
export function subscriptionReads(ctx: TableContext) {
  const orders = orderRepository(ctx);
  return {
    phoneOf: async (orderId: string): Promise<string | undefined> => (await orders.getRecord(orderId))?.customer.phone,
  };
}
