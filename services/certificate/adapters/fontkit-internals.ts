/**
 * The one file that reaches into fontkit's private members and undocumented object shapes
 * (STYLE.md rule 13). The fast paths built on it (pdf/ttf-subset.ts, pdf/direct-layout.ts,
 * pdf/shaping-plan.ts) see only what is exported here. fontkit is pinned to FONTKIT_VERSION in
 * package.json; tests/unit/certificate/adapters.test.ts checks that the installed version is that
 * one and that every member relied on here exists and behaves (`probeFontkitInternals`), so an
 * upgrade fails there, loudly, before it can change a certificate's bytes.
 *
 * What is relied on, all of fontkit 2.0.4:
 * - a TrueType font's `directory.tables` (tag → offset, length), `stream.buffer` (the file),
 *   `loca` (`version`, `offsets`), `_variationProcessor` (set for variable fonts), glyphs'
 *   `_getMetrics().leftBearing`;
 * - its parsed `GSUB`, `GPOS` and `GDEF` tables (restructure's objects and lazy arrays, see
 *   OpenType below) and the `morx` and `kern` getters;
 * - TTFSubset's `_addGlyph(gid)` writing to `glyf`, `loca`, `hmtx` and `offset`, and its
 *   `includeGlyph` reading and filling `glyphs` and `mapping` (TTFSubset reads only `glyphs`).
 */
import * as fontkit from 'fontkit';
import { installedVersion } from './installed-version.js';
import type { FontkitFont, FontkitGlyph, FontkitGlyphRun, FontkitSubset } from 'fontkit';

export type { FontkitFont, FontkitGlyph, FontkitGlyphRun, FontkitSubset };

/** The fontkit version this file is written against (exactly what package.json pins). */
export const FONTKIT_VERSION = '2.0.4';

/** The installed fontkit's version. */
export const installedFontkitVersion = (): string => installedVersion('fontkit');

/** Parses a font file (fontkit's `create`). */
export function openFont(bytes: Uint8Array): FontkitFont {
  return fontkit.create(bytes);
}

// ---------------------------------------------------------------------------------------------
// TrueType tables, for the fast subset encoder

interface TableEntry {
  offset: number;
  length: number;
}

/** The private parts of a fontkit TTFFont read here. */
interface TtfFontInternals {
  directory?: { tables: Record<string, TableEntry | undefined> };
  stream: { buffer: Uint8Array };
  loca: { version: number; offsets: number[] };
  getGlyph(gid: number): { advanceWidth: number; _getMetrics(): { leftBearing: number } };
  _variationProcessor?: unknown;
}

/** A plain TrueType font's file, as the subset encoder reads it. */
export interface TtfSource {
  /** `indexToLocFormat` (0: short offsets, 1: long). */
  readonly locaVersion: number;
  /** A table's bytes (a view into the font file), or null if the font has none. */
  table(tag: string): Uint8Array | null;
  /** A glyph's `glyf` bytes (a view into the font file). */
  glyphBytes(gid: number): Uint8Array;
  /** What fontkit's `_addGlyph` puts in hmtx for a glyph: advance width and left side bearing. */
  metric(gid: number): { advance: number; bearing: number };
}

const sources = new WeakMap<object, TtfSource | null>();

/**
 * The font's tables for encoding a subset directly, or null where that does not apply (not
 * TrueType outlines, a variable font, a required table missing). One object per font.
 */
export function ttfSource(font: FontkitFont): TtfSource | null {
  let source = sources.get(font);
  if (source !== undefined) return source;
  const f = font as unknown as TtfFontInternals;
  const tables = f.directory?.tables;
  source = null;
  if (tables?.glyf && tables.head && tables.hhea && tables.maxp && !f._variationProcessor && f.loca && f.stream?.buffer) {
    const buffer = f.stream.buffer;
    const glyfAt = tables.glyf.offset;
    const offsets = f.loca.offsets;
    source = {
      locaVersion: f.loca.version,
      table: (tag) => {
        const t = tables[tag];
        return t ? buffer.subarray(t.offset, t.offset + t.length) : null;
      },
      glyphBytes: (gid) => buffer.subarray(glyfAt + offsets[gid]!, glyfAt + offsets[gid + 1]!),
      metric: (gid) => {
        const glyph = f.getGlyph(gid);
        return { advance: glyph.advanceWidth, bearing: glyph._getMetrics().leftBearing };
      },
    };
  }
  sources.set(font, source);
  return source;
}

