import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { TrueTypeFont } from './receipt-font';
import { receiptLines, type Receipt } from './receipt';

// The voucher as a one-page A4 PDF (ISO 32000-1), written directly: a page, its content
// stream and, per font used, a Type0 font over a CIDFontType2 whose program is a subset
// of Noto Sans TC / SC holding only the glyphs on the page (a few KB, not the 7-10 MB
// font). Text is drawn by glyph id (Identity-H) and carries a ToUnicode map, so it
// can be searched and copied. See receipt-font.ts for why no PDF library.

/** The two faces a voucher is set in, as TrueType bytes (the function ships them beside its bundle). */
export interface ReceiptFonts {
  /** Noto Sans TC: Traditional Chinese forms, the default face */
  traditional: Buffer;
  /** Noto Sans SC: for text with characters the TC face lacks (Simplified-only characters) */
  simplified: Buffer;
}

/** The faces' files in their npm packages (SIL Open Font License), and their names beside a function's bundle. */
export const RECEIPT_FONT_FILES = {
  traditional: { source: '@expo-google-fonts/noto-sans-tc/400Regular/NotoSansTC_400Regular.ttf', name: 'NotoSansTC-Regular.ttf' },
  simplified: { source: '@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf', name: 'NotoSansSC-Regular.ttf' },
} as const;

/** Reads both faces from a folder holding them under their bundle names. */
export function loadReceiptFonts(dir: string): ReceiptFonts {
  return {
    traditional: readFileSync(join(dir, RECEIPT_FONT_FILES.traditional.name)),
    simplified: readFileSync(join(dir, RECEIPT_FONT_FILES.simplified.name)),
  };
}

/** A4 in points. */
export const PAGE = { width: 595.28, height: 841.89 } as const;
const MARGIN = 56;
const VALUE_X = 220;

interface Face {
  key: string;
  name: string;
  font: TrueTypeFont;
  used: Map<number, string>;
}

interface Run {
  face: Face;
  glyphs: number[];
}

interface TextOp {
  x: number;
  y: number;
  size: number;
  gray: number;
  runs: Run[];
}

const parsed = new WeakMap<Buffer, TrueTypeFont>();
const open = (data: Buffer) => {
  let font = parsed.get(data);
  if (!font) parsed.set(data, (font = new TrueTypeFont(data)));
  return font;
};

const num = (n: number) => (Math.round(n * 100) / 100).toString();
const hex4 = (n: number) => n.toString(16).toUpperCase().padStart(4, '0');
const utf16Hex = (text: string) => Buffer.from(text, 'utf16le').swap16().toString('hex').toUpperCase();

class Page {
  private readonly ops: (TextOp | string)[] = [];
  readonly faces: Face[];

  constructor(fonts: ReceiptFonts) {
    this.faces = [
      { key: 'F1', name: 'NotoSansTC-Regular', font: open(fonts.traditional), used: new Map() },
      { key: 'F2', name: 'NotoSansSC-Regular', font: open(fonts.simplified), used: new Map() },
    ];
  }

  /** Runs of one face each: the TC face unless the text needs the SC one; per character, whichever has the glyph. */
  private runs(text: string): Run[] {
    const [tc, sc] = this.faces as [Face, Face];
    const primary = tc.font.covers(text) ? tc : sc;
    const other = primary === tc ? sc : tc;
    const runs: Run[] = [];
    for (const ch of text) {
      const cp = ch.codePointAt(0)!;
      const face = primary.font.glyphId(cp) !== 0 || other.font.glyphId(cp) === 0 ? primary : other;
      const glyph = face.font.glyphId(cp);
      if (glyph !== 0) face.used.set(glyph, ch);
      const last = runs.at(-1);
      if (last?.face === face) last.glyphs.push(glyph);
      else runs.push({ face, glyphs: [glyph] });
    }
    return runs;
  }

  width(text: string, size: number): number {
    return this.runs(text).reduce(
      (w, run) => w + run.glyphs.reduce((s, g) => s + run.face.font.advance(g), 0) * (size / run.face.font.metrics.unitsPerEm),
      0,
    );
  }

