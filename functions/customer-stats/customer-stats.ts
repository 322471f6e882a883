import type { SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { EventBridgeEvent } from '../../events/define-event';
import { CUSTOMER_EXIT_EVENTS } from '../../shared/domain/customer';
import { logger } from '../../shared/middleware/logger';
import { sqsBatch } from '../../shared/middleware/sqs-batch';
import type { CustomerRepository } from '../../shared/store/customer-repository';
import type { OrderRepository } from '../../shared/store/order-repository';

export interface CustomerStatsDeps {
  orders: Pick<OrderRepository, 'getRecord'>;
  customers: Pick<CustomerRepository, 'addPlaced' | 'subtractExit'>;
  now: () => Date;
}

const OrderEvent = z.object({ data: z.object({ orderId: z.string() }) });

/**
 * Keeps customer profiles from order events: OrderPlaced adds the order (creating the
 * profile on the first one), an exit (rejected, cancelled, expired) subtracts it. Each
 * change is applied once per order, so redeliveries change nothing; an exit that
 * overtakes its OrderPlaced fails and is retried by the queue.
 */
export function makeHandler(deps: CustomerStatsDeps) {
  return sqsBatch(async (record: SQSRecord) => {
    const event = EventBridgeEvent.parse(JSON.parse(record.body));
    const detailType = event['detail-type'];
    const { orderId } = OrderEvent.parse(event.detail).data;
    const order = await deps.orders.getRecord(orderId);
    if (!order) throw new Error(`Order ${orderId} not found`);
    const isExit = (CUSTOMER_EXIT_EVENTS as readonly string[]).includes(detailType);
    const outcome = isExit ? await deps.customers.subtractExit(order, deps.now()) : await deps.customers.addPlaced(order, deps.now());
    logger.info('Customer stats', { detailType, orderId, customerId: order.customer.customerId, outcome });
  });
}
