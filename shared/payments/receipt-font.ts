// A TrueType (glyf) font reduced to the glyphs one document uses, for embedding in a PDF
// as a CIDFontType2 font program (FontFile2).
//
// Why by hand: a PDF library with a font engine (pdfkit + fontkit: 428 KiB minified even
// without its WOFF2 decoder; pdf-lib + @pdf-lib/fontkit: 1.5 MB) would alone exceed the
// 250 KiB a function bundle may hold. Reading a glyf font and copying out a few glyphs
// needs only the tables below (OpenType spec: head, hhea, maxp, hmtx, loca, glyf, cmap).
//
// The subset renumbers glyphs 0..n-1 (0 stays .notdef) and keeps the tables a PDF
// TrueType font program needs (ISO 32000-1, 9.9: head, hhea, loca, maxp, glyf, hmtx,
// plus cvt/fpgm/prep when present). The PDF addresses glyphs by these new ids
// (Identity-H encoding, CIDToGIDMap Identity) and maps them back to text with a ToUnicode CMap.

interface TableRecord {
  offset: number;
  length: number;
}

/** What the PDF needs about the whole font, in its own units (unitsPerEm). */
export interface FontMetrics {
  unitsPerEm: number;
  ascent: number;
  descent: number;
  capHeight: number;
  bbox: [number, number, number, number];
}

const HINTING_TABLES = ['cvt ', 'fpgm', 'prep'] as const;

// Composite glyph flags (OpenType glyf table).
const ARG_1_AND_2_ARE_WORDS = 0x0001;
const WE_HAVE_A_SCALE = 0x0008;
const MORE_COMPONENTS = 0x0020;
const WE_HAVE_AN_X_AND_Y_SCALE = 0x0040;
const WE_HAVE_A_TWO_BY_TWO = 0x0080;

export class TrueTypeFont {
  readonly metrics: FontMetrics;
  private readonly tables = new Map<string, TableRecord>();
  private readonly numGlyphs: number;
  private readonly numberOfHMetrics: number;
  private readonly longLoca: boolean;
  private readonly cmap: (codePoint: number) => number;

  constructor(private readonly data: Buffer) {
    if (data.length < 12 || data.readUInt32BE(0) !== 0x00010000) {
      throw new Error('not a TrueType font with glyf outlines');
    }
    const numTables = data.readUInt16BE(4);
    for (let i = 0; i < numTables; i++) {
      const at = 12 + 16 * i;
      this.tables.set(data.toString('latin1', at, at + 4), { offset: data.readUInt32BE(at + 8), length: data.readUInt32BE(at + 12) });
    }
    const head = this.table('head');
    const hhea = this.table('hhea');
    this.numGlyphs = this.table('maxp').readUInt16BE(4);
    this.numberOfHMetrics = hhea.readUInt16BE(34);
    this.longLoca = head.readInt16BE(50) === 1;
    const os2 = this.tables.has('OS/2') ? this.table('OS/2') : undefined;
    const ascent = hhea.readInt16BE(4);
    this.metrics = {
      unitsPerEm: head.readUInt16BE(18),
      ascent,
      descent: hhea.readInt16BE(6),
      capHeight: os2 && os2.readUInt16BE(0) >= 2 ? os2.readInt16BE(88) : ascent,
      bbox: [head.readInt16BE(36), head.readInt16BE(38), head.readInt16BE(40), head.readInt16BE(42)],
    };
    this.cmap = this.readCmap();
  }

  private table(tag: string): Buffer {
    const record = this.tables.get(tag);
    if (!record) throw new Error(`font has no ${tag} table`);
    return this.data.subarray(record.offset, record.offset + record.length);
  }

  /** The glyph id of a Unicode code point; 0 (.notdef) when the font has none. */
  glyphId(codePoint: number): number {
    return this.cmap(codePoint);
  }

  /** Whether every character of `text` has a glyph (white space included). */
  covers(text: string): boolean {
    for (const ch of text) if (this.glyphId(ch.codePointAt(0)!) === 0) return false;
    return true;
  }

  /** Advance width of a glyph in font units. */
  advance(glyph: number): number {
    const hmtx = this.table('hmtx');
    return hmtx.readUInt16BE(4 * Math.min(glyph, this.numberOfHMetrics - 1));
  }

