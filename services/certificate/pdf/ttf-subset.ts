/**
 * A faster `encode()` for fontkit's TrueType subset, byte for byte what fontkit writes (checked in
 * tests/unit/certificate/pdf.test.ts). fontkit copies each glyph's bytes from the font stream
 * (`_addGlyph`), then serializes head, hhea, loca, maxp, cvt, prep, glyf, hmtx and fpgm through
 * restructure's generic struct encoder, which sized and wrote every loca offset and hmtx entry
 * field by field and was the largest part of embedding the font per document. Here each glyph's
 * bytes (a view into the font) and metrics are looked up once per process, the glyphs every
 * document starts with (SubsetPrefix) are kept as one piece, the fixed tables are the font's own
 * bytes with their counts patched, and loca, glyf and hmtx are written directly.
 */

interface TableEntry { offset: number; length: number }

/** The parts of a fontkit TrueType font used here. */
export interface TtfFontInternals {
  directory: { tables: Record<string, TableEntry | undefined> };
  stream: { buffer: Uint8Array };
  loca: { version: number; offsets: number[] };
  getGlyph(gid: number): { advanceWidth: number; _getMetrics(): { leftBearing: number } };
  _variationProcessor?: unknown;
}

/** The parts of fontkit's TTFSubset used here. */
export interface TtfSubsetInternals {
  font: TtfFontInternals;
  glyphs: number[];
  glyf: Uint8Array[];
  offset: number;
  loca: { offsets: number[]; version: number };
  hmtx: { metrics: Array<{ advance: number; bearing: number }>; bearings: number[] };
  _addGlyph(gid: number): number;
  includeGlyph(glyph: number | { id: number }): number;
  encode(): Uint8Array;
  /** Set when the subset starts with glyphs every document starts with (see subsetPrefix). */
  prefix?: SubsetPrefix;
}

/** Whether `encodeTtfSubset` can stand in for this subset's `encode` (plain TrueType, no variations). */
export function canEncodeFast(subset: Partial<TtfSubsetInternals>): subset is TtfSubsetInternals {
  const font = subset.font;
  return typeof subset._addGlyph === 'function' && !!font && !font._variationProcessor
    && !!font.directory?.tables.glyf && !!font.directory.tables.head && !!font.directory.tables.hhea && !!font.directory.tables.maxp;
}

/** What the subset needs of one glyph: its `glyf` bytes (a view into the font) and metrics. */
interface GlyphRecord {
  bytes: Uint8Array;
  metric: { advance: number; bearing: number };
  /** Composite glyphs reference other glyphs by id and are copied by fontkit's `_addGlyph`. */
  composite: boolean;
}

/** Per font, the records of glyphs already embedded once (at most the font's glyph count). */
const glyphRecords = new WeakMap<TtfFontInternals, Map<number, GlyphRecord>>();

function glyphRecord(font: TtfFontInternals, gid: number): GlyphRecord {
  let records = glyphRecords.get(font);
  if (!records) glyphRecords.set(font, (records = new Map()));
  let rec = records.get(gid);
  if (!rec) {
    const glyfAt = font.directory.tables.glyf!.offset;
    const start = font.loca.offsets[gid]!;
    const bytes = font.stream.buffer.subarray(glyfAt + start, glyfAt + font.loca.offsets[gid + 1]!);
    const glyph = font.getGlyph(gid);
    rec = {
      bytes,
      // as fontkit's _addGlyph: advanceWidth and the hmtx left side bearing
      metric: { advance: glyph.advanceWidth, bearing: glyph._getMetrics().leftBearing },
      // numberOfContours < 0
      composite: bytes.length >= 2 && (bytes[0]! & 0x80) !== 0,
    };
    records.set(gid, rec);
  }
  return rec;
}

/**
 * The first glyphs of a subset when every document's subset starts with the same ones (the static
 * text of a certificate, see StaticText): their glyf bytes as one piece, loca offsets and metrics.
 */
export interface SubsetPrefix {
  glyphs: number[];
  glyf: Buffer;
  offsets: number[];
  metrics: Array<{ advance: number; bearing: number }>;
}

/** The prefix for these glyphs (glyph 0 first), or null where encodeTtfSubset does not apply or a glyph is composite. */
export function subsetPrefix(font: TtfFontInternals, glyphs: number[]): SubsetPrefix | null {
  if (!font.directory?.tables.glyf || font._variationProcessor || glyphs[0] !== 0) return null;
  const records = glyphs.map((g) => glyphRecord(font, g));
  if (records.some((r) => r.composite)) return null;
  const offsets: number[] = [];
  let offset = 0;
  for (const r of records) {
    offsets.push(offset);
    offset += r.bytes.length;
  }
  return { glyphs: [...glyphs], glyf: Buffer.concat(records.map((r) => r.bytes)), offsets, metrics: records.map((r) => r.metric) };
}

