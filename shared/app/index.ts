import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { storeFor, type Store } from '../store';
import type { TableContext } from '../store/table';
import { makeCustomerStats } from './customer-stats';
import { makeNotifications } from './notifications';
import { makeAddNote } from './notes';
import { makeOrderLifecycle } from './order-lifecycle';
import { orderNumberLease } from './order-numbers';
import { makePlaceOrder } from './place-order';
import { makeReserveStock, makeSettleHolds } from './reserve-stock';
import { makeSettings } from './settings';
import { makeStock } from './stock';
import { makeStockChecks } from './stock-checks';

/**
 * The application over one table: every use case wired to the store modules it
 * reads through and the one writer it commits with. Handlers take the parts they
 * need from here (their composition roots), tests drive the same objects.
 */
export function applicationFor(
  store: Store,
  opts: {
    /** reserve-stock reuses its list of locations this long (0: reads it every time) */
    locationsTtlMs?: number;
    /** reserve-stock may plan from levels it read this long ago (0: reads them for every order) */
    levelsTtlMs?: number;
  } = {},
) {
  const { writer, ctx } = store;
  const stock = makeStock({ stock: store.stock, ledger: store.ledger, writer, ctx });
  return {
    products: store.products,
    lookup: store.lookup,
    /** orders by a shipment's tracking number */
    tracking: { ordersByTracking: store.outbound.ordersByTracking },
    locations: store.locations,
    stock,
    orders: {
      ...store.orders,
      /** the next order number, from this application's lease of the day's sequence */
      nextOrderSequence: orderNumberLease(store.orders.takeOrderSequences),
      create: makePlaceOrder({ customers: store.customers, writer, ctx }),
      reserve: makeReserveStock({ orders: store.orders, stock: store.stock, locations: store.locations, writer, locationsTtlMs: opts.locationsTtlMs ?? 0, levelsTtlMs: opts.levelsTtlMs ?? 0 }),
      /** ends what an order of many SKUs still holds, as its status says (redelivery, crash recovery) */
      settleHolds: makeSettleHolds(store),
      /** A staff note in the order's timeline, written only if the order exists. */
      addNote: makeAddNote(writer),
    },
    lifecycle: makeOrderLifecycle({ orders: store.orders, writer, settleHolds: makeSettleHolds(store) }),
    customers: { ...store.customers, ...makeCustomerStats({ writer }) },
    settings: makeSettings({ settings: store.settings, writer }),
    notifications: makeNotifications({ notifications: store.notifications, writer }),
    checks: makeStockChecks({ stock: { ...store.stock, ...stock }, products: store.products, writer }),
  };
}

export const application = (doc: DynamoDBDocumentClient, tableName: string, opts: Parameters<typeof applicationFor>[1] = {}) =>
  applicationFor(storeFor({ doc, tableName }), opts);

/** The staff look-ups over one table. */
export const orderLookupOver = (ctx: TableContext) => storeFor(ctx).lookup;
export type Application = ReturnType<typeof applicationFor>;
export type OrdersApp = Application['orders'];