  private glyphData(glyph: number): Buffer {
    const loca = this.table('loca');
    const [start, end] = this.longLoca
      ? [loca.readUInt32BE(4 * glyph), loca.readUInt32BE(4 * glyph + 4)]
      : [2 * loca.readUInt16BE(2 * glyph), 2 * loca.readUInt16BE(2 * glyph + 2)];
    return this.table('glyf').subarray(start, end);
  }

  /** Component glyph ids of a composite glyph (none for a simple or empty one). */
  private components(data: Buffer, visit: (glyphAt: number, glyph: number) => void): void {
    if (data.length === 0 || data.readInt16BE(0) >= 0) return;
    let at = 10;
    for (;;) {
      const flags = data.readUInt16BE(at);
      visit(at + 2, data.readUInt16BE(at + 2));
      at += 4 + (flags & ARG_1_AND_2_ARE_WORDS ? 4 : 2);
      if (flags & WE_HAVE_A_SCALE) at += 2;
      else if (flags & WE_HAVE_AN_X_AND_Y_SCALE) at += 4;
      else if (flags & WE_HAVE_A_TWO_BY_TWO) at += 8;
      if (!(flags & MORE_COMPONENTS)) return;
    }
  }

  /** cmap subtable 3/10 or 0/4 (format 12, all of Unicode) if present, else 3/1 (format 4, the BMP). */
  private readCmap(): (codePoint: number) => number {
    const cmap = this.table('cmap');
    const subtables = new Map<string, number>();
    for (let i = 0; i < cmap.readUInt16BE(2); i++) {
      const at = 4 + 8 * i;
      subtables.set(`${cmap.readUInt16BE(at)}/${cmap.readUInt16BE(at + 2)}`, cmap.readUInt32BE(at + 4));
    }
    const full = subtables.get('3/10') ?? subtables.get('0/4') ?? subtables.get('0/6');
    if (full !== undefined && cmap.readUInt16BE(full) === 12) {
      const groups = cmap.readUInt32BE(full + 12);
      return (cp) => {
        let lo = 0;
        let hi = groups - 1;
        while (lo <= hi) {
          const mid = (lo + hi) >> 1;
          const at = full + 16 + 12 * mid;
          if (cp < cmap.readUInt32BE(at)) hi = mid - 1;
          else if (cp > cmap.readUInt32BE(at + 4)) lo = mid + 1;
          else return cmap.readUInt32BE(at + 8) + (cp - cmap.readUInt32BE(at));
        }
        return 0;
      };
    }
    const bmp = subtables.get('3/1') ?? subtables.get('0/3');
    if (bmp === undefined || cmap.readUInt16BE(bmp) !== 4) throw new Error('font has no Unicode cmap');
    const segments = cmap.readUInt16BE(bmp + 6) / 2;
    const ends = bmp + 14;
    const starts = ends + 2 * segments + 2;
    const deltas = starts + 2 * segments;
    const rangeOffsets = deltas + 2 * segments;
    return (cp) => {
      if (cp > 0xffff) return 0;
      for (let i = 0; i < segments; i++) {
        if (cp > cmap.readUInt16BE(ends + 2 * i)) continue;
        const start = cmap.readUInt16BE(starts + 2 * i);
        if (cp < start) return 0;
        const rangeOffset = cmap.readUInt16BE(rangeOffsets + 2 * i);
        if (rangeOffset === 0) return (cp + cmap.readInt16BE(deltas + 2 * i)) & 0xffff;
        const glyph = cmap.readUInt16BE(rangeOffsets + 2 * i + rangeOffset + 2 * (cp - start));
        return glyph === 0 ? 0 : (glyph + cmap.readInt16BE(deltas + 2 * i)) & 0xffff;
      }
      return 0;
    };
  }