function startsWith(glyphs: number[], prefix: number[]): boolean {
  if (glyphs.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (glyphs[i] !== prefix[i]) return false;
  return true;
}

/** fontkit's TTFSubset.encode output, written directly. */
export function encodeTtfSubset(subset: TtfSubsetInternals): Buffer {
  const font = subset.font;
  subset.glyf = [];
  subset.offset = 0;
  subset.loca = { offsets: [], version: font.loca.version };
  subset.hmtx = { metrics: [], bearings: [] };
  // What fontkit's _addGlyph does, from records kept across documents (it read and copied each
  // glyph's bytes from the font stream every time). Composite glyphs go through _addGlyph, which
  // may append their component glyphs to `glyphs` while we iterate.
  let i = 0;
  const prefix = subset.prefix;
  if (prefix && startsWith(subset.glyphs, prefix.glyphs)) {
    subset.glyf.push(prefix.glyf);
    subset.loca.offsets.push(...prefix.offsets);
    subset.hmtx.metrics.push(...prefix.metrics);
    subset.offset = prefix.glyf.length;
    i = prefix.glyphs.length;
  }
  for (; i < subset.glyphs.length; i++) {
    const gid = subset.glyphs[i]!;
    const rec = glyphRecord(font, gid);
    if (rec.composite) {
      subset._addGlyph(gid);
      continue;
    }
    subset.glyf.push(rec.bytes);
    subset.loca.offsets.push(subset.offset);
    subset.hmtx.metrics.push(rec.metric);
    subset.offset += rec.bytes.length;
  }
  subset.loca.offsets.push(subset.offset);

  const raw = (tag: string): Buffer | null => {
    const t = font.directory.tables[tag];
    if (!t) return null;
    return Buffer.from(font.stream.buffer.subarray(t.offset, t.offset + t.length));
  };
  const rawParts = (tag: string): Uint8Array[] | null => {
    const t = font.directory.tables[tag];
    return t ? [font.stream.buffer.subarray(t.offset, t.offset + t.length)] : null;
  };
  const version = subset.loca.version;
  const head = raw('head')!;
  head.writeInt16BE(version, 50); // indexToLocFormat
  const hhea = raw('hhea')!;
  hhea.writeUInt16BE(subset.hmtx.metrics.length, 34); // numberOfMetrics
  const maxp = raw('maxp')!;
  maxp.writeUInt16BE(subset.hmtx.metrics.length, 4); // numGlyphs (one metric per glyph)
  const offsets = subset.loca.offsets;
  const loca = Buffer.allocUnsafe(offsets.length * (version === 0 ? 2 : 4));
  for (let i = 0; i < offsets.length; i++) {
    if (version === 0) loca.writeUInt16BE((offsets[i]! >>> 1) & 0xffff, 2 * i);
    else loca.writeUInt32BE(offsets[i]! >>> 0, 4 * i);
  }
  const metrics = subset.hmtx.metrics;
  const hmtx = Buffer.allocUnsafe(metrics.length * 4);
  for (let i = 0; i < metrics.length; i++) {
    hmtx.writeUInt16BE(metrics[i]!.advance & 0xffff, 4 * i);
    hmtx.writeInt16BE(metrics[i]!.bearing, 4 * i + 2);
  }
  // fontkit's order; absent tables are left out. glyf is copied straight from the glyph views.
  const tables: Array<[string, Uint8Array[] | null]> = [
    ['head', [head]], ['hhea', [hhea]], ['loca', [loca]], ['maxp', [maxp]], ['cvt ', rawParts('cvt ')],
    ['prep', rawParts('prep')], ['glyf', subset.glyf], ['hmtx', [hmtx]], ['fpgm', rawParts('fpgm')],
  ];
  const present = tables.filter((t): t is [string, Uint8Array[]] => t[1] !== null);
  const lengths = present.map(([, parts]) => parts.reduce((s, b) => s + b.length, 0));
  const n = present.length;
  const dirSize = 12 + 16 * n;
  const out = Buffer.allocUnsafe(dirSize + lengths.reduce((s, l) => s + l, 0));
  out.write('true', 0, 'latin1');
  const maxPowerOf2 = 2 ** Math.floor(Math.log2(n));
  out.writeUInt16BE(n, 4);
  out.writeUInt16BE(maxPowerOf2 * 16, 6);
  out.writeUInt16BE(Math.log2(maxPowerOf2), 8);
  out.writeUInt16BE(n * 16 - maxPowerOf2 * 16, 10);
  let at = dirSize;
  present.forEach(([tag, parts], i) => {
    const e = 12 + 16 * i;
    out.write(tag, e, 'latin1');
    out.writeUInt32BE(0, e + 4); // fontkit writes no checksums
    out.writeUInt32BE(at, e + 8);
    out.writeUInt32BE(lengths[i]!, e + 12);
    for (const part of parts) {
      out.set(part, at);
      at += part.length;
    }
  });
  return out;
}
