import { receiptLines, type Receipt } from './receipt';

// The voucher as a printable HTML page: one self-contained document (inline CSS, no
// scripts, no external fonts: the reader's own CJK fonts show it), A4 when printed.
// Every value is escaped: the payer's name and the provider's reference are text from outside.

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);

export interface ReceiptHtmlOptions {
  /** full URL of the public check (`.../receipts/{code}`); the path alone when not given */
  verifyUrl?: string;
}

const STYLE = `
body { font-family: "Noto Sans TC", "PingFang TC", "Microsoft JhengHei", "Noto Sans SC", "PingFang SC", sans-serif; color: #111; margin: 2rem auto; max-width: 44rem; padding: 0 1rem; }
h1 { font-size: 1.6rem; font-weight: 500; border-bottom: 2px solid #333; padding-bottom: .4rem; }
dl { display: grid; grid-template-columns: 12rem 1fr; margin: 0; }
dt, dd { margin: 0; padding: .7rem 0; border-bottom: 1px solid #ccc; }
dt { color: #666; font-size: .85rem; }
dd { overflow-wrap: anywhere; }
dd.amount { font-size: 1.3rem; }
dd.code { font-family: ui-monospace, monospace; font-size: .9rem; }
footer { color: #555; font-size: .8rem; margin-top: 1.5rem; overflow-wrap: anywhere; }
@media print { body { margin: 0; max-width: none; } @page { size: A4; margin: 2cm; } }
`;

export function receiptHtml(receipt: Receipt, options: ReceiptHtmlOptions = {}): string {
  const verify = options.verifyUrl ?? `GET /receipts/${receipt.verificationCode}`;
  const rows = receiptLines(receipt)
    .map(({ label, value, emphasis, small }) => {
      const cls = emphasis ? ' class="amount"' : small ? ' class="code"' : '';
      return `<dt>${escapeHtml(label)}</dt><dd${cls}>${escapeHtml(value)}</dd>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="zh-Hant">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(`${receipt.title} ${receipt.orderNumber}`)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(receipt.title)} Payment receipt</h1>
<dl>
${rows}
</dl>
<footer>憑驗證碼可查驗此憑證的真偽 Anyone holding the verification code can check this receipt:<br>${escapeHtml(verify)}</footer>
</body>
</html>
`;
}
