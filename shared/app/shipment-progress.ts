import type { TableContext } from '../store/table';
import { orderRepository } from '../store/order-repository';
import { paymentRepository } from '../store/payment-repository';
import { makeWriter } from '../store/writer';
import { outboundSteps } from './outbound';
import type { PaymentProviders } from './payment-providers';
import { makePayments } from './payments';

// The delivery and completion steps: outbound with the cash-on-delivery hook of
// payments (collectCash). Kept apart from outboundSteps so the fulfilment API's
// bundle carries no payment code.

/** Cash collected at the door involves no payment provider: the settlement never asks one. */
const NO_PROVIDERS: PaymentProviders = {
  adapterFor: (provider) => {
    throw new Error(`No payment provider (${provider}) in the delivery step`);
  },
  expectedMerchant: async () => undefined,
  notifyUrl: (provider) => {
    throw new Error(`No payment provider (${provider}) in the delivery step`);
  },
};

export function deliverySteps(ctx: TableContext, env: Record<string, string | undefined> = process.env) {
  const cash = makePayments({ orders: orderRepository(ctx), payments: paymentRepository(ctx), writer: makeWriter(ctx), ctx, providers: NO_PROVIDERS });
  return outboundSteps(ctx, { env, collectCash: (orderId, paymentId, reference, o) => cash.collectCash(orderId, paymentId, reference, o) });
}
