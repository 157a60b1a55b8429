import PDFDocument from 'pdfkit';
import type { Clock } from '../../common/clock.js';
import type { CertificateFonts } from './fonts.js';

/** 1 mm in PDF points. */
export const MM = 72 / 25.4;
/** A4 in points. */
export const A4 = { width: 595.28, height: 841.89 } as const;

/** Font name registered on every document. */
export const FONT = { regular: 'jp' } as const;

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
function sharedLayoutCache(fonts: CertificateFonts): Record<string, unknown> {
  let shared = layoutCaches.get(fonts);
  if (!shared || shared.documents >= LAYOUT_CACHE_DOCUMENTS) {
    shared = { runs: Object.create(null) as Record<string, unknown>, documents: 0 };
    layoutCaches.set(fonts, shared);
  }
  shared.documents++;
  return shared.runs;
}

/**
 * Opens an A4 pdfkit document with the shared Japanese fonts registered (not re-parsed) and a
 * creation date from the clock, and returns it with a promise of its bytes once `end()` is called.
 */
export function openDocument(fonts: CertificateFonts, clock: Clock, title: string): { doc: PDFKit.PDFDocument; bytes: Promise<Buffer> } {
  const doc = new PDFDocument({
    size: 'A4',
    margin: 0,
    autoFirstPage: false,
    compress: true,
    // No default Helvetica: pdfkit would parse its AFM metrics for every document.
    font: null as unknown as string,
    info: { Title: title, Producer: 'konbini-vaccine-certificate', Creator: 'konbini-vaccine-certificate', CreationDate: clock.now() },
  });
  // pdfkit 0.20 accepts a fontkit font object; its typings only list paths and buffers.
  doc.registerFont(FONT.regular, fonts.regular as unknown as Buffer);
  doc.font(FONT.regular);
  (doc as unknown as { _font: { layoutCache?: Record<string, unknown> } })._font.layoutCache = sharedLayoutCache(fonts);
  const chunks: Buffer[] = [];
  const bytes = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  return { doc, bytes };
}

/** The pdfkit internals `fastText` reads: the current font and size, the page. */
interface PdfKitText {
  _font: {
    id: string;
    ascender: number;
    encode(text: string): [string[], Array<{ xAdvance: number; advanceWidth: number; xOffset: number; yOffset: number }>];
    ref(): unknown;
  };
  _fontSize: number;
  page: { height: number; fonts: Record<string, unknown> };
  x: number;
  y: number;
}

/** pdfkit's number formatting (PDFObject.number). */
const num = (n: number): number => Math.round(n * 1e6) / 1e6;

/**
 * One line of text at (`x`, `y`) (top of the line, pdfkit's y-down space) in the current font and
 * size: the operators pdfkit's `text(…, { lineBreak: false })` writes for left-aligned text without
 * spacing options, byte for byte, but appended as one content string. pdfkit writes each operator
 * separately, measures the string twice and merges options per call; on a certificate's ~60 text
 * lines that was most of the text cost. `mode` 2 is fill + stroke (our bold).
 */
function fastText(doc: PDFKit.PDFDocument, text: string, x: number, y: number, mode: 0 | 2): void {
  if (text.includes('\n')) {
    doc.text(text, x, y, mode ? { lineBreak: false, fill: true, stroke: true } : { lineBreak: false });
    return;
  }
  const d = doc as unknown as PdfKitText;
  d.x = x;
  d.y = y;
  if (text.length === 0) return;
  const font = d._font;
  const size = d._fontSize;
  const dy = (font.ascender / 1000) * size;
  const height = d.page.height;
  const top = height - y - dy;
  if (d.page.fonts[font.id] == null) d.page.fonts[font.id] = font.ref();
  const out = [`q\n1 0 0 -1 0 ${num(height)} cm\nBT\n1 0 0 1 ${num(x)} ${num(top)} Tm\n/${font.id} ${num(size)} Tf`];
  if (mode) out.push(`${mode} Tr`);
  const [encoded, positions] = font.encode(text);
  const scale = size / 1000;
  const commands: string[] = [];
  let last = 0;
  let hadOffset = false;
  let cx = x;
  const addSegment = (cur: number) => {
    if (last < cur) {
      const p = positions[cur - 1]!;
      commands.push(`<${encoded.slice(last, cur).join('')}> ${num(-(p.xAdvance - p.advanceWidth))}`);
    }
    last = cur;
  };
  const flush = (i: number) => {
    addSegment(i);
    if (commands.length > 0) {
      out.push(`[${commands.join(' ')}] TJ`);
      commands.length = 0;
    }
  };
  let i = 0;
  for (; i < positions.length; i++) {
    const pos = positions[i]!;
    if (pos.xOffset || pos.yOffset) {
      flush(i);
      out.push(`1 0 0 1 ${num(cx + pos.xOffset * scale)} ${num(top + pos.yOffset * scale)} Tm`);
      flush(i + 1);
      hadOffset = true;
    } else {
      if (hadOffset) {
        out.push(`1 0 0 1 ${num(cx)} ${num(top)} Tm`);
        hadOffset = false;
      }
      if (pos.xAdvance - pos.advanceWidth !== 0) addSegment(i + 1);
    }
    cx += pos.xAdvance * scale;
  }
  flush(i);
  out.push('ET\nQ');
  doc.addContent(out.join('\n'));
}

/**
 * Bold is drawn as fill plus a thin stroke of the regular face: a second embedded CJK subset
 * (glyphs, hinting tables) would cost more per document than the rest of the text.
 */
function setFont(doc: PDFKit.PDFDocument, size: number, bold: boolean): 0 | 2 {
  doc.font(FONT.regular).fontSize(size);
  if (!bold) return 0;
  doc.lineWidth(size / 28).strokeColor('#000000');
  return 2;
}

/** Writes one line of text without wrapping (cheaper than pdfkit's line breaker). */
export function line(doc: PDFKit.PDFDocument, text: string, x: number, y: number, size: number, bold = false): void {
  fastText(doc, text, x, y, setFont(doc, size, bold));
}

/** Right-aligned single line ending at `right`. */
export function lineRight(doc: PDFKit.PDFDocument, text: string, right: number, y: number, size: number, bold = false): void {
  const mode = setFont(doc, size, bold);
  fastText(doc, text, right - doc.widthOfString(text), y, mode);
}

/** Centered single line. */
export function lineCentered(doc: PDFKit.PDFDocument, text: string, y: number, size: number, bold = false): void {
  const mode = setFont(doc, size, bold);
  fastText(doc, text, (A4.width - doc.widthOfString(text)) / 2, y, mode);
}
