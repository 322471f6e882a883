import * as z from 'zod';
import { defineEvent } from './define-event';

// --- Shipment tracking (source oms.shipping) -----------------------------------------
// A parcel's normalized status moved, from carriers' tracking reports (applied in any
// order: a move is published once, when the status it derives changes).

export const SHIPPING_SOURCE = 'oms.shipping';

const ShipmentStatus = z.enum([
  'LABEL_CREATED', 'PICKED_UP', 'IN_TRANSIT', 'EXCEPTION', 'DELIVERY_FAILED', 'OUT_FOR_DELIVERY', 'READY_FOR_PICKUP', 'RETURNING', 'DELIVERED', 'RETURNED',
]);
const ShipmentStatusFacts = z.object({
  orderId: z.string(),
  shipmentId: z.string(),
  trackingNumber: z.string(),
  carrier: z.enum(['aftership', 'easypost', 'kuaidi100', '17track', 'sandbox']),
  previousStatus: ShipmentStatus,
  status: ShipmentStatus,
  /** the carrier's event time of the report that moved it */
  at: z.iso.datetime({ offset: true }),
});

/** A shipment's tracking status moved (DELIVERED settles the order's lines). */
export const ShipmentStatusChanged = defineEvent({
  source: SHIPPING_SOURCE,
  detailType: 'ShipmentStatusChanged',
  version: 1,
  data: () => ShipmentStatusFacts,
});

/**
 * The same move, when it is to EXCEPTION or DELIVERY_FAILED: published beside
 * ShipmentStatusChanged so notification settings (which route by detail-type) can send
 * it to customer service.
 */
export const ShipmentExceptionReported = defineEvent({
  source: SHIPPING_SOURCE,
  detailType: 'ShipmentExceptionReported',
  version: 1,
  data: () => ShipmentStatusFacts.extend({ status: z.enum(['EXCEPTION', 'DELIVERY_FAILED']) }),
});

export const SHIPPING_EVENTS = [ShipmentStatusChanged, ShipmentExceptionReported] as const;
