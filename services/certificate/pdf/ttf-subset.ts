/**
 * A faster `encode()` for fontkit's TrueType subset, byte for byte what fontkit writes (checked on
 * seeded varied holders in tests/unit/certificate/font-subset.test.ts). fontkit copies each glyph's bytes from the font stream
 * (`_addGlyph`), then serializes head, hhea, loca, maxp, cvt, prep, glyf, hmtx and fpgm through
 * restructure's generic struct encoder, which sized and wrote every loca offset and hmtx entry
 * field by field and was the largest part of embedding the font per document. Here each glyph's
 * bytes (a view into the font) and metrics are looked up once per process, the glyphs every
 * document starts with (SubsetPrefix) are kept as one piece, the fixed tables are the font's own
 * bytes with their counts patched, and loca, glyf and hmtx are written directly. What it reads of
 * fontkit's objects comes through adapters/fontkit-internals.ts.
 */

import { fontkitGlyphEntry, type FontkitSubset, type TtfSource } from '../adapters/fontkit-internals.js';

/** A fontkit TTFSubset, with the prefix of static glyphs it starts with where StaticText set one. */
export type TtfSubset = FontkitSubset & {
  /** Set when the subset starts with glyphs every document starts with (see subsetPrefix). */
  prefix?: SubsetPrefix;
};

/** What the subset needs of one glyph: its `glyf` bytes (a view into the font) and metrics. */
interface GlyphRecord {
  bytes: Uint8Array;
  metric: { advance: number; bearing: number };
  /** Composite glyphs reference other glyphs by id and are copied by fontkit's `_addGlyph`. */
  composite: boolean;
}

/** Per font, the records of glyphs already embedded once (at most the font's glyph count). */
const glyphRecords = new WeakMap<TtfSource, Map<number, GlyphRecord>>();

function glyphRecord(font: TtfSource, gid: number): GlyphRecord {
  let records = glyphRecords.get(font);
  if (!records) glyphRecords.set(font, (records = new Map()));
  let rec = records.get(gid);
  if (!rec) {
    const bytes = font.glyphBytes(gid);
    rec = {
      bytes,
      // as fontkit's _addGlyph: advanceWidth and the hmtx left side bearing
      metric: font.metric(gid),
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
export function subsetPrefix(font: TtfSource | null, glyphs: number[]): SubsetPrefix | null {
  if (!font || glyphs[0] !== 0) return null;
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

/** fontkit's TTFSubset.encode output for `subset` of `font`, written directly. */
export function encodeTtfSubset(subset: TtfSubset, font: TtfSource): Buffer {
  const glyf: Uint8Array[] = [];
  const offsets: number[] = [];
  const metrics: Array<{ advance: number; bearing: number }> = [];
  let offset = 0;
  // What fontkit's _addGlyph does, from records kept across documents (it read and copied each
  // glyph's bytes from the font stream every time). Composite glyphs go through _addGlyph, which
  // may append their component glyphs to `glyphs` while we iterate.
  let i = 0;
  const prefix = subset.prefix;
  if (prefix && startsWith(subset.glyphs, prefix.glyphs)) {
    glyf.push(prefix.glyf);
    offsets.push(...prefix.offsets);
    metrics.push(...prefix.metrics);
    offset = prefix.glyf.length;
    i = prefix.glyphs.length;
  }
  for (; i < subset.glyphs.length; i++) {
    const gid = subset.glyphs[i]!;
    const rec = glyphRecord(font, gid);
    const entry = rec.composite ? fontkitGlyphEntry(subset, gid) : rec;
    glyf.push(entry.bytes);
    offsets.push(offset);
    metrics.push(entry.metric);
    offset += entry.bytes.length;
  }
  offsets.push(offset);

  const raw = (tag: string): Buffer | null => {
    const t = font.table(tag);
    return t && Buffer.from(t);
  };
  const rawParts = (tag: string): Uint8Array[] | null => {
    const t = font.table(tag);
    return t ? [t] : null;
  };
  const version = font.locaVersion;
  const head = raw('head')!;
  head.writeInt16BE(version, 50); // indexToLocFormat
  const hhea = raw('hhea')!;
  hhea.writeUInt16BE(metrics.length, 34); // numberOfMetrics
  const maxp = raw('maxp')!;
  maxp.writeUInt16BE(metrics.length, 4); // numGlyphs (one metric per glyph)
  const loca = Buffer.allocUnsafe(offsets.length * (version === 0 ? 2 : 4));
  for (let i = 0; i < offsets.length; i++) {
    if (version === 0) loca.writeUInt16BE((offsets[i]! >>> 1) & 0xffff, 2 * i);
    else loca.writeUInt32BE(offsets[i]! >>> 0, 4 * i);
  }
  const hmtx = Buffer.allocUnsafe(metrics.length * 4);
  for (let i = 0; i < metrics.length; i++) {
    hmtx.writeUInt16BE(metrics[i]!.advance & 0xffff, 4 * i);
    hmtx.writeInt16BE(metrics[i]!.bearing, 4 * i + 2);
  }
  // fontkit's order; absent tables are left out. glyf is copied straight from the glyph views.
  const tables: Array<[string, Uint8Array[] | null]> = [
    ['head', [head]],
    ['hhea', [hhea]],
    ['loca', [loca]],
    ['maxp', [maxp]],
    ['cvt ', rawParts('cvt ')],
    ['prep', rawParts('prep')],
    ['glyf', glyf],
    ['hmtx', [hmtx]],
    ['fpgm', rawParts('fpgm')],
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
