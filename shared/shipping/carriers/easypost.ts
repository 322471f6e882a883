import * as z from 'zod';
import { lazyCredentials, parseJson, ProviderCallError, send, shaped, type CredentialSource } from '../../payments/providers/common';
import type { WaybillCarrier, WaybillInput, WaybillResult } from '../port';
import { lazySchema } from '../../domain/lazy-schema';

// EasyPost: a waybill is a Shipment (`POST /v2/shipments`, Basic auth with the API key as
// user name) bought at its lowest rate (`POST /v2/shipments/{id}/buy`). The bought
// Shipment carries the tracking code, the Tracker (trk_…, which the tracker webhooks
// name) and the label. EasyPost has no idempotency header: the shipment id goes as
// `reference`, and a retry after a lost answer may buy a second label (EasyPost refunds
// an unused label on request); the shipment's own idempotency claim keeps this rare.

export interface EasyPostCredentials {
  apiKey: string;
}

export interface EasyPostOptions {
  baseUrl: string;
  credentials: CredentialSource<EasyPostCredentials>;
  /** An Address id (adr_…) to ship from; EasyPost needs one for a real label. */
  fromAddressId?: string;
  /** Parcel weight in ounces when the order's lines carry none (EasyPost requires a weight). */
  defaultWeightOz?: number;
}

const Rate = lazySchema(() =>
  z.looseObject({ id: z.string().min(1), rate: z.string(), carrier: z.string().optional(), service: z.string().optional() }),
);
const Created = lazySchema(() =>
  z.looseObject({ id: z.string().startsWith('shp_'), rates: z.array(Rate) }),
);
const Bought = lazySchema(() =>
  z.looseObject({
    id: z.string().startsWith('shp_'),
    tracking_code: z.string().min(1),
    tracker: z.looseObject({ id: z.string().min(1), est_delivery_date: z.string().nullish() }).nullish(),
    postage_label: z.looseObject({ label_url: z.string().nullish() }).nullish(),
  }),
);

/** The cheapest rate (EasyPost's rates are decimal strings). */
export function lowestRate<R extends { rate: string }>(rates: R[]): R | undefined {
  return rates.reduce<R | undefined>((best, r) => (best === undefined || Number(r.rate) < Number(best.rate) ? r : best), undefined);
}

export function easypostCarrier(opts: EasyPostOptions): WaybillCarrier {
  const credentials = lazyCredentials(opts.credentials);
  const base = opts.baseUrl.replace(/\/+$/, '');

  async function post(path: string, body: unknown): Promise<unknown> {
    const { apiKey } = await credentials();
    const res = await send('easypost', `${base}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${apiKey}:`, 'utf8').toString('base64')}`,
        'content-type': 'application/json',
        accept: 'application/json',
      },
      body: JSON.stringify(body),
    });
    if (res.status >= 300) throw new ProviderCallError('easypost', `POST ${path} answered ${res.status}`, res.status, res.text.slice(0, 300));
    return parseJson('easypost', res.text);
  }

  return {
    carrier: 'easypost',
    async createWaybill(input: WaybillInput): Promise<WaybillResult> {
      const { to } = input;
      const shipment = shaped('easypost', 'Shipment', Created, await post('/v2/shipments', {
        shipment: {
          reference: input.shipmentId,
          to_address: {
            name: to.name, street1: to.line1, street2: to.line2, city: to.city, state: to.region, zip: to.postalCode, country: to.country, phone: to.phone,
          },
          ...(opts.fromAddressId ? { from_address: { id: opts.fromAddressId } } : {}),
          // EasyPost weighs in ounces, as a float
          parcel: { weight: opts.defaultWeightOz ?? 16 },
          options: { invoice_number: input.orderNumber, print_custom_1: input.orderNumber },
        },
      }));
      const rate = lowestRate(shipment.rates);
      if (!rate) throw new ProviderCallError('easypost', `shipment ${shipment.id} has no rates`);
      const bought = shaped('easypost', 'bought Shipment', Bought, await post(`/v2/shipments/${encodeURIComponent(shipment.id)}/buy`, { rate: { id: rate.id } }));
      const est = bought.tracker?.est_delivery_date?.slice(0, 10);
      return {
        trackingNumber: bought.tracking_code,
        providerRef: bought.tracker?.id ?? bought.id,
        ...(bought.postage_label?.label_url ? { labelUrl: bought.postage_label.label_url } : {}),
        ...(est && /^\d{4}-\d{2}-\d{2}$/.test(est) ? { estimatedDelivery: est } : {}),
      };
    },
  };
}
