import { z } from 'zod';
import { defineEvent } from './define-event';
import { Money } from '../shared/domain/money';
import { Channel, OrderTotals, ShortageSchema } from '../shared/domain/order';
import { AdjustmentReason } from '../shared/domain/inventory';

// Every event the system publishes. Sources: oms.orders (order lifecycle) and
// oms.inventory (stock). Detail-types are PascalCase, past tense.

export const ORDERS_SOURCE = 'oms.orders';
export const INVENTORY_SOURCE = 'oms.inventory';

const Quantities = z.array(z.object({ sku: z.string(), quantity: z.int().min(1) }));

export const OrderPlaced = defineEvent({
  source: ORDERS_SOURCE,
  detailType: 'OrderPlaced',
  version: 1,
  data: z.object({
    orderId: z.string(),
    orderNumber: z.string(),
    channel: Channel,
    customerId: z.string(),
    lines: z.array(z.object({ sku: z.string(), quantity: z.int().min(1), unitPrice: Money })),
    totals: OrderTotals,
    placedAt: z.iso.datetime(),
  }),
});

export const StockReserved = defineEvent({
  source: ORDERS_SOURCE,
  detailType: 'StockReserved',
  version: 1,
  data: z.object({
    orderId: z.string(),
    orderNumber: z.string(),
    reservations: Quantities,
  }),
});

export const OrderRejected = defineEvent({
  source: ORDERS_SOURCE,
  detailType: 'OrderRejected',
  version: 1,
  data: z.object({
    orderId: z.string(),
    orderNumber: z.string(),
    reason: z.string(),
    shortages: z.array(ShortageSchema),
  }),
});

export const StockAdjusted = defineEvent({
  source: INVENTORY_SOURCE,
  detailType: 'StockAdjusted',
  version: 1,
  data: z.object({
    sku: z.string(),
    adjustmentId: z.string(),
    delta: z.int(),
    reason: AdjustmentReason,
    note: z.string().optional(),
    actor: z.string(),
  }),
});

export const EVENTS = [OrderPlaced, StockReserved, OrderRejected, StockAdjusted] as const;