  /**
   * A font program with only `glyphs` (original ids, in the order given; .notdef is
   * added first and components of composite glyphs after), and the old -> new id map.
   */
  subset(glyphs: Iterable<number>): { program: Buffer; newId: Map<number, number>; advances: number[] } {
    const order: number[] = [];
    const newId = new Map<number, number>();
    const keep = (g: number) => {
      if (g >= this.numGlyphs || newId.has(g)) return;
      newId.set(g, order.length);
      order.push(g);
    };
    keep(0);
    for (const g of glyphs) keep(g);
    for (let i = 0; i < order.length; i++) this.components(this.glyphData(order[i]!), (_at, g) => keep(g));

    const glyf: Buffer[] = [];
    const loca = Buffer.alloc(4 * (order.length + 1));
    const hmtx = Buffer.alloc(4 * order.length);
    const source = this.table('hmtx');
    let offset = 0;
    order.forEach((g, i) => {
      const copy = Buffer.from(this.glyphData(g));
      this.components(copy, (at, component) => copy.writeUInt16BE(newId.get(component)!, at));
      const padded = Buffer.concat([copy, Buffer.alloc((4 - (copy.length % 4)) % 4)]);
      glyf.push(padded);
      loca.writeUInt32BE(offset, 4 * i);
      offset += padded.length;
      const metric = Math.min(g, this.numberOfHMetrics - 1);
      hmtx.writeUInt16BE(source.readUInt16BE(4 * metric), 4 * i);
      const lsb = g < this.numberOfHMetrics ? source.readInt16BE(4 * g + 2) : source.readInt16BE(4 * this.numberOfHMetrics + 2 * (g - this.numberOfHMetrics));
      hmtx.writeInt16BE(lsb, 4 * i + 2);
    });
    loca.writeUInt32BE(offset, 4 * order.length);

    const head = Buffer.from(this.table('head'));
    head.writeUInt32BE(0, 8); // checkSumAdjustment, set below
    head.writeInt16BE(1, 50); // long loca
    const hhea = Buffer.from(this.table('hhea'));
    hhea.writeUInt16BE(order.length, 34);
    const maxp = Buffer.from(this.table('maxp'));
    maxp.writeUInt16BE(order.length, 4);

    const tables: [string, Buffer][] = [
      ['glyf', Buffer.concat(glyf)], ['head', head], ['hhea', hhea], ['hmtx', hmtx], ['loca', loca], ['maxp', maxp],
    ];
    for (const tag of HINTING_TABLES) if (this.tables.has(tag)) tables.push([tag, Buffer.from(this.table(tag))]);
    const program = sfnt(tables);
    program.writeUInt32BE((0xb1b0afba - checksum(program)) >>> 0, tableOffset(program, 'head') + 8);
    return { program, newId, advances: order.map((g) => this.advance(g)) };
  }
}

function checksum(data: Buffer): number {
  const padded = data.length % 4 === 0 ? data : Buffer.concat([data, Buffer.alloc(4 - (data.length % 4))]);
  let sum = 0;
  for (let i = 0; i < padded.length; i += 4) sum = (sum + padded.readUInt32BE(i)) >>> 0;
  return sum;
}

/** An sfnt file (TrueType outlines) of these tables, its directory sorted by tag. */
function sfnt(tables: [string, Buffer][]): Buffer {
  tables.sort(([a], [b]) => (a < b ? -1 : 1));
  const n = tables.length;
  const log2 = Math.floor(Math.log2(n));
  const header = Buffer.alloc(12 + 16 * n);
  header.writeUInt32BE(0x00010000, 0);
  header.writeUInt16BE(n, 4);
  header.writeUInt16BE(16 * 2 ** log2, 6);
  header.writeUInt16BE(log2, 8);
  header.writeUInt16BE(16 * n - 16 * 2 ** log2, 10);
  const bodies: Buffer[] = [];
  let offset = header.length;
  tables.forEach(([tag, data], i) => {
    const at = 12 + 16 * i;
    header.write(tag, at, 'latin1');
    header.writeUInt32BE(checksum(data), at + 4);
    header.writeUInt32BE(offset, at + 8);
    header.writeUInt32BE(data.length, at + 12);
    const padded = Buffer.concat([data, Buffer.alloc((4 - (data.length % 4)) % 4)]);
    bodies.push(padded);
    offset += padded.length;
  });
  return Buffer.concat([header, ...bodies]);
}

function tableOffset(font: Buffer, tag: string): number {
  for (let i = 0; i < font.readUInt16BE(4); i++) {
    const at = 12 + 16 * i;
    if (font.toString('latin1', at, at + 4) === tag) return font.readUInt32BE(at + 8);
  }
  throw new Error(`no ${tag} table`);
}
