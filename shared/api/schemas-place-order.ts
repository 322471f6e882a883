import * as z from 'zod';
import { PlaceOrderRequest } from '../domain/order';
import { OrderStatus } from '../domain/order-status';
import { lazySchema } from '../domain/lazy-schema';

// POST /orders' schemas (re-exported by schemas.ts; routes/place-order.ts imports this module).

export const PlaceOrderBody = PlaceOrderRequest.meta({ id: 'PlaceOrderRequest' });
export const PlaceOrderResponse = lazySchema(() =>
  z.object({
    orderId: z.string(),
    orderNumber: z.string(),
    status: OrderStatus.extract(['PENDING']),
  }),
);
export type PlaceOrderResponse = z.infer<typeof PlaceOrderResponse>;
