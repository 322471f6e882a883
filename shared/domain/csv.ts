// CSV as RFC 4180 writes it, for spreadsheet users: CRLF line ends, a field quoted when
// it holds a comma, quote, CR or LF (quotes doubled), and a UTF-8 byte order mark so
// Excel reads Chinese names as UTF-8 rather than the machine's legacy code page.

const BOM = '\uFEFF';

function field(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A CSV document: a header row, then one row per record in the header's order. */
export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return BOM + [header, ...rows].map((r) => r.map(field).join(',')).join('\r\n') + '\r\n';
}
