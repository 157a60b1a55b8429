/**
 * A faster `encode()` for fontkit's TrueType subset, byte for byte what fontkit writes (checked in
 * tests/unit/certificate/pdf.test.ts). fontkit copies each glyph's bytes (its `_addGlyph`, kept),
 * then serializes head, hhea, loca, maxp, cvt, prep, glyf, hmtx and fpgm through restructure's
 * generic struct encoder, which sized and wrote every loca offset and hmtx entry field by field
 * and was the largest part of embedding the font per document. Here the fixed tables are the
 * font's own bytes with their counts patched, and loca, glyf and hmtx are written directly.
 */

interface TableEntry { offset: number; length: number }

/** The parts of a fontkit TrueType font used here. */
export interface TtfFontInternals {
  directory: { tables: Record<string, TableEntry | undefined> };
  stream: { buffer: Uint8Array };
  loca: { version: number };
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
  encode(): Uint8Array;
}

/** Whether `encodeTtfSubset` can stand in for this subset's `encode` (plain TrueType, no variations). */
export function canEncodeFast(subset: Partial<TtfSubsetInternals>): subset is TtfSubsetInternals {
  const font = subset.font;
  return typeof subset._addGlyph === 'function' && !!font && !font._variationProcessor
    && !!font.directory?.tables.glyf && !!font.directory.tables.head && !!font.directory.tables.hhea && !!font.directory.tables.maxp;
}

/** fontkit's TTFSubset.encode output, written directly. */
export function encodeTtfSubset(subset: TtfSubsetInternals): Buffer {
  const font = subset.font;
  subset.glyf = [];
  subset.offset = 0;
  subset.loca = { offsets: [], version: font.loca.version };
  subset.hmtx = { metrics: [], bearings: [] };
  // _addGlyph may append component glyphs to `glyphs` while we iterate
  for (let i = 0; i < subset.glyphs.length; i++) subset._addGlyph(subset.glyphs[i]!);
  subset.loca.offsets.push(subset.offset);

  const raw = (tag: string): Buffer | null => {
    const t = font.directory.tables[tag];
    if (!t) return null;
    return Buffer.from(font.stream.buffer.subarray(t.offset, t.offset + t.length));
  };
  const version = subset.loca.version;
  const head = raw('head')!;
  head.writeInt16BE(version, 50); // indexToLocFormat
  const hhea = raw('hhea')!;
  hhea.writeUInt16BE(subset.hmtx.metrics.length, 34); // numberOfMetrics
  const maxp = raw('maxp')!;
  maxp.writeUInt16BE(subset.glyf.length, 4); // numGlyphs
  const offsets = subset.loca.offsets;
  const loca = Buffer.allocUnsafe(offsets.length * (version === 0 ? 2 : 4));
  for (let i = 0; i < offsets.length; i++) {
    if (version === 0) loca.writeUInt16BE((offsets[i]! >>> 1) & 0xffff, 2 * i);
    else loca.writeUInt32BE(offsets[i]! >>> 0, 4 * i);
  }
  const glyf = Buffer.concat(subset.glyf);
  const metrics = subset.hmtx.metrics;
  const hmtx = Buffer.allocUnsafe(metrics.length * 4);
  for (let i = 0; i < metrics.length; i++) {
    hmtx.writeUInt16BE(metrics[i]!.advance & 0xffff, 4 * i);
    hmtx.writeInt16BE(metrics[i]!.bearing, 4 * i + 2);
  }
  // fontkit's order; absent tables are left out
  const tables: Array<[string, Buffer | null]> = [
    ['head', head], ['hhea', hhea], ['loca', loca], ['maxp', maxp], ['cvt ', raw('cvt ')],
    ['prep', raw('prep')], ['glyf', glyf], ['hmtx', hmtx], ['fpgm', raw('fpgm')],
  ];
  const present = tables.filter((t): t is [string, Buffer] => t[1] !== null);
  const n = present.length;
  const dirSize = 12 + 16 * n;
  const out = Buffer.alloc(dirSize + present.reduce((s, [, b]) => s + b.length, 0));
  out.write('true', 0, 'latin1');
  const maxPowerOf2 = 2 ** Math.floor(Math.log2(n));
  out.writeUInt16BE(n, 4);
  out.writeUInt16BE(maxPowerOf2 * 16, 6);
  out.writeUInt16BE(Math.log2(maxPowerOf2), 8);
  out.writeUInt16BE(n * 16 - maxPowerOf2 * 16, 10);
  let at = dirSize;
  present.forEach(([tag, data], i) => {
    const e = 12 + 16 * i;
    out.write(tag, e, 'latin1');
    out.writeUInt32BE(0, e + 4); // fontkit writes no checksums
    out.writeUInt32BE(at, e + 8);
    out.writeUInt32BE(data.length, e + 12);
    data.copy(out, at);
    at += data.length;
  });
  return out;
}