/** The private parts of a fontkit TTFSubset used here. */
interface TtfSubsetInternals extends FontkitSubset {
  font: FontkitFont;
  mapping: Record<number, number>;
  glyf: Uint8Array[];
  offset: number;
  loca: { offsets: number[]; version: number };
  hmtx: { metrics: Array<{ advance: number; bearing: number }>; bearings: number[] };
  _addGlyph(gid: number): number;
}

/**
 * One glyph as fontkit's `_addGlyph` writes it into a subset: for a composite glyph, its bytes
 * with the component ids renumbered to subset ids (the components are included in the subset, so
 * `subset.glyphs` may grow). The subset's own encoding state is left reset.
 */
export function fontkitGlyphEntry(subset: FontkitSubset, gid: number): { bytes: Uint8Array; metric: { advance: number; bearing: number } } {
  const s = subset as TtfSubsetInternals;
  s.glyf = [];
  s.offset = 0;
  s.loca = { offsets: [], version: 0 };
  s.hmtx = { metrics: [], bearings: [] };
  s._addGlyph(gid);
  const out = { bytes: s.glyf[0]!, metric: s.hmtx.metrics[0]! };
  s.glyf = [];
  s.offset = 0;
  s.hmtx = { metrics: [], bearings: [] };
  return out;
}

/** fontkit's own `encode` of a subset, whatever replaced it on the object (the reference in tests). */
export function fontkitEncode(subset: FontkitSubset): Uint8Array {
  return (Object.getPrototypeOf(subset) as { encode(this: FontkitSubset): Uint8Array }).encode.call(subset);
}

/**
 * Gives a fresh TTFSubset of a plain TrueType font a faster `encode` and `includeGlyph`; returns
 * false (the subset left as fontkit made it) where `encode` does not apply (see ttfSource).
 * `includeGlyph` kept its ids in a plain object keyed by glyph id, slow to fill with the ~150
 * glyphs each document starts with: the same ids from a Map (fontkit's TTFSubset reads only
 * `glyphs`, never `mapping`).
 */
export function speedUpSubset(subset: FontkitSubset, encode: (subset: FontkitSubset, source: TtfSource) => Uint8Array): boolean {
  const s = subset as TtfSubsetInternals;
  const source = s.font && ttfSource(s.font);
  if (!source || typeof s._addGlyph !== 'function' || !Array.isArray(s.glyphs)) return false;
  const glyphs = s.glyphs;
  const ids = new Map<number, number>(glyphs.map((g, i) => [g, i]));
  s.includeGlyph = (glyph) => {
    const id = typeof glyph === 'object' ? glyph.id : glyph;
    let index = ids.get(id);
    if (index === undefined) {
      index = glyphs.push(id) - 1;
      ids.set(id, index);
    }
    return index;
  };
  s.encode = () => encode(s, source);
  return true;
}

// ---------------------------------------------------------------------------------------------
// OpenType layout tables, for DirectLayout

