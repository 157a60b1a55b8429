import { ttfSource, type FontkitFont } from '../adapters/fontkit-internals.js';
import type { DocumentFont, RunPosition } from '../adapters/pdfkit-internals.js';
import type { DirectLayout, DirectRun } from './direct-layout.js';
import type { CertificateFonts } from './fonts.js';
import { subsetPrefix, type SubsetPrefix, type TtfSubset } from './ttf-subset.js';

/** One chunk of a line as TJ array elements (`<glyphs> adjustment …`) and its advance (1000 units). */
export interface EncodedChunk {
  tj: string;
  width: number;
}

const layoutCaches = new WeakMap<CertificateFonts, { runs: Record<string, unknown>; documents: number }>();
/** Documents that share one layout cache before it is dropped (bounds memory: names differ per holder). */
const LAYOUT_CACHE_DOCUMENTS = 2000;

/**
 * pdfkit's per-font layout cache (text → glyph run, positions already scaled to 1000 units), shared
 * by the documents of one font set instead of rebuilt for each: shaping lookups and scaling every
 * position of every word were the largest text cost per document. pdfkit reads cached runs without
 * modifying them (it would only add `wordSpacing` to spaces of justified text, which we never set).
 * The cache is replaced every LAYOUT_CACHE_DOCUMENTS documents.
 */
export function sharedLayoutCache(fonts: CertificateFonts): Record<string, unknown> {
  let shared = layoutCaches.get(fonts);
  if (!shared || shared.documents >= LAYOUT_CACHE_DOCUMENTS) {
    shared = { runs: Object.create(null) as Record<string, unknown>, documents: 0 };
    layoutCaches.set(fonts, shared);
  }
  shared.documents++;
  return shared.runs;
}

/** pdfkit's number formatting (PDFObject.number). */
export const num = (n: number): number => Math.round(n * 1e6) / 1e6;

const hex4: string[] = [];
/** A subset glyph id as the four hex digits of an Identity-H string. */
const hexOf = (gid: number): string => (hex4[gid] ??= `0000${gid.toString(16)}`.slice(-4));

/**
 * Splits a line where pdfkit's layout does: after each space or tab (the space stays with the word
 * before it). pdfkit shapes each chunk on its own, so no kerning crosses a chunk boundary and a line
 * is the concatenation of its chunks.
 */
export function chunksOf(text: string): string[] {
  const out: string[] = [];
  let last = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x09) {
      out.push(text.slice(last, i + 1));
      last = i + 1;
    }
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/**
 * TJ elements for a run, the way pdfkit's text operator writes them: glyphs in hex, and after a
 * glyph whose advance differs from its width (kerning) the difference in thousandths of an em.
 * Returns null when a glyph is offset (marks): that needs its own text matrix, not a TJ array.
 */
function tjOf(gids: number[], positions: RunPosition[]): string | null {
  let out = '';
  let hex = '';
  for (let i = 0; i < gids.length; i++) {
    const p = positions[i]!;
    if (p.xOffset || p.yOffset) return null;
    hex += hexOf(gids[i]!);
    const adjust = p.xAdvance - p.advanceWidth;
    if (adjust !== 0) {
      out += `${out ? ' ' : ''}<${hex}> ${num(-adjust)}`;
      hex = '';
    }
  }
  if (hex) out += `${out ? ' ' : ''}<${hex}>`;
  return out;
}

/**
 * Encodes one chunk into a document's font subset, as pdfkit's `encode` does (glyphs included in
 * first-use order, widths and code points recorded for the W array and ToUnicode map). The chunk
 * is laid out by `direct` where it can (the same glyphs and advances, see DirectLayout), else
 * through pdfkit's layout cache. Null when a glyph is offset (see tjOf).
 */
export function encodeChunk(font: DocumentFont, chunk: string, direct?: DirectLayout | null): EncodedChunk | null {
  const directRun = direct?.layout(chunk);
  if (directRun) return encodeDirect(font, directRun);
  const run = font.layoutCached(chunk);
  const gids: number[] = [];
  let width = 0;
  for (let i = 0; i < run.glyphs.length; i++) {
    const glyph = run.glyphs[i]!;
    gids.push(font.include(glyph.id, glyph.advanceWidth * font.scale, glyph.codePoints));
    width += run.positions[i]!.xAdvance;
  }
  const tj = tjOf(gids, run.positions);
  return tj === null ? null : { tj, width };
}

