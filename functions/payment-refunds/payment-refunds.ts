import type { SQSRecord } from 'aws-lambda';
import * as z from 'zod';
import { OrderCancelled, OrderExpired, RefundRequested } from '../../events/orders';
import { RefundStarted } from '../../events/payments';
import { eventView, parseSqsRecord } from '../../events/define-event';
import { REFUNDS, type Payments } from '../../shared/app/payments';
import { logger } from '../../shared/middleware/logger';
import { sqsBatch } from '../../shared/middleware/sqs-batch';

export interface PaymentRefundsDeps {
  payments: Pick<Payments, 'refundInFull' | 'submitRefund' | 'closeAbandoned'>;
  now: () => Date;
}

/**
 * What the step reads: a paid order left before shipping (RefundRequested), a refund to
 * hand to its provider (RefundStarted), or an order closed while a payment may be open
 * at a provider (OrderCancelled, OrderExpired).
 */
const RefundEvent = eventView({
  name: 'refund requested or started, order cancelled or expired',
  events: [RefundRequested, RefundStarted, OrderCancelled, OrderExpired],
  metadata: ['eventId'],
  data: z.object({ orderId: z.string(), refundId: z.string().optional() }),
});

/**
 * The refund step. RefundRequested (a PAID order was cancelled) refunds what is still
 * refundable of every settled attempt; RefundStarted hands one PENDING refund to its
 * provider with the refundId as idempotency key and records the answer. Both are safe
 * to repeat: a redelivery finds nothing left to refund, or the refund already handed over.
 * OrderCancelled / OrderExpired close the order's attempts still open at a provider, so
 * their pages can no longer be paid; a redelivery finds none open.
 */
export function makeHandler(deps: PaymentRefundsDeps) {
  return sqsBatch(async (record: SQSRecord) => {
    const { detailType, metadata, data } = parseSqsRecord(RefundEvent, record);
    const opts = { now: deps.now(), causationId: metadata.eventId };
    if (detailType === OrderCancelled.detailType || detailType === OrderExpired.detailType) {
      const closed = await deps.payments.closeAbandoned(data.orderId, opts);
      if (closed.length > 0) logger.info('Open payment attempts closed at their providers', { orderId: data.orderId, closed });
      return;
    }
    if (detailType === RefundRequested.detailType) {
      const refunds = await deps.payments.refundInFull(data.orderId, { ...opts, actor: REFUNDS });
      logger.info('Cancelled order refunded', { orderId: data.orderId, refunds });
      return;
    }
    if (!data.refundId) throw new Error(`RefundStarted without a refundId (order ${data.orderId})`);
    const { outcome } = await deps.payments.submitRefund(data.orderId, data.refundId, opts);
    logger.info('Refund handed to its provider', { orderId: data.orderId, refundId: data.refundId, outcome });
  });
}
