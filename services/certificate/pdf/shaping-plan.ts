/**
 * Reading fontkit's parsed GSUB and GPOS tables for DirectLayout: which lookups fontkit's shaping
 * applies to a script, and the coverage and class lookups it does them with.
 */

import type { OpenType } from '../adapters/fontkit-internals.js';

// fontkit's parsed OpenType tables (their shapes are declared, and checked, in the adapter)
export type Coverage = OpenType.Coverage;
export type ClassDef = OpenType.ClassDef;
export type Indexed<T> = OpenType.Indexed<T>;
export type Subtable = OpenType.Subtable;
export type Lookup = OpenType.Lookup;
export type LayoutTable = OpenType.LayoutTable;

/**
 * The features fontkit's default shaper (Latin, Han, kana, common text) applies, in its order: one
 * stage, lookups sorted by index. frac, numr and dnom are local (only around U+2044).
 */
export const DEFAULT_FEATURES = [
  'rvrn',
  'ltra',
  'ltrm',
  'frac',
  'numr',
  'dnom',
  'ccmp',
  'locl',
  'rlig',
  'mark',
  'mkmk',
  'calt',
  'clig',
  'liga',
  'rclt',
  'curs',
  'kern',
];
const LOCAL_FEATURES = new Set(['frac', 'numr', 'dnom']);
/** fontkit's fallback when a table has no entry for a script. */
const DEFAULT_SCRIPTS = ['DFLT', 'dflt', 'latn'];

/** fontkit's `coverageIndex`. */
export function coverageIndex(c: Coverage, glyph: number): number {
  if (c.version === 1) return c.glyphs!.indexOf(glyph);
  if (c.version === 2) for (const r of c.rangeRecords!) if (r.start <= glyph && glyph <= r.end) return r.startCoverageIndex + glyph - r.start;
  return -1;
}

/** fontkit's `getClassID`. */
export function classOf(glyph: number, c: ClassDef): number {
  if (c.version === 1) {
    const i = glyph - c.startGlyph!;
    if (i >= 0 && i < c.classValueArray!.length) return c.classValueArray![i]!;
  } else if (c.version === 2) {
    for (const r of c.classRangeRecord!) if (r.start <= glyph && glyph <= r.end) return r.class;
  }
  return 0;
}

/** An element of a parsed array (fontkit parses some lazily). */
export const at = <T>(list: Indexed<T> | T[], i: number): T => (Array.isArray(list) ? list[i]! : list.get(i));

/**
 * The coverages a glyph must be in for a lookup to act with it as the current glyph (where every
 * fontkit lookup starts: no lookup changes a run none of whose glyphs is in them). Null for
 * subtable kinds not known here.
 */
function startCoverages(table: 'GSUB' | 'GPOS', type: number, st: Subtable): Coverage[] | null {
  if ((table === 'GSUB' && type === 7) || (table === 'GPOS' && type === 9))
    return st.extension && st.lookupType ? startCoverages(table, st.lookupType, st.extension) : null;
  const contextual = table === 'GSUB' ? type === 5 || type === 6 : type === 7 || type === 8;
  if (contextual) {
    const list = st.version === 3 ? (st.coverages ?? st.inputCoverage) : st.coverage && [st.coverage];
    return list ? [...list] : null;
  }
  const c = table === 'GPOS' && (type === 4 || type === 5) ? st.markCoverage : table === 'GPOS' && type === 6 ? st.mark1Coverage : st.coverage;
  const known = table === 'GSUB' ? [1, 2, 3, 4, 8].includes(type) : [1, 2, 3, 4, 5, 6].includes(type);
  return known && c ? [c] : null;
}

/** Every glyph that is a second or later component of a ligature, or null if a ligature has only one. */
function ligatureComponents(lookup: Lookup): Set<number> | null {
  const out = new Set<number>();
  for (const st of lookup.subTables) {
    if (!st.ligatureSets || st.count === undefined) return null;
    for (let i = 0; i < st.count; i++) {
      for (const lig of st.ligatureSets.get(i)) {
        if (lig.components.length === 0) return null;
        for (const c of lig.components) out.add(c);
      }
    }
  }
  return out;
}

const plainFlags = (l: Lookup): boolean => !l.flags.markAttachmentType && !Object.values(l.flags.flags ?? {}).some(Boolean);
const onlyXAdvance = (f: Record<string, boolean> | undefined): boolean => !!f && Object.entries(f).every(([k, v]) => !v || k === 'xAdvance');
const nothing = (f: Record<string, boolean> | undefined): boolean => !!f && !Object.values(f).some(Boolean);

