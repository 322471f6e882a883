import { AFTERSALES_EVENTS } from '../../events/aftersales';
import type { Actor } from '../domain/actor';
import { ConflictError, NotFoundError } from '../domain/errors';
import { feedbackChangeSet, type Feedback, type FeedbackInput } from '../domain/feedback';
import { orderRepository, type OrderRepository } from '../store/order-repository';
import type { TableContext } from '../store/table';
import { ConditionFailed, makeWriter, type Writer } from '../store/writer';
import { stamper } from './events';

/** The events these use cases publish, stamped for the outbox. */
const stamped = stamper(AFTERSALES_EVENTS);

// Feedback on a delivered order: read the order, let the domain decide, commit one
// transaction (the FEEDBACK item put only if absent, the counters with it).

export interface FeedbackDeps {
  orders: Pick<OrderRepository, 'getRecord'>;
  writer: Pick<Writer, 'commit'>;
}

export interface FeedbackOptions {
  actor: Actor;
  /** the storefront rates only its own orders (another's is 404) */
  storefront: string;
  causationId: string;
  now: Date;
}

export function makeFeedback(deps: FeedbackDeps) {
  return {
    /** Once per delivered order: a second is 409 (`feedback-exists`) and counts nothing. */
    async give(orderId: string, input: FeedbackInput, opts: FeedbackOptions): Promise<Feedback> {
      const order = await deps.orders.getRecord(orderId);
      if (!order || order.placedBy !== opts.storefront) throw new NotFoundError(`No order ${orderId}`, { orderId });
      const { feedback, set } = feedbackChangeSet(order, input, opts.actor, opts.now);
      try {
        await deps.writer.commit(stamped(set, { now: opts.now, correlationId: orderId, causationId: opts.causationId }));
      } catch (err) {
        if (err instanceof ConditionFailed && err.find('feedback')) {
          throw new ConflictError(`Order ${order.orderNumber} was rated already`, { orderId }, 'feedback-exists', 'Rated already');
        }
        throw err;
      }
      return feedback;
    },
  };
}
export type FeedbackApp = ReturnType<typeof makeFeedback>;

/** Only what feedback uses, over one table. */
export const feedbackSteps = (ctx: TableContext): FeedbackApp => makeFeedback({ orders: orderRepository(ctx), writer: makeWriter(ctx) });
