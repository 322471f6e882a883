import * as z from 'zod';
import { defineEvent } from './define-event';
import { ORDERS_SOURCE, OrderPartiallyDelivered, OrderPartiallyShipped } from './orders';

// --- Outbound: fulfilments and shipments (source oms.orders) ---
// OrderPartiallyShipped and OrderPartiallyDelivered are status changes (orders.ts).

const OutboundUnits = z.array(z.object({ sku: z.string(), quantity: z.int().min(1) }));

/** New outbound work for the warehouse: pick and pack these units at these locations. */
export const FulfillmentCreated = defineEvent({
  source: ORDERS_SOURCE,
  detailType: 'FulfillmentCreated',
  version: 1,
  data: () => z.object({
    orderId: z.string(),
    orderNumber: z.string(),
    fulfillmentId: z.string(),
    lines: z.array(z.object({ sku: z.string(), quantity: z.int().min(1), locationId: z.string() })),
    actor: z.string(),
  }),
});

/** A parcel left with a carrier: its tracking number and what it holds. */
export const ShipmentCreated = defineEvent({
  source: ORDERS_SOURCE,
  detailType: 'ShipmentCreated',
  version: 1,
  data: () => z.object({
    orderId: z.string(),
    orderNumber: z.string(),
    shipmentId: z.string(),
    carrier: z.string(),
    /** Kuaidi100's courier company code, when ops gave one */
    courier: z.string().optional(),
    trackingNumber: z.string(),
    lines: OutboundUnits,
    actor: z.string(),
  }),
});

export const OUTBOUND_EVENTS = [OrderPartiallyShipped, OrderPartiallyDelivered, FulfillmentCreated, ShipmentCreated] as const;
