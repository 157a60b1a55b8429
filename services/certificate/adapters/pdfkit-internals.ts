/**
 * The one file that reaches into pdfkit's private members (STYLE.md rule 13); pdf/page-kit.ts,
 * pdf/text-runs.ts and pdf/to-unicode.ts see only what is exported here. pdfkit is pinned to
 * PDFKIT_VERSION in package.json; tests/unit/certificate/adapters.test.ts checks that the installed
 * version is that one and that every member relied on here exists and behaves
 * (`probePdfkitInternals`), so an upgrade fails there, loudly.
 *
 * What is relied on, all of pdfkit 0.20.2:
 * - PDFDocument's `_write(data)` (every line of the file after its header goes through it) and
 *   `_offset` (the byte offset the cross-reference table is built from), `_font` (the current
 *   EmbeddedFont) and `page` (the current PDFPage: `fonts`, `xobjects`, `content`, a PDFReference
 *   with `buffer`, `compress` and `data`);
 * - EmbeddedFont's `id`, `ascender`, `scale`, `subset` (the fontkit subset it embeds), `widths`
 *   and `unicode` (per subset glyph, for the W array and the ToUnicode map), `layoutCache` (text →
 *   scaled glyph run, replaceable), `layoutCached(text)`, `document`, `ref()` and
 *   `toUnicodeCmap()` (replaceable);
 * - `registerFont` accepting a fontkit font object where its typings list only paths and buffers.
 */
import { deflateSync } from 'node:zlib';
import { installedVersion } from './installed-version.js';
import type { FontkitFont, FontkitSubset } from './fontkit-internals.js';

/** The pdfkit version this file is written against (exactly what package.json pins). */
export const PDFKIT_VERSION = '0.20.2';

/** The installed pdfkit's version. */
export const installedPdfkitVersion = (): string => installedVersion('pdfkit');

/** A laid-out glyph as pdfkit's layout returns it. */
export interface RunGlyph {
  id: number;
  advanceWidth: number;
  codePoints: number[];
}
/** A glyph position, scaled to 1000 units per em (pdfkit's layout). */
export interface RunPosition {
  xAdvance: number;
  advanceWidth: number;
  xOffset: number;
  yOffset: number;
}
/** pdfkit's layout of one chunk, positions scaled to 1000 units. */
export interface PdfkitRun {
  glyphs: RunGlyph[];
  positions: RunPosition[];
  advanceWidth: number;
}

interface PdfReference {
  end(chunk?: Uint8Array | string): void;
}

/** The private parts of pdfkit's EmbeddedFont used here. */
interface EmbeddedFontInternals {
  id: string;
  ascender: number;
  scale: number;
  subset: FontkitSubset;
  widths: Array<number | undefined>;
  unicode: Array<number[] | undefined>;
  layoutCache?: Record<string, unknown>;
  layoutCached(text: string): PdfkitRun;
  document: { ref(): PdfReference };
  ref(): unknown;
  toUnicodeCmap(): unknown;
  encode(text: string): unknown;
}

interface PageInternals {
  fonts: Record<string, unknown>;
  xobjects: Record<string, unknown>;
  content: { buffer: Uint8Array[]; compress: boolean; data: { Filter?: string } };
}

interface DocumentInternals {
  _write(data: string | Uint8Array): void;
  _offset: number;
  _font?: EmbeddedFontInternals;
  page?: PageInternals;
}

const internals = (doc: PDFKit.PDFDocument) => doc as unknown as DocumentInternals;

/** Registers a fontkit font object under `name` (pdfkit 0.20 takes one; its typings list paths and buffers). */
export function registerFontkitFont(doc: PDFKit.PDFDocument, name: string, font: FontkitFont): void {
  doc.registerFont(name, font as unknown as Buffer);
}

/**
 * The bytes of a pdfkit document once it has ended. pdfkit writes the file line by line through
 * `_write`, converting each string in a JavaScript loop and pushing it through its Readable stream;
 * from here on the pieces are collected directly (Buffer's latin1 encoding keeps the low byte of
 * each character, as pdfkit's conversion does). What pdfkit pushed before (the file header) still
 * arrives through the stream, and comes first.
 */
