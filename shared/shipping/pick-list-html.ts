// The printable pick list (GET /fulfillments/{id}/pick-list with Accept: text/html):
// one page, no script, no external resource; every value escaped.

export interface PickListPage {
  fulfillmentId: string;
  orderNumber: string;
  status: string;
  shipTo: { name: string; city: string; country: string };
  lines: { sku: string; name: string; quantity: number; location: string }[];
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const esc = (text: string | number) => String(text).replace(/[&<>"']/g, (c) => ENTITIES[c]!);

export function pickListHtml(p: PickListPage): string {
  const rows = p.lines
    .map((l) => `<tr><td>${esc(l.location)}</td><td>${esc(l.sku)}</td><td>${esc(l.name)}</td><td class="n">${esc(l.quantity)}</td><td class="box"></td></tr>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>${esc(`Pick list ${p.orderNumber} ${p.fulfillmentId}`)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse;width:100%}td,th{border:1px solid #999;padding:.4em;text-align:left}.n{text-align:right}.box{width:3em}@media print{body{margin:0}}</style>
</head><body>
<h1>Pick list — order ${esc(p.orderNumber)}</h1>
<p>Fulfilment ${esc(p.fulfillmentId)} (${esc(p.status)}) · ship to ${esc(p.shipTo.name)}, ${esc(p.shipTo.city)}, ${esc(p.shipTo.country)}</p>
<table><thead><tr><th>Location</th><th>SKU</th><th>Name</th><th class="n">Quantity</th><th>Picked</th></tr></thead>
<tbody>
${rows}
</tbody></table>
</body></html>
`;
}
