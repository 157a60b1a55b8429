import { layoutTables, type FontkitFont, type FontkitGlyph, type LayoutTables } from '../adapters/fontkit-internals.js';
import { at, classOf, coverageIndex, DEFAULT_FEATURES, shapingPlan, type ShapingPlan } from './shaping-plan.js';

/** A fontkit glyph, as its layout returns it. */
export type LayoutGlyph = FontkitGlyph;

/** A chunk laid out: fontkit's glyphs and each one's advance (font units, kerning included). */
export interface DirectRun {
  glyphs: LayoutGlyph[];
  xAdvances: number[];
}

/** A script's shaping plan and the results kept for it (per code point; per glyph pair). */
interface Plan extends ShapingPlan {
  glyphs: Map<number, LayoutGlyph | null>;
  kerning: Map<number, number>;
}

/** Most glyph pairs kept per script before the kerning cache is dropped (bounds memory). */
const KERNING_CACHE_PAIRS = 100_000;

/**
 * Lays out text the way fontkit's `layout` does for this font, from the font's cmap, its single
 * substitutions (such as Noto Sans JP's `locl`, which gives digits in Latin-script text other
 * glyphs than in digit-only text) and its pair kerning, for the text where that is all fontkit's
 * shaping would do. Shaping each new string through fontkit (feature planning, every lookup tried
 * on every glyph) was most of a certificate's text cost once names, dates, lots and IDs varied.
 *
 * A chunk is laid out here only if every one of its glyphs is outside the coverage of every other
 * lookup fontkit would apply for the chunk's script (ligatures, contextual lookups, mark
 * positioning, lookups with flags), no glyph is a mark, and the script is shaped by fontkit's
 * default shaper left to right; the script is detected as fontkit detects it, by asking a private
 * copy of the font (so that no glyph objects are made in the shared one). For anything else
 * `layout` returns null and the caller uses fontkit. Tested against fontkit in
 * tests/unit/certificate/direct-layout.test.ts.
 */
export class DirectLayout {
  private readonly font: FontkitFont;
  private readonly tables: LayoutTables;
  private readonly oracle: FontkitFont;
  private readonly unknownScript: string;
  /** Per code point: the script fontkit detects in it (null: never laid out here). */
  private readonly scripts = new Map<number, string | null>();
  private readonly plans = new Map<string, Plan | null>();

  /** A DirectLayout for `font`, or null if the font needs more than this reproduces. `oracle` is a second parse of the same font file. */
  static create(font: FontkitFont, oracle: FontkitFont): DirectLayout | null {
    const tables = layoutTables(font);
    return tables && new DirectLayout(font, tables, oracle);
  }

  private constructor(font: FontkitFont, tables: LayoutTables, oracle: FontkitFont) {
    this.font = font;
    this.tables = tables;
    this.oracle = oracle;
    this.unknownScript = oracle.layout('').script;
  }

  /** fontkit's glyphs and advances for `text` (one chunk, no spaces inside), or null to use fontkit. */
  layout(text: string): DirectRun | null {
    const codePoints: number[] = [];
    let script = this.unknownScript;
    let scriptFound = false;
    for (let i = 0; i < text.length; i++) {
      let cp = text.charCodeAt(i);
      if (cp >= 0xd800 && cp <= 0xdfff) {
        const next = text.charCodeAt(i + 1);
        if (cp > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) return null;
        cp = ((cp & 0x3ff) << 10) + (next & 0x3ff) + 0x10000;
        i++;
      }
      codePoints.push(cp);
      if (!scriptFound) {
        const s = this.scriptOf(cp);
        if (s === null) return null;
        if (s !== this.unknownScript) {
          script = s;
          scriptFound = true;
        }
      }
    }
    const plan = this.planOf(script);
    if (!plan) return null;
    const glyphs: LayoutGlyph[] = [];
    for (const cp of codePoints) {
      let g = plan.glyphs.get(cp);
      if (g === undefined) plan.glyphs.set(cp, (g = this.glyphOf(plan, cp)));
      if (g === null) return null;
      glyphs.push(g);
    }
    const xAdvances: number[] = [];
    for (let i = 0; i < glyphs.length; i++) {
      const g = glyphs[i]!;
      xAdvances.push(i + 1 < glyphs.length ? g.advanceWidth + this.kerning(plan, g.id, glyphs[i + 1]!.id) : g.advanceWidth);
    }
    return { glyphs, xAdvances };
  }

