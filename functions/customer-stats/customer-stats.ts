import type { SQSRecord } from 'aws-lambda';
import * as z from 'zod';
import { OrderCancelled, OrderExpired, OrderPlaced, OrderRejected } from '../../events/orders';
import { eventView, parseSqsRecord } from '../../events/define-event';
import { CUSTOMER_EXIT_EVENTS } from '../../shared/domain/customer';
import { logger, withLogContext } from '../../shared/middleware/logger';
import { messageLogContext, sqsBatchTogether } from '../../shared/middleware/sqs-batch';
import type { CustomerStats, StatsEvent } from '../../shared/app/customer-stats';
import type { OrderRepository } from '../../shared/store/order-repository';

export interface CustomerStatsDeps {
  orders: Pick<OrderRepository, 'getRecords'>;
  customers: Pick<CustomerStats, 'applyAll'>;
  now: () => Date;
  /** offers an exit that overtook its OrderPlaced again soon (the placement is usually a moment behind) */
  retrySooner?: (records: readonly SQSRecord[]) => Promise<void>;
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
 * profile on the first one), an exit (rejected, cancelled, expired) subtracts it. A batch
 * is handled as a whole: its orders read in one BatchGetItem, its changes written together.
 * Each change is applied once per order, so redeliveries change nothing; an exit that
 * overtakes its OrderPlaced fails and is retried by the queue.
 */
export function makeHandler(deps: CustomerStatsDeps) {
  return sqsBatchTogether(async (records: SQSRecord[]) => {
    const outcomes: (Error | undefined)[] = records.map(() => undefined);
    const events: { record: number; detailType: string; orderId: string }[] = [];
    records.forEach((record, i) => {
      try {
        const { detailType, data: { orderId } } = parseSqsRecord(OrderEvent, record);
        events.push({ record: i, detailType, orderId });
      } catch (err) {
        outcomes[i] = err instanceof Error ? err : new Error(String(err));
      }
    });
    if (events.length === 0) return outcomes;

    const orders = await deps.orders.getRecords(events.map((e) => e.orderId));
    const ready: (StatsEvent & { record: number; detailType: string })[] = [];
    for (const e of events) {
      const order = orders.get(e.orderId);
      if (!order) outcomes[e.record] = new Error(`Order ${e.orderId} not found`);
      else ready.push({ ...e, order, kind: (CUSTOMER_EXIT_EVENTS as readonly string[]).includes(e.detailType) ? 'exit' : 'placed' });
    }

    const applied = await deps.customers.applyAll(ready, deps.now());
    ready.forEach((e, k) => {
      const outcome = applied[k]!;
      if (outcome instanceof Error) outcomes[e.record] = outcome;
      else withLogContext(messageLogContext(records[e.record]!), () =>
        logger.info('Customer stats', { detailType: e.detailType, orderId: e.order.orderId, customerId: e.order.customer.customerId, outcome }));
    });
    return outcomes;
  }, deps.retrySooner ? { retrySooner: deps.retrySooner } : {});
}
