import { AFTERSALES_EVENTS } from './aftersales';
import { CUSTOMER_DATA_EVENTS } from './customers';
import { INTEGRATION_EVENTS } from './integrations';
import { INVENTORY_EVENTS } from './inventory';
import { ORDER_LIFECYCLE_EVENTS, OrderPlaced, OrderRejected, StockReserved } from './orders';
import { OUTBOUND_EVENTS } from './outbound';
import { PAYMENT_EVENTS } from './payments';
import { RETURN_EVENTS } from './returns';
import { SHIPPING_EVENTS } from './shipping';

// Every event the system publishes, assembled from one module per area. Functions
// import the area modules of the events they publish or read, so a bundle carries
// only those contracts; the whole catalog is for what needs all of it (the event
// docs, the catalog's tests).

export * from './aftersales';
export * from './customers';
export * from './integrations';
export * from './inventory';
export * from './orders';
export * from './outbound';
export * from './payments';
export * from './returns';
export * from './shipping';

export const EVENTS = [
  OrderPlaced, StockReserved, OrderRejected, ...ORDER_LIFECYCLE_EVENTS, ...INVENTORY_EVENTS, ...PAYMENT_EVENTS,
  ...OUTBOUND_EVENTS, ...SHIPPING_EVENTS, ...RETURN_EVENTS, ...AFTERSALES_EVENTS,
  ...INTEGRATION_EVENTS, ...CUSTOMER_DATA_EVENTS,
] as const;