/** The shapes of fontkit's parsed OpenType layout tables read by pdf/shaping-plan.ts. */
export declare namespace OpenType {
  interface Coverage {
    version: number;
    glyphs?: number[];
    rangeRecords?: Array<{ start: number; end: number; startCoverageIndex: number }>;
  }
  interface ClassDef {
    version: number;
    startGlyph?: number;
    classValueArray?: number[];
    classRangeRecord?: Array<{ start: number; end: number; class: number }>;
  }
  /** restructure's LazyArray (or a plain array, see `at` in shaping-plan). */
  interface Indexed<T> {
    get(i: number): T;
  }
  interface ValueRecord {
    xAdvance?: number;
  }
  interface Subtable {
    version?: number;
    coverage?: Coverage;
    coverages?: Coverage[];
    inputCoverage?: Coverage[];
    markCoverage?: Coverage;
    mark1Coverage?: Coverage;
    deltaGlyphID?: number;
    substitute?: Indexed<number> | number[];
    valueFormat1?: Record<string, boolean>;
    valueFormat2?: Record<string, boolean>;
    pairSets?: Indexed<Iterable<{ secondGlyph: number; value1: ValueRecord }>>;
    classDef1?: ClassDef;
    classDef2?: ClassDef;
    classRecords?: Indexed<Indexed<{ value1: ValueRecord }>>;
    count?: number;
    ligatureSets?: Indexed<Iterable<{ components: number[] }>>;
    /** Extension subtables (GSUB 7, GPOS 9). */
    lookupType?: number;
    extension?: Subtable;
  }
  interface Lookup {
    lookupType: number;
    flags: { markAttachmentType?: number; flags?: Record<string, boolean> };
    subTables: Subtable[];
  }
  interface LayoutTable {
    scriptList?: Array<{ tag: string; script: { defaultLangSys?: { featureIndexes: number[] } | null } }>;
    featureList: Array<{ tag: string; feature: { lookupListIndexes: number[] } }>;
    lookupList: Indexed<Lookup>;
    featureVariations?: unknown;
  }
}

interface LayoutFontInternals {
  GSUB?: OpenType.LayoutTable;
  GPOS?: OpenType.LayoutTable;
  GDEF?: { glyphClassDef?: OpenType.ClassDef };
  morx?: unknown;
  kern?: unknown;
  _variationProcessor?: unknown;
}

/** A font's parsed GSUB, GPOS and GDEF glyph classes, as DirectLayout reads them. */
export interface LayoutTables {
  GSUB: OpenType.LayoutTable;
  GPOS: OpenType.LayoutTable;
  glyphClassDef: OpenType.ClassDef;
}

/**
 * The layout tables, or null where fontkit would shape the font in ways DirectLayout does not
 * follow (AAT `morx`, a legacy `kern` table, variations, feature variations, a table missing).
 */
export function layoutTables(font: FontkitFont): LayoutTables | null {
  const f = font as unknown as LayoutFontInternals;
  if (f.morx || f.kern || f._variationProcessor || !f.GSUB || !f.GPOS || !f.GDEF?.glyphClassDef) return null;
  if (f.GSUB.featureVariations || f.GPOS.featureVariations) return null;
  return { GSUB: f.GSUB, GPOS: f.GPOS, glyphClassDef: f.GDEF.glyphClassDef };
}

// ---------------------------------------------------------------------------------------------
// The upgrade check

/**
 * What of the above a font (expected: Noto Sans JP, TrueType, static) lacks or does differently in
 * the installed fontkit: an empty list when everything this file relies on is there and behaves.
 * Run by tests/unit/certificate/adapters.test.ts.
 */
