import { customerRepository } from './customer-repository';
import { locationRepository } from './location-repository';
import { notificationRepository } from './notification-repository';
import { orderLookup } from './order-lookup';
import { orderRepository } from './order-repository';
import { outboundRepository } from './outbound-repository';
import { paymentRepository } from './payment-repository';
import { productRepository } from './product-repository';
import { settingsRepository } from './settings-repository';
import { stockLedger } from './stock-ledger';
import { stockRepository } from './stock-repository';
import type { TableContext } from './table';
import { makeBatchWriter } from './batch-writer';

/**
 * Every store module over one table, each built once and given what it needs (no
 * module creates another), plus the one writer every change goes through.
 */
export function storeFor(ctx: TableContext) {
  const customers = customerRepository(ctx);
  return {
    products: productRepository(ctx),
    stock: stockRepository(ctx),
    ledger: stockLedger(ctx),
    locations: locationRepository(ctx),
    orders: orderRepository(ctx),
    customers,
    lookup: orderLookup(ctx, customers),
    settings: settingsRepository(ctx),
    notifications: notificationRepository(ctx),
    payments: paymentRepository(ctx),
    outbound: outboundRepository(ctx),
    writer: makeBatchWriter(ctx),
    ctx,
  };
}
export type Store = ReturnType<typeof storeFor>;