/** A single substitution applied to every glyph in its coverage. */
export interface SubstituteStep {
  kind: 'substitute';
  sub: Subtable;
}
/**
 * Ligatures: a glyph in the coverage starts one only when the next glyphs are its components, so
 * the glyphs that are components (here combining kana voicing marks and dashes) are left to fontkit.
 */
export interface LigatureStep {
  kind: 'ligature';
  components: Set<number>;
}
/** A lookup whose effect is not reproduced: a glyph it may start at is left to fontkit. */
export interface AvoidStep {
  kind: 'avoid';
  coverages: Coverage[];
}
/** Pair kerning that changes only the first glyph's advance. */
export interface PairStep {
  kind: 'pair';
  subs: Subtable[];
}

/** fontkit's shaping of one script, as steps (see shapingPlan). */
export interface ShapingPlan {
  gsub: Array<SubstituteStep | LigatureStep | AvoidStep>;
  gpos: Array<PairStep | AvoidStep>;
}

/**
 * What fontkit's shaping does to text of one script in this font, as steps DirectLayout follows
 * glyph by glyph: the lookups fontkit applies (its `selectScript` with the default language and
 * `lookupsForFeatures` for the default shaper's features, in lookup order), each reproduced
 * (single substitution, ligature, pair kerning) or to be avoided. Null where fontkit's choice
 * cannot be reproduced (no script entry at all, a lookup kind not known here).
 */
export function shapingPlan(tables: { GSUB: LayoutTable; GPOS: LayoutTable }, script: string): ShapingPlan | null {
  const steps = (name: 'GSUB' | 'GPOS'): Array<SubstituteStep | LigatureStep | PairStep | AvoidStep> | null => {
    const table = tables[name];
    const find = (tags: string[]) => {
      for (const t of tags) for (const e of table.scriptList ?? []) if (e.tag === t) return e;
      return null;
    };
    // fontkit keeps the previous script when neither is found: not reproducible
    const entry = find([script]) ?? find(DEFAULT_SCRIPTS);
    if (!entry) return null;
    const features = new Map<string, { lookupListIndexes: number[] }>();
    for (const fi of entry.script.defaultLangSys?.featureIndexes ?? []) features.set(table.featureList[fi]!.tag, table.featureList[fi]!.feature);
    const lookups: Array<{ tag: string; index: number }> = [];
    for (const tag of DEFAULT_FEATURES) for (const index of features.get(tag)?.lookupListIndexes ?? []) lookups.push({ tag, index });
    lookups.sort((a, b) => a.index - b.index);
    const out: Array<SubstituteStep | LigatureStep | PairStep | AvoidStep> = [];
    for (const { tag, index } of lookups) {
      const lookup = table.lookupList.get(index);
      const plain = plainFlags(lookup) && !LOCAL_FEATURES.has(tag);
      if (
        name === 'GSUB' &&
        plain &&
        lookup.lookupType === 1 &&
        lookup.subTables.length === 1 &&
        (lookup.subTables[0]!.version === 1 || lookup.subTables[0]!.version === 2)
      ) {
        out.push({ kind: 'substitute', sub: lookup.subTables[0]! });
      } else if (name === 'GSUB' && plain && lookup.lookupType === 4 && ligatureComponents(lookup)) {
        out.push({ kind: 'ligature', components: ligatureComponents(lookup)! });
      } else if (
        name === 'GPOS' &&
        plain &&
        lookup.lookupType === 2 &&
        lookup.subTables.every((st) => (st.version === 1 || st.version === 2) && onlyXAdvance(st.valueFormat1) && nothing(st.valueFormat2))
      ) {
        out.push({ kind: 'pair', subs: lookup.subTables });
      } else {
        const coverages: Coverage[] = [];
        for (const st of lookup.subTables) {
          const c = startCoverages(name, lookup.lookupType, st);
          if (!c) return null;
          coverages.push(...c);
        }
        out.push({ kind: 'avoid', coverages });
      }
    }
    return out;
  };
  const gsub = steps('GSUB') as ShapingPlan['gsub'] | null;
  const gpos = steps('GPOS') as ShapingPlan['gpos'] | null;
  return gsub && gpos ? { gsub, gpos } : null;
}