  /** Draws text with its baseline at y (from the top of the page); returns the lines used, broken to fit maxWidth. */
  text(text: string, x: number, y: number, size: number, options: { gray?: number; maxWidth?: number; leading?: number } = {}): number {
    const lines = options.maxWidth ? this.wrap(text, size, options.maxWidth) : [text];
    lines.forEach((line, i) =>
      this.ops.push({ x, y: y + i * (options.leading ?? size * 1.4), size, gray: options.gray ?? 0, runs: this.runs(line) }),
    );
    return lines.length;
  }

  /** Breaks at spaces where it can, else between any two characters (CJK has no spaces). */
  private wrap(text: string, size: number, maxWidth: number): string[] {
    const lines: string[] = [];
    let line = '';
    for (const ch of text) {
      if (line !== '' && this.width(line + ch, size) > maxWidth) {
        const space = line.lastIndexOf(' ');
        if (space > 0 && ch !== ' ') {
          lines.push(line.slice(0, space));
          line = line.slice(space + 1) + ch;
        } else {
          lines.push(line);
          line = ch === ' ' ? '' : ch;
        }
      } else line += ch;
    }
    return [...lines, line];
  }

  rule(y: number, gray = 0.75, width = 0.6): void {
    this.ops.push(`${gray} G ${width} w ${MARGIN} ${num(PAGE.height - y)} m ${num(PAGE.width - MARGIN)} ${num(PAGE.height - y)} l S`);
  }

  /** The content stream, with glyph ids of each face's subset. */
  content(newIds: Map<Face, Map<number, number>>): string {
    return this.ops
      .map((op) => {
        if (typeof op === 'string') return op;
        const shows = op.runs
          .map((run) => {
            const ids = newIds.get(run.face)!;
            return `/${run.face.key} ${num(op.size)} Tf <${run.glyphs.map((g) => hex4(ids.get(g) ?? 0)).join('')}> Tj`;
          })
          .join(' ');
        return `BT ${op.gray} g ${num(op.x)} ${num(PAGE.height - op.y)} Td ${shows} ET`;
      })
      .join('\n');
  }
}

/** The voucher's layout: title, one row per field, the verification code and where to check it. */
function layout(receipt: Receipt, page: Page, verifyUrl: string | undefined): void {
  let y = MARGIN + 24;
  page.text(`${receipt.title}  Payment receipt`, MARGIN, y, 22);
  y += 14;
  page.rule(y, 0.2, 1.2);
  y += 34;
  for (const { label, value, emphasis, small } of receiptLines(receipt)) {
    page.text(label, MARGIN, y, 10, { gray: 0.4 });
    const size = emphasis ? 16 : small ? 10 : 12;
    const lines = page.text(value, VALUE_X, y, size, { maxWidth: PAGE.width - MARGIN - VALUE_X });
    y += (lines - 1) * size * 1.4 + 14;
    page.rule(y);
    y += 24;
  }
  y += 12;
  page.text('憑驗證碼可查驗此憑證的真偽  Anyone holding the verification code can check this receipt:', MARGIN, y, 9, {
    gray: 0.35,
    maxWidth: PAGE.width - 2 * MARGIN,
  });
  y += 16;
  page.text(verifyUrl ?? `GET /receipts/${receipt.verificationCode}`, MARGIN, y, 9, { gray: 0.35, maxWidth: PAGE.width - 2 * MARGIN });
}

function toUnicode(used: Map<number, string>, newId: Map<number, number>): string {
  const entries = [...used].map(([g, ch]) => `<${hex4(newId.get(g)!)}> <${utf16Hex(ch)}>`);
  const blocks: string[] = [];
  for (let i = 0; i < entries.length; i += 100) {
    const chunk = entries.slice(i, i + 100);
    blocks.push(`${chunk.length} beginbfchar\n${chunk.join('\n')}\nendbfchar`);
  }
  return [
    '/CIDInit /ProcSet findresource begin 12 dict begin begincmap',
    '/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def',
    '/CMapName /Adobe-Identity-UCS def /CMapType 2 def',
    '1 begincodespacerange <0000> <FFFF> endcodespacerange',
    ...blocks,
    'endcmap CMapName currentdict /CMap defineresource pop end end',
  ].join('\n');
}

/** Six capital letters naming a subset (ISO 32000-1, 9.6.4), derived from its glyphs so output is reproducible. */
const subsetTag = (glyphs: number[]) =>
  [...createHash('sha256').update(glyphs.join(',')).digest().subarray(0, 6)].map((b) => String.fromCharCode(65 + (b % 26))).join('');

