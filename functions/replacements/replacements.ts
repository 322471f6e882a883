import * as z from 'zod';
import { StockAdjusted } from '../../events/inventory';
import { OrderRejected } from '../../events/orders';
import { ReturnApproved, ReturnReceived } from '../../events/returns';
import { eventView, parseSqsRecord } from '../../events/define-event';
import type { Replacements } from '../../shared/app/replacements';
import { systemActor } from '../../shared/domain/actor';
import { parseOrderNumber } from '../../shared/domain/order-number';
import { logger } from '../../shared/middleware/logger';
import { sqsBatch } from '../../shared/middleware/sqs-batch';

export const ACTOR = systemActor('replacements');

export interface ReplacementsHandlerDeps {
  replacements: Pick<Replacements, 'settle' | 'stockArrived' | 'refused'>;
  now: () => Date;
}

/** What the step reads: the return (exchange received, claim approved), the SKU that arrived, or the order rejected. */
const Trigger = eventView({
  name: 'return settled, stock arrived or replacement rejected',
  events: [ReturnReceived, ReturnApproved, StockAdjusted, OrderRejected],
  metadata: ['eventId'],
  data: z.object({
    returnId: z.string().optional(),
    type: z.string().optional(),
    lines: z.array(z.object({ sku: z.string() })).optional(),
    sku: z.string().optional(),
    delta: z.int().optional(),
    orderId: z.string().optional(),
    orderNumber: z.string().optional(),
    shortages: z.array(z.object({ sku: z.string() })).optional(),
  }),
});

/**
 * Replacement orders (exchanges, claims settled by reship). A received exchange or an
 * approved claim is settled: its replacement placed, or left waiting for stock with the
 * SKUs short. Stock arriving (an adjustment that adds units, a return's restock) tries the
 * replacements waiting for those SKUs again. A replacement order (channel exchange) rejected
 * at its reservation puts its return back to waiting; other rejections are skipped without a
 * read. Every outcome is decided on the return as it is, so a redelivered event places
 * nothing twice.
 */
export function makeHandler(deps: ReplacementsHandlerDeps) {
  return sqsBatch(async (record) => {
    const { detailType, data, metadata } = parseSqsRecord(Trigger, record);
    const opts = { actor: ACTOR, causationId: metadata.eventId, now: deps.now() };
    if (detailType === 'OrderRejected') {
      if (data.orderId && data.shortages?.length && parseOrderNumber(data.orderNumber ?? '')?.channel === 'exchange') {
        logger.info('Replacement rejected', { orderId: data.orderId, ...(await deps.replacements.refused(data.orderId, opts)) });
      }
      return;
    }
    if (data.returnId && (data.type === 'exchange' || data.type === 'claim')) {
      const result = await deps.replacements.settle(data.returnId, opts);
      logger.info('Replacement', { returnId: data.returnId, detailType, ...result });
    }
    const arrived = detailType === 'StockAdjusted' ? (data.sku && (data.delta ?? 0) > 0 ? [data.sku] : []) : detailType === 'ReturnReceived' ? (data.lines ?? []).map((l) => l.sku) : [];
    if (arrived.length) {
      const retried = await deps.replacements.stockArrived(arrived, opts);
      if (retried.length) logger.info('Replacements tried again', { skus: arrived, retried });
    }
  });
}
