import * as z from 'zod';
import { PlaceOrderRequest } from './order';
import { Sku } from './product';
import { lazySchema } from './lazy-schema';

// Orders pushed in by marketplaces, in one generic import shape: the marketplace's own
// order reference and SKUs, mapped to ours through the channel's SKU map. Pure: the
// mapping either yields our order request, or names every SKU it does not know.

/** A marketplace channel as the admin names it in the path: `tmall`, `amazon-jp`. */
export const MarketplaceChannel = z.string().regex(/^[a-z0-9][a-z0-9-]{0,38}$/, 'must be 1-39 lowercase letters, digits or "-"');

/** The marketplace's SKU: their catalog, their rules (printable, no spaces). */
export const ExternalSku = z.string().regex(/^[\x21-\x7e]{1,100}$/, 'must be 1-100 visible ASCII characters');

/** The generic import shape (README "Integrations"): our placement request without channel, with the marketplace's reference and SKUs. */
export const ImportOrder = lazySchema(() =>
  PlaceOrderRequest.unwrap().omit({ channel: true, externalRef: true, lines: true }).extend({
    /** the marketplace's order id: importing it twice yields one order */
    externalRef: z.string().regex(/^[\x21-\x7e]{1,60}$/, 'must be 1-60 visible ASCII characters'),
    lines: z.array(z.strictObject({ sku: ExternalSku, quantity: PlaceOrderRequest.unwrap().shape.lines.element.shape.quantity })).min(1).max(100),
  }),
);
export type ImportOrder = z.infer<typeof ImportOrder>;

export const SkuMapInput = lazySchema(() =>
  z.strictObject({
    /** the marketplace's SKU -> ours */
    skus: z.record(ExternalSku, Sku).refine((m) => Object.keys(m).length <= 5000, 'at most 5000 SKUs'),
    /** the machine clients (token `client_id`) that may import this channel's orders */
    clients: z.array(z.string().min(1).max(128)).max(20).default([]),
  }),
);
export type SkuMapInput = z.infer<typeof SkuMapInput>;

export type Mapped = { ok: true; order: PlaceOrderRequest } | { ok: false; unknownSkus: string[] };

/** Our order request for an imported order, or every SKU the channel's map does not know. */
export function mapImport(channel: string, input: ImportOrder, skus: Readonly<Record<string, string>>): Mapped {
  const unknownSkus = [...new Set(input.lines.map((l) => l.sku).filter((s) => !Object.hasOwn(skus, s)))];
  if (unknownSkus.length > 0) return { ok: false, unknownSkus };
  const { lines, externalRef, ...rest } = input;
  return {
    ok: true,
    order: {
      ...rest,
      channel: 'marketplace',
      // unique per marketplace: two marketplaces may use the same order ids
      externalRef: `${channel}:${externalRef}`,
      lines: lines.map((l) => ({ sku: skus[l.sku]!, quantity: l.quantity })),
    },
  };
}
