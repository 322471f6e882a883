import type { Carrier, WaybillCarrier } from '../port';

// Which carriers book waybills. Placeholder until the carrier adapters (EasyPost,
// Kuaidi100, the local sandbox) land here: no carrier books yet, so a shipment needs
// its trackingNumber (POST /orders/{orderId}/shipments answers 422 without one).
export function waybillCarrierFor(_carrier: Carrier): WaybillCarrier | undefined {
  return undefined;
}