export function probeFontkitInternals(font: FontkitFont): string[] {
  const problems: string[] = [];
  const check = (ok: unknown, what: string) => {
    if (!ok) problems.push(what);
  };
  const f = font as unknown as TtfFontInternals & LayoutFontInternals;
  check(f.directory && typeof f.directory.tables === 'object', 'font.directory.tables');
  check(f.stream?.buffer instanceof Uint8Array, 'font.stream.buffer (a Uint8Array)');
  check(f.loca && Array.isArray(f.loca.offsets) && (f.loca.version === 0 || f.loca.version === 1), 'font.loca { version, offsets[] }');
  check('_variationProcessor' in f || f._variationProcessor === undefined, 'font._variationProcessor');
  const gid = font.glyphForCodePoint(0x41).id; // 'A', a simple glyph
  const glyph = f.getGlyph(gid) as Partial<ReturnType<TtfFontInternals['getGlyph']>>;
  check(typeof glyph._getMetrics === 'function' && typeof glyph._getMetrics().leftBearing === 'number', 'glyph._getMetrics().leftBearing');
  const source = ttfSource(font);
  check(source, 'ttfSource (a plain TrueType font)');
  if (source) {
    const glyf = source.glyphBytes(gid);
    // a simple glyph: numberOfContours >= 0, then its bounding box
    check(glyf.length >= 10 && new DataView(glyf.buffer, glyf.byteOffset).getInt16(0) >= 0, 'glyf bytes at the loca offset');
    const head = source.table('head');
    check(head && new DataView(head.buffer, head.byteOffset).getUint32(12) === 0x5f0f3cf5, 'head table at its directory offset (magic number)');
  }
  const subset = font.createSubset() as Partial<TtfSubsetInternals>;
  check(typeof subset._addGlyph === 'function', 'subset._addGlyph');
  check(Array.isArray(subset.glyphs) && subset.glyphs[0] === 0, 'subset.glyphs (starting with .notdef)');
  check(subset.mapping && typeof subset.mapping === 'object', 'subset.mapping');
  check(subset.font === font, 'subset.font');
  if (typeof subset._addGlyph === 'function' && source) {
    const entry = fontkitGlyphEntry(subset as FontkitSubset, gid);
    check(Buffer.from(entry.bytes).equals(Buffer.from(source.glyphBytes(gid))), "_addGlyph's glyf entry (the glyph's bytes)");
    check(entry.metric.advance === source.metric(gid).advance && entry.metric.bearing === source.metric(gid).bearing, "_addGlyph's hmtx entry");
  }
  const tables = layoutTables(font);
  check(tables, 'GSUB, GPOS and GDEF.glyphClassDef (and no morx, kern or variations)');
  if (tables) {
    for (const name of ['GSUB', 'GPOS'] as const) {
      const t = tables[name];
      check(Array.isArray(t.scriptList) && t.scriptList.every((e) => typeof e.tag === 'string' && 'script' in e), `${name}.scriptList[{ tag, script }]`);
      check(
        Array.isArray(t.featureList) && t.featureList.every((e) => typeof e.tag === 'string' && Array.isArray(e.feature.lookupListIndexes)),
        `${name}.featureList[{ tag, feature.lookupListIndexes }]`,
      );
      const count = (t.lookupList as unknown as { length?: number }).length;
      check(typeof t.lookupList?.get === 'function' && typeof count === 'number', `${name}.lookupList (a lazy array: get(i), length)`);
      if (typeof count !== 'number') continue;
      // the lookup kinds DirectLayout reproduces: GSUB single substitution, GPOS pair adjustment
      let found: OpenType.Lookup | undefined;
      for (let i = 0; i < count && !found; i++) {
        const l = t.lookupList.get(i);
        if (l.lookupType === (name === 'GSUB' ? 1 : 2)) found = l;
      }
      const st = found?.subTables[0];
      check(found && typeof found.flags === 'object' && st, `${name}.lookupList.get(i) { lookupType, flags, subTables }`);
      const coverage = st?.coverage;
      check(
        coverage && (coverage.version === 1 ? Array.isArray(coverage.glyphs) : Array.isArray(coverage.rangeRecords)),
        `${name} subtable coverage { version, glyphs | rangeRecords }`,
      );
      if (name === 'GSUB')
        check(
          st && (st.version === 1 ? typeof st.deltaGlyphID === 'number' : st.substitute !== undefined),
          'GSUB single substitution { deltaGlyphID | substitute }',
        );
      else
        check(
          st &&
            (st.version === 1 ? typeof st.pairSets?.get === 'function' : typeof st.classRecords?.get === 'function' && !!st.classDef1 && !!st.classDef2) &&
            typeof st.valueFormat1 === 'object',
          'GPOS pair adjustment { valueFormat1, pairSets | classDef1, classDef2, classRecords }',
        );
    }
    const c = tables.glyphClassDef;
    check(
      c.version === 1 ? Array.isArray(c.classValueArray) : Array.isArray(c.classRangeRecord),
      'GDEF.glyphClassDef { version, classValueArray | classRangeRecord }',
    );
  }
  const run = font.layout('A');
  check(typeof run.script === 'string' && typeof run.direction === 'string' && typeof run.features === 'object', 'GlyphRun { script, direction, features }');
  return problems;
}
