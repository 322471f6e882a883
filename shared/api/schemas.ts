import * as z from 'zod';
import { CallbackProvider } from '../payments/port';
import { TrackingProvider } from '../shipping/port';

// Request and response schemas of every route. Handlers validate with them and
// GET /openapi.json is generated from them, so the document cannot drift. Each area's
// schemas are in a module of their own (schemas-<area>.ts), which its routes module
// imports alone: zod builds every schema of a module when it loads, so a function's
// bundle then builds its own area's schemas and no other. The path and list schemas
// every area uses are in schemas-common.ts. All are re-exported here.

export * from './schemas-common';
export * from './schemas-reason';
export * from './schemas-payments';
export * from './schemas-catalog';
export * from './schemas-inventory';
export * from './schemas-place-order';
export * from './schemas-outbound';
export * from './schemas-orders';
export * from './schemas-settings';
export * from './schemas-lookup';
export * from './schemas-notifications';
export * from './schemas-receipts';
export * from './schemas-tracking';
export * from './schemas-reports';
export * from './schemas-returns';
export * from './schemas-health';

/** `{provider}` of the payment webhooks: the providers that call back */
export const PaymentProviderPath = z.strictObject({ provider: CallbackProvider });
/** `{provider}` of the carrier webhooks: the tracking providers that call back */
export const CarrierProviderPath = z.strictObject({ provider: TrackingProvider });
