import type { SQSRecord } from 'aws-lambda';
import * as z from 'zod';
import { OrderCancelled, OrderExpired, OrderPlaced, OrderRejected } from '../../events/orders';
import { eventView, parseSqsRecord } from '../../events/define-event';
import { CUSTOMER_EXIT_EVENTS } from '../../shared/domain/customer';
import { logger } from '../../shared/middleware/logger';
import { sqsBatch } from '../../shared/middleware/sqs-batch';
import type { CustomerStats } from '../../shared/app/customer-stats';
import type { OrderRepository } from '../../shared/store/order-repository';

export interface CustomerStatsDeps {
  orders: Pick<OrderRepository, 'getRecord'>;
  customers: Pick<CustomerStats, 'addPlaced' | 'subtractExit'>;
  now: () => Date;
}

/** What the stats read of an order event: which order it was about. */
const OrderEvent = eventView({
  name: 'order placed or exited',
  events: [OrderPlaced, OrderRejected, OrderCancelled, OrderExpired],
  metadata: ['eventId'],
  data: z.object({ orderId: z.string() }),
});

/**
 * Keeps customer profiles from order events: OrderPlaced adds the order (creating the
 * profile on the first one), an exit (rejected, cancelled, expired) subtracts it. Each
 * change is applied once per order, so redeliveries change nothing; an exit that
 * overtakes its OrderPlaced fails and is retried by the queue.
 */
export function makeHandler(deps: CustomerStatsDeps) {
  return sqsBatch(async (record: SQSRecord) => {
    const { detailType, data: { orderId } } = parseSqsRecord(OrderEvent, record);
    const order = await deps.orders.getRecord(orderId);
    if (!order) throw new Error(`Order ${orderId} not found`);
    const isExit = (CUSTOMER_EXIT_EVENTS as readonly string[]).includes(detailType);
    const outcome = isExit ? await deps.customers.subtractExit(order, deps.now()) : await deps.customers.addPlaced(order, deps.now());
    logger.info('Customer stats', { detailType, orderId, customerId: order.customer.customerId, outcome });
  });
}