  /**
   * The script fontkit detects in a code point alone (its Unicode script's OpenType tag, or the
   * unknown tag for common and inherited characters), or null for characters fontkit treats
   * specially: variation selectors, the fraction slash, default ignorables, right-to-left text and
   * scripts with their own shaper (these show in the features fontkit plans).
   */
  private scriptOf(cp: number): string | null {
    let s = this.scripts.get(cp);
    if (s !== undefined) return s;
    s = null;
    const special = (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xe0100 && cp <= 0xe01ef) || cp === 0x2044 || isDefaultIgnorable(cp);
    if (!special) {
      const run = this.oracle.layout(String.fromCodePoint(cp));
      const planned = Object.keys(run.features);
      if (run.direction === 'ltr' && planned.length === DEFAULT_FEATURES.length && DEFAULT_FEATURES.every((f) => run.features[f])) s = run.script;
    }
    this.scripts.set(cp, s);
    return s;
  }

  private planOf(script: string): Plan | null {
    let plan = this.plans.get(script);
    if (plan === undefined) {
      const steps = shapingPlan(this.tables, script);
      plan = steps && { ...steps, glyphs: new Map(), kerning: new Map() };
      this.plans.set(script, plan);
    }
    return plan;
  }

  /** fontkit's glyph object for `cp` under the plan, or null if a lookup not reproduced here could touch it. */
  private glyphOf(plan: Plan, cp: number): LayoutGlyph | null {
    const mapped = this.font.glyphForCodePoint(cp);
    // fontkit keeps one glyph object per id, with the code points of the first request; layout
    // copies them (and hides default ignorables by them), so only the plain case is taken
    if (mapped.id === 0 || mapped.codePoints.length !== 1 || mapped.codePoints[0] !== cp) return null;
    let id = mapped.id;
    for (const step of plan.gsub) {
      if (step.kind === 'avoid') {
        if (step.coverages.some((c) => coverageIndex(c, id) !== -1)) return null;
        continue;
      }
      if (step.kind === 'ligature') {
        if (step.components.has(id)) return null;
        continue;
      }
      const sub = step.sub;
      const index = coverageIndex(sub.coverage!, id);
      if (index === -1) continue;
      id = sub.version === 1 ? (id + sub.deltaGlyphID!) & 0xffff : at(sub.substitute!, index);
    }
    const gdef = this.tables.glyphClassDef;
    if (classOf(mapped.id, gdef) === 3 || classOf(id, gdef) === 3) return null; // marks: zero advance after GPOS
    for (const step of plan.gpos) {
      if (step.kind === 'avoid' && step.coverages.some((c) => coverageIndex(c, id) !== -1)) return null;
    }
    const glyph = id === mapped.id ? mapped : this.font.getGlyph(id, [cp]);
    if (glyph.codePoints.length !== 1 || glyph.codePoints[0] !== cp) return null;
    return glyph;
  }

  /** Kerning added to `first`'s advance when `second` follows (fontkit's PairPos, formats 1 and 2). */
  private kerning(plan: Plan, first: number, second: number): number {
    const key = first * 0x10000 + second;
    let k = plan.kerning.get(key);
    if (k !== undefined) return k;
    k = 0;
    for (const step of plan.gpos) {
      if (step.kind !== 'pair') continue;
      for (const sub of step.subs) {
        const index = coverageIndex(sub.coverage!, first);
        if (index === -1) continue;
        if (sub.version === 1) {
          let found = false;
          for (const pair of sub.pairSets!.get(index)) {
            if (pair.secondGlyph === second) {
              k += pair.value1.xAdvance ?? 0;
              found = true;
              break;
            }
          }
          if (!found) continue; // fontkit tries the next subtable
        } else {
          k += sub.classRecords!.get(classOf(first, sub.classDef1!)).get(classOf(second, sub.classDef2!)).value1.xAdvance ?? 0;
        }
        break;
      }
    }
    if (plan.kerning.size >= KERNING_CACHE_PAIRS) plan.kerning.clear();
    plan.kerning.set(key, k);
    return k;
  }
}

/** Unicode default-ignorable code points as fontkit lists them (it lays them out as zero-width spaces). */
function isDefaultIgnorable(ch: number): boolean {
  return (
    ch === 0x00ad ||
    ch === 0x034f ||
    ch === 0x061c ||
    (ch >= 0x17b4 && ch <= 0x17b5) ||
    (ch >= 0x180b && ch <= 0x180e) ||
    (ch >= 0x200b && ch <= 0x200f) ||
    (ch >= 0x202a && ch <= 0x202e) ||
    (ch >= 0x2060 && ch <= 0x206f) ||
    (ch >= 0xfe00 && ch <= 0xfe0f) ||
    ch === 0xfeff ||
    (ch >= 0xfff0 && ch <= 0xfff8) ||
    (ch >= 0x1bca0 && ch <= 0x1bca3) ||
    (ch >= 0x1d173 && ch <= 0x1d17a) ||
    (ch >= 0xe0000 && ch <= 0xe0fff)
  );
}