export function collectOutput(doc: PDFKit.PDFDocument): Promise<Buffer> {
  const head: Buffer[] = [];
  const body: Uint8Array[] = [];
  const d = internals(doc);
  d._write = (data) => {
    const bytes = typeof data === 'string' ? Buffer.from(`${data}\n`, 'latin1') : data;
    body.push(bytes);
    d._offset += bytes.length;
  };
  return new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => head.push(c));
    doc.on('end', () => resolve(Buffer.concat([...head, ...body])));
    doc.on('error', reject);
  });
}

/** A document's current embedded font, as PageKit and text-runs use it. */
export interface DocumentFont {
  /** The font's resource name on pages (`F1`, …). */
  readonly id: string;
  /** Ascender in 1000 units per em. */
  readonly ascender: number;
  /** 1000 / units per em. */
  readonly scale: number;
  /** The fontkit subset the document embeds (ids in first-use order, .notdef first). */
  readonly subset: FontkitSubset;
  /**
   * The subset id of a font glyph, added on first use, with its advance width (1000 units) and
   * code points recorded for the W array and ToUnicode map the first time (as pdfkit's `encode`).
   */
  include(glyphId: number, width: number, codePoints: number[]): number;
  /** pdfkit's layout of one chunk through its layout cache. */
  layoutCached(text: string): PdfkitRun;
}

/**
 * The document's current font (after `doc.font(…)`), with pdfkit's per-document layout cache
 * replaced by `layoutCache` (shared between documents) and its ToUnicode CMap written by
 * `toUnicodeCmap` from the code points of each subset glyph.
 */
export function documentFont(
  doc: PDFKit.PDFDocument,
  options: { layoutCache?: Record<string, unknown>; toUnicodeCmap?: (unicode: Array<number[] | undefined>, ref: PdfReference) => unknown } = {},
): DocumentFont {
  const font = internals(doc)._font;
  if (!font) throw new TypeError('documentFont: no font set on the document');
  if (options.layoutCache) font.layoutCache = options.layoutCache;
  const cmap = options.toUnicodeCmap;
  if (cmap) font.toUnicodeCmap = () => cmap(font.unicode, font.document.ref());
  const { subset, widths, unicode } = font;
  return {
    id: font.id,
    ascender: font.ascender,
    scale: font.scale,
    subset,
    include(glyphId, width, codePoints) {
      const gid = subset.includeGlyph(glyphId);
      widths[gid] ??= width;
      unicode[gid] ??= codePoints;
      return gid;
    },
    layoutCached: (text) => font.layoutCached(text),
  };
}

function currentPage(doc: PDFKit.PDFDocument): PageInternals {
  const page = internals(doc).page;
  if (!page) throw new TypeError('no page: call addPage first');
  return page;
}

/** Lists the font in the current page's resources (pdfkit does so only when its own text operator uses it). */
export function useFontOnPage(doc: PDFKit.PDFDocument, font: DocumentFont): void {
  const f = internals(doc)._font!;
  currentPage(doc).fonts[font.id] = f.ref();
}

/** Registers a Form XObject on the current page under a page-local name (`QR1`, `QR2`, …). */
export function addPageForm(doc: PDFKit.PDFDocument, data: Record<string, unknown>, stream: Uint8Array): string {
  const form = doc.ref(data);
  form.end(stream as Buffer);
  const xobjects = currentPage(doc).xobjects;
  const name = `QR${Object.keys(xobjects).filter((k) => k.startsWith('QR')).length + 1}`;
  xobjects[name] = form;
  return name;
}

/** An indirect object of the document, as resources of pages and forms refer to it. */
export type DocumentObject = unknown;

/**
 * An indirect stream object holding already encoded bytes (a form or a pattern), written once and
 * referable from any page's or form's resources. References in `data` become `n 0 R`.
 */
export function addStreamObject(doc: PDFKit.PDFDocument, data: Record<string, unknown>, stream: Uint8Array): DocumentObject {
  const ref = doc.ref(data);
  ref.end(stream as Buffer);
  return ref;
}

