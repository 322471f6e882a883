import * as z from 'zod';
import { LineQuantities } from '../domain/fulfilment';
import { Order } from '../domain/order';
import { FulfilmentView, ShipmentView } from './schemas-outbound';
import { MoneySummaryView, PaymentResponse, RefundView } from './schemas-payments';
import { OrderIdPath } from './schemas-common';
import { ReasonRequest } from './schemas-reason';
import { lazySchema } from '../domain/lazy-schema';

// An order as GET /orders/{orderId} and the order commands answer it (re-exported by schemas.ts).

export { OrderIdPath, ReasonRequest };
export const OutboundView = lazySchema(() =>
  z.object({
    lines: z.array(LineQuantities.meta({ id: 'LineQuantities' })),
    fulfilments: z.array(FulfilmentView),
    shipments: z.array(ShipmentView),
  }).meta({ id: 'Outbound' }),
);

export const OrderResponse = lazySchema(() =>
  Order.unwrap()
    .extend({
      money: MoneySummaryView,
      payments: z.array(PaymentResponse),
      refunds: z.array(RefundView),
      /** once outbound work exists */
      outbound: OutboundView.optional(),
    })
    .meta({ id: 'Order' }),
);