/** A PDF file from numbered objects (1-based; object 1 the catalog), with its cross-reference table. */
function pdfFile(objects: (string | Buffer)[], info: number): Buffer {
  const chunks: Buffer[] = [Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let length = chunks[0]!.length;
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(length);
    const chunk = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`), Buffer.isBuffer(body) ? body : Buffer.from(body, 'latin1'), Buffer.from('\nendobj\n')]);
    chunks.push(chunk);
    length += chunk.length;
  });
  const xref = [
    'xref',
    `0 ${objects.length + 1}`,
    '0000000000 65535 f ',
    ...offsets.map((o) => `${o.toString().padStart(10, '0')} 00000 n `),
    'trailer',
    `<< /Size ${objects.length + 1} /Root 1 0 R /Info ${info} 0 R >>`,
    'startxref',
    `${length}`,
    '%%EOF\n',
  ].join('\n');
  return Buffer.concat([...chunks, Buffer.from(xref, 'latin1')]);
}

const stream = (dict: string, data: Buffer | string) => {
  const packed = deflateSync(data);
  return Buffer.concat([Buffer.from(`<< ${dict} /Length ${packed.length} /Filter /FlateDecode >>\nstream\n`), packed, Buffer.from('\nendstream')]);
};

export interface ReceiptPdfOptions {
  /** full URL of the public check (`.../receipts/{code}`); the path alone when not given */
  verifyUrl?: string;
}

/** The voucher as a PDF file. */
export function receiptPdf(receipt: Receipt, fonts: ReceiptFonts, options: ReceiptPdfOptions = {}): Buffer {
  const page = new Page(fonts);
  layout(receipt, page, options.verifyUrl);

  // 1 catalog, 2 pages, 3 page, 4 contents, 5 info, then five objects per face used.
  const faces = page.faces.filter((f) => f.used.size > 0);
  const newIds = new Map<Face, Map<number, number>>();
  const fontObjects: (string | Buffer)[] = [];
  const fontRefs: string[] = [];
  faces.forEach((face) => {
    const glyphs = [...face.used.keys()].sort((a, b) => a - b);
    const { program, newId, advances } = face.font.subset(glyphs);
    newIds.set(face, newId);
    const first = 6 + fontObjects.length;
    const [type0, cid, descriptor, file, cmap] = [first, first + 1, first + 2, first + 3, first + 4];
    const name = `${subsetTag(glyphs)}+${face.name}`;
    const { unitsPerEm, ascent, descent, capHeight, bbox } = face.font.metrics;
    const scale = (n: number) => Math.round((n * 1000) / unitsPerEm);
    fontRefs.push(`/${face.key} ${type0} 0 R`);
    fontObjects.push(
      `<< /Type /Font /Subtype /Type0 /BaseFont /${name} /Encoding /Identity-H /DescendantFonts [${cid} 0 R] /ToUnicode ${cmap} 0 R >>`,
      `<< /Type /Font /Subtype /CIDFontType2 /BaseFont /${name} /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> ` +
        `/FontDescriptor ${descriptor} 0 R /CIDToGIDMap /Identity /DW 1000 /W [0 [${advances.map(scale).join(' ')}]] >>`,
      `<< /Type /FontDescriptor /FontName /${name} /Flags 4 /FontBBox [${bbox.map(scale).join(' ')}] /ItalicAngle 0 ` +
        `/Ascent ${scale(ascent)} /Descent ${scale(descent)} /CapHeight ${scale(capHeight)} /StemV 80 /FontFile2 ${file} 0 R >>`,
      stream(`/Length1 ${program.length}`, program),
      stream('', toUnicode(face.used, newId)),
    );
  });

  return pdfFile(
    [
      '<< /Type /Catalog /Pages 2 0 R /Lang (zh-Hant) >>',
      '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${PAGE.width} ${PAGE.height}] /Resources << /Font << ${fontRefs.join(' ')} >> >> /Contents 4 0 R >>`,
      stream('', page.content(newIds)),
      `<< /Title <FEFF${utf16Hex(`${receipt.title} ${receipt.orderNumber}`)}> /Producer (OMS) >>`,
      ...fontObjects,
    ],
    5,
  );
}
