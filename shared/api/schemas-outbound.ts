import * as z from 'zod';
import { Fulfilment } from '../domain/fulfilment';
import { Sku } from '../domain/product';
import { Shipment } from '../domain/shipment';
import { Carrier } from '../shipping/port';
import { OrderIdPath } from './schemas-common';
import { lazySchema } from '../domain/lazy-schema';

// --- outbound: fulfilments (出庫) and shipments (發貨); the order carries them too (schemas-orders.ts) ---
// Re-exported by schemas.ts; routes/fulfilment.ts imports this module.

export { OrderIdPath };
const opaqueId = (what: string) => z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, `is not a ${what} id`);
export const FulfilmentView = Fulfilment.meta({ id: 'Fulfillment' });
export const ShipmentView = Shipment.meta({ id: 'Shipment' });
const OutboundLines = lazySchema(() =>
  z.array(z.strictObject({ sku: Sku, quantity: z.int().min(1).max(10_000) })).min(1).max(100),
);
export const FulfilmentPath = lazySchema(() =>
  z.strictObject({ fulfillmentId: opaqueId('fulfillment') }),
);
export const CreateFulfilmentRequest = lazySchema(() =>
  z.strictObject({ lines: OutboundLines.optional() }).meta({ id: 'FulfillmentInput' }),
);
export const PickList = lazySchema(() =>
  z.object({
    fulfillmentId: z.string(),
    orderId: z.string(),
    orderNumber: z.string(),
    status: z.string(),
    shipTo: z.object({ name: z.string(), city: z.string(), country: z.string() }),
    lines: z.array(z.object({ sku: z.string(), name: z.string(), quantity: z.int(), location: z.string() })),
  }).meta({ id: 'PickList' }),
);
export const CreateShipmentRequest = lazySchema(() =>
  z.strictObject({
    carrier: Carrier,
    trackingNumber: z.string().regex(/^[A-Za-z0-9-]{4,100}$/, 'is not a tracking number').optional(),
    /** Kuaidi100's courier company code (shunfeng, yuantong, zhongtong…); without it Kuaidi100 recognizes the number itself */
    courier: z.string().regex(/^[a-z0-9]{2,40}$/, 'is not a Kuaidi100 company code').optional(),
    lines: OutboundLines.optional(),
    fulfillmentId: opaqueId('fulfillment').optional(),
  }).meta({ id: 'ShipmentInput' }),
);