/** encodeChunk for a DirectRun: pdfkit's scaling (`layoutRun`) and TJ elements (tjOf) of the same glyphs. */
function encodeDirect(font: DocumentFont, run: DirectRun): EncodedChunk {
  const scale = font.scale;
  let out = '';
  let hex = '';
  let width = 0;
  for (let i = 0; i < run.glyphs.length; i++) {
    const glyph = run.glyphs[i]!;
    const advanceWidth = glyph.advanceWidth * scale;
    const gid = font.include(glyph.id, advanceWidth, glyph.codePoints);
    const xAdvance = run.xAdvances[i]! * scale;
    width += xAdvance;
    hex += hexOf(gid);
    const adjust = xAdvance - advanceWidth;
    if (adjust !== 0) {
      out += `${out ? ' ' : ''}<${hex}> ${num(-adjust)}`;
      hex = '';
    }
  }
  if (hex) out += `${out ? ' ' : ''}<${hex}>`;
  return { tj: out, width };
}

/**
 * Text that is the same on every certificate of a kind (titles, labels, table headings, footer),
 * laid out once per font. Each document's font subset starts with these glyphs in a fixed order
 * (`prefill`), so their subset ids, and with them the TJ strings of these chunks, are the same in
 * every document and are kept here. Holds only the strings it was built with: no record data.
 */
export class StaticText {
  /** Font glyph ids in subset order, starting at subset id 1 (0 is .notdef). */
  private readonly glyphs: number[] = [];
  private readonly widths: number[] = [];
  private readonly codePoints: number[][] = [];
  private readonly chunks = new Map<string, EncodedChunk>();
  /** The subset's first glyphs, encoded once (null when the font cannot use it). */
  private readonly prefix: SubsetPrefix | null;

  constructor(font: FontkitFont, strings: readonly string[]) {
    const scale = 1000 / font.unitsPerEm;
    const ids = new Map<number, number>();
    for (const text of strings) {
      for (const chunk of chunksOf(text)) {
        if (this.chunks.has(chunk)) continue;
        const run = font.layout(chunk);
        // scaled as pdfkit's layoutRun scales a run
        const positions = run.positions.map((p, i) => ({
          xAdvance: p.xAdvance! * scale,
          xOffset: p.xOffset! * scale,
          yOffset: p.yOffset! * scale,
          advanceWidth: run.glyphs[i]!.advanceWidth * scale,
        }));
        if (positions.some((p) => p.xOffset || p.yOffset)) continue;
        const gids = run.glyphs.map((g) => {
          if (g.id === 0) return 0; // .notdef is always subset glyph 0
          let gid = ids.get(g.id);
          if (gid === undefined) {
            this.glyphs.push(g.id);
            this.widths.push(g.advanceWidth * scale);
            this.codePoints.push(g.codePoints);
            gid = this.glyphs.length;
            ids.set(g.id, gid);
          }
          return gid;
        });
        this.chunks.set(chunk, { tj: tjOf(gids, positions)!, width: positions.reduce((w, p) => w + p.xAdvance, 0) });
      }
    }
    this.prefix = subsetPrefix(ttfSource(font), [0, ...this.glyphs]);
  }

  /** Puts the static glyphs first into a document's fresh font subset. */
  prefill(font: DocumentFont): void {
    if (font.subset.glyphs.length !== 1) throw new TypeError('StaticText.prefill needs a fresh font subset');
    for (let i = 0; i < this.glyphs.length; i++) font.include(this.glyphs[i]!, this.widths[i]!, this.codePoints[i]!);
    if (this.prefix) (font.subset as TtfSubset).prefix = this.prefix;
  }

  /** The chunk's TJ elements and width, if it is static text (valid only in a prefilled document). */
  chunk(text: string): EncodedChunk | undefined {
    return this.chunks.get(text);
  }
}
