import * as z from 'zod';
import { parseJson, ProviderCallError, send, shaped } from '../../payments/providers/common';
import { TrackingProvider, type WaybillCarrier, type WaybillInput, type WaybillResult } from '../port';
import { lazySchema } from '../../domain/lazy-schema';

// The local stage's carrier: `POST {CARRIER_SANDBOX_URL}/waybills`, idempotent on
// `reference` (the shipment id), answered with an `SB…` tracking number. It calls back
// through the tracking provider named by the shipment's notify URL
// (`…/webhooks/carriers/<provider>`), in that provider's real format.

const Waybill = lazySchema(() =>
  z.looseObject({
    trackingNumber: z.string().min(1),
    providerRef: z.string().optional(),
    labelUrl: z.string().optional(),
    estimatedDelivery: z.iso.date().optional(),
  }),
);

/** The tracking provider a notify URL names (its last path segment), if it names one. */
export function notifyProviderOf(notifyUrl: string): TrackingProvider | undefined {
  const last = notifyUrl.replace(/\/+$/, '').split('/').pop();
  const parsed = TrackingProvider.safeParse(last);
  return parsed.success ? parsed.data : undefined;
}

export function sandboxCarrier(opts: { baseUrl: string }): WaybillCarrier {
  const base = opts.baseUrl.replace(/\/+$/, '');
  return {
    carrier: 'sandbox',
    async createWaybill(input: WaybillInput): Promise<WaybillResult> {
      const notifyVia = notifyProviderOf(input.notifyUrl);
      const res = await send('sandbox', `${base}/waybills`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'idempotency-key': input.idempotencyKey },
        body: JSON.stringify({ reference: input.shipmentId, parcel: input.parcel, to: input.to, ...(notifyVia ? { notifyVia } : {}) }),
      });
      if (res.status >= 300) throw new ProviderCallError('sandbox', `POST /waybills answered ${res.status}`, res.status, res.text.slice(0, 300));
      const w = shaped('sandbox', 'waybill', Waybill, parseJson('sandbox', res.text));
      return {
        trackingNumber: w.trackingNumber,
        ...(w.providerRef ? { providerRef: w.providerRef } : {}),
        ...(w.labelUrl ? { labelUrl: w.labelUrl } : {}),
        ...(w.estimatedDelivery ? { estimatedDelivery: w.estimatedDelivery } : {}),
      };
    },
  };
}