/** Lists a document's XObject on the current page's resources under `name`. */
export function usePageXObject(doc: PDFKit.PDFDocument, name: string, object: DocumentObject): void {
  currentPage(doc).xobjects[name] = object;
}

/**
 * Appends `ours` to the current page's content stream and stores the whole stream deflated at
 * `level` (pdfkit's own operators so far, its y-down transform at the top of the page, come first).
 */
export function writePageContent(doc: PDFKit.PDFDocument, ours: Buffer, level: number): void {
  const content = currentPage(doc).content;
  const all = content.buffer.length ? Buffer.concat([...content.buffer, ours]) : ours;
  content.buffer = [deflateSync(all, { level })];
  content.compress = false;
  content.data.Filter = 'FlateDecode';
}

/** pdfkit's own EmbeddedFont ToUnicode CMap of the document's current font after it encoded `text` (the reference in tests). */
export function pdfkitToUnicodeCmap(doc: PDFKit.PDFDocument, text: string): { unicode: Array<number[] | undefined>; write(ref: PdfReference): void } {
  const font = internals(doc)._font!;
  font.encode(text);
  const original = Object.getPrototypeOf(font) as { toUnicodeCmap(this: unknown): unknown };
  return { unicode: font.unicode, write: (ref) => void original.toUnicodeCmap.call({ document: { ref: () => ref }, unicode: font.unicode }) };
}

/**
 * What the installed pdfkit lacks or does differently of what this file relies on, on a fresh
 * document `doc` with a fontkit font registered and set, before any page: an empty list when all
 * is there. Run by tests/unit/certificate/adapters.test.ts.
 */
export function probePdfkitInternals(doc: PDFKit.PDFDocument): string[] {
  const problems: string[] = [];
  const check = (ok: unknown, what: string) => {
    if (!ok) problems.push(what);
  };
  const d = internals(doc);
  check(typeof d._write === 'function', 'doc._write');
  check(typeof d._offset === 'number' && d._offset > 0, 'doc._offset (the header written)');
  const f = d._font;
  check(f, 'doc._font');
  if (f) {
    check(typeof f.id === 'string' && typeof f.ascender === 'number' && typeof f.scale === 'number', 'font.id, ascender, scale');
    check(f.subset && typeof f.subset.includeGlyph === 'function' && Array.isArray(f.subset.glyphs), 'font.subset (a fontkit subset)');
    check(Array.isArray(f.widths) && Array.isArray(f.unicode), 'font.widths, font.unicode');
    check(typeof f.layoutCached === 'function' && typeof f.layoutCache === 'object', 'font.layoutCached, font.layoutCache');
    check(
      typeof f.toUnicodeCmap === 'function' && typeof f.ref === 'function' && typeof f.document?.ref === 'function',
      'font.toUnicodeCmap, ref, document.ref',
    );
    if (typeof f.layoutCached === 'function' && typeof f.layoutCache === 'object') {
      const run = f.layoutCached('Ab');
      check(f.layoutCache!['Ab'] === run, 'layoutCached keeps its runs in layoutCache');
      check(
        run.positions.length === 2 &&
          typeof run.positions[0]!.xAdvance === 'number' &&
          run.positions[0]!.advanceWidth === run.glyphs[0]!.advanceWidth * f.scale,
        'layoutCached runs scaled to 1000 units, with advanceWidth per position',
      );
    }
    if (typeof f.encode === 'function' && Array.isArray(f.widths)) {
      const [encoded] = f.encode('A') as [string[]];
      const gid = parseInt(encoded![0]!, 16);
      check(
        f.subset.glyphs[gid] !== undefined && f.unicode[gid]?.[0] === 0x41 && typeof f.widths[gid] === 'number',
        'encode fills subset, widths and unicode per subset id',
      );
    }
  }
  doc.addPage();
  const page = d.page;
  check(page && typeof page.fonts === 'object' && typeof page.xobjects === 'object', 'doc.page.fonts, doc.page.xobjects');
  check(
    page && Array.isArray(page.content?.buffer) && typeof page.content.compress === 'boolean' && typeof page.content.data === 'object',
    'doc.page.content { buffer[], compress, data }',
  );
  return problems;
}
