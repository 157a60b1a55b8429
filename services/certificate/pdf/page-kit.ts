import PDFDocument from 'pdfkit';
import type { Clock } from '../../common/clock.js';
import {
  addPageForm,
  addStreamObject,
  collectOutput,
  documentFont,
  registerFontkitFont,
  useFontOnPage,
  usePageXObject,
  writePageContent,
  type DocumentFont,
  type DocumentObject,
} from '../adapters/pdfkit-internals.js';
import type { CertificateFonts } from './fonts.js';
import { chunksOf, encodeChunk, num, sharedLayoutCache, type EncodedChunk, type StaticText } from './text-runs.js';
import { toUnicodeCmap } from './to-unicode.js';

/** 1 mm in PDF points. */
export const MM = 72 / 25.4;
/** A4 in points. */
export const A4 = { width: 595.28, height: 841.89 } as const;

/** Font name registered on every document. */
export const FONT = { regular: 'jp' } as const;

/**
 * zlib level of page content streams: a domestic page's 8,029 bytes deflate to 1,998 at level 1
 * and 1,767 at pdfkit's default 6 (+231 bytes, +0.5 % of the document; overseas +334), in about
 * half the time.
 */
const PAGE_CONTENT_LEVEL = 1;

const colors = new Map<string, string>();
/** A `#rrggbb` colour as pdfkit writes its components (0–1, JavaScript's number formatting). */
function rgb(hex: string): string {
  let c = colors.get(hex);
  if (c === undefined) {
    const v = parseInt(hex.slice(1), 16);
    c = [v >> 16, (v >> 8) & 0xff, v & 0xff].map((x) => x / 255).join(' ');
    colors.set(hex, c);
  }
  return c;
}

/**
 * An A4 pdfkit document with the shared Japanese font, whose pages are drawn through a few
 * operators written directly: single-line text, rectangles, colours and raw operators (QR forms).
 * pdfkit keeps the document structure (objects, font embedding, cross-reference table).
 *
 * A page's operators are collected as strings and written to its content stream once, converted
 * and deflated in one go (pdfkit converted every operator to bytes on its own). Text lands exactly
 * where pdfkit's `text(…, { lineBreak: false })` puts it (tested by rendering both), but
 * consecutive lines share one text object and colours, font size and text mode are written only
 * when they change. Words of the document's `StaticText` come encoded from it, the rest are laid
 * out by the fonts' DirectLayout where it applies, else through pdfkit's layout cache (shared
 * between documents, see sharedLayoutCache).
 */
export class PageKit {
  readonly doc: PDFKit.PDFDocument;
  private readonly font: DocumentFont;
  private readonly direct: CertificateFonts['direct'];
  private readonly bytes: Promise<Buffer>;
  private ops: string[] = [];
  /** Graphics and text state written so far on the page (undefined: not yet set on this page). */
  private state: { fill?: string; stroke?: string; lineWidth?: number; inText: boolean; size?: number; mode?: number } = { inText: false };

  /**
   * Opens the document with a creation date from the clock. `statics` (text every document of this
   * kind shows) are put first into the font subset and written from their cached encoding.
   */
  constructor(
    fonts: CertificateFonts,
    clock: Clock,
    title: string,
    private readonly statics?: StaticText,
  ) {
    this.doc = new PDFDocument({
      size: 'A4',
      margin: 0,
      autoFirstPage: false,
      compress: true,
      // No default Helvetica: pdfkit would parse its AFM metrics for every document.
      font: null as unknown as string,
      info: { Title: title, Producer: 'konbini-vaccine-certificate', Creator: 'konbini-vaccine-certificate', CreationDate: clock.now() },
    });
    registerFontkitFont(this.doc, FONT.regular, fonts.regular);
    this.doc.font(FONT.regular);
    this.font = documentFont(this.doc, { layoutCache: sharedLayoutCache(fonts), toUnicodeCmap });
    this.direct = fonts.direct;
    statics?.prefill(this.font);
    this.bytes = collectOutput(this.doc);
  }

  /** Starts a new page (the previous one is written out). */
  addPage(): void {
    this.flush();
    this.state = { inText: false };
    this.doc.addPage();
    useFontOnPage(this.doc, this.font);
  }

  /** Ends the document and resolves with its bytes. */
  end(): Promise<Buffer> {
    this.flush();
    this.doc.end();
    return this.bytes;
  }

  /** Appends raw operators to the page (in pdfkit's y-down user space). */
  addContent(operators: string): this {
    this.endText();
    this.ops.push(operators);
    return this;
  }

  /** Registers a Form XObject on the page under a page-local name (`QR1`, `QR2`, …). */
  addForm(data: Record<string, unknown>, stream: Uint8Array): string {
    return addPageForm(this.doc, data, stream);
  }

  /** Writes a stream object (a form or pattern) to the document, for the resources of any page or form. */
  addObject(data: Record<string, unknown>, stream: Uint8Array): DocumentObject {
    return addStreamObject(this.doc, data, stream);
  }

  /** Lists a document's XObject (see addObject) on the current page under `name`. */
  useXObject(name: string, object: DocumentObject): void {
    usePageXObject(this.doc, name, object);
  }

  /** Writes the page's collected operators into its content stream, deflated. */
  private flush(): void {
    this.endText();
    if (this.ops.length === 0) return;
    // pdfkit's own operators so far (its y-down transform at the top of the page) come first
    writePageContent(this.doc, Buffer.from(`${this.ops.join('\n')}\n`, 'latin1'), PAGE_CONTENT_LEVEL);
    this.ops = [];
  }

  /** A rectangle filled with `fill` and stroked with `stroke` (pdfkit's `rect().fillAndStroke()`). */
  fillAndStrokeRect(x: number, y: number, w: number, h: number, fill: string, stroke: string): void {
    this.fillColor(fill);
    this.strokeColor(stroke);
    this.ops.push(`${num(x)} ${num(y)} ${num(w)} ${num(h)} re\nB`);
  }

  /** A rectangle's outline (pdfkit's `rect().stroke()`). */
  strokeRect(x: number, y: number, w: number, h: number, stroke: string): void {
    this.strokeColor(stroke);
    this.ops.push(`${num(x)} ${num(y)} ${num(w)} ${num(h)} re\nS`);
  }

  /** Sets the fill colour (written only when it changes). */
  fillColor(color: string): void {
    if (this.state.fill === color) return;
    this.endText();
    this.state.fill = color;
    this.ops.push(`/DeviceRGB cs\n${rgb(color)} scn`);
  }

  /** Sets the stroke colour (written only when it changes). */
  private strokeColor(color: string): void {
    if (this.state.stroke === color) return;
    this.endText();
    this.state.stroke = color;
    this.ops.push(`/DeviceRGB CS\n${rgb(color)} SCN`);
  }

  /** Closes an open text object (path and XObject operators are not allowed inside one). */
  private endText(): void {
    if (!this.state.inText) return;
    this.ops.push('ET');
    this.state.inText = false;
  }

  /** Writes one line of text without wrapping, top-left at (`x`, `y`); bold is fill + stroke. */
  line(text: string, x: number, y: number, size: number, bold = false): void {
    if (text.length === 0) return;
    const encoded = this.encode(text);
    if (encoded) this.writeLine(encoded.tj, x, y, size, bold);
    else this.pdfkitLine(text, x, y, size, bold);
  }

  /** One line at `size`, or smaller so that it fits `maxWidth` (never below `minSize`). */
  lineWithin(text: string, x: number, y: number, size: number, maxWidth: number, minSize = 5): void {
    if (text.length === 0) return;
    const encoded = this.encode(text);
    const width = encoded ? (encoded.width * size) / 1000 : this.doc.fontSize(size).widthOfString(text);
    const fitted = width > maxWidth ? Math.max(minSize, Math.floor((size * maxWidth * 100) / width) / 100) : size;
    if (encoded) this.writeLine(encoded.tj, x, y, fitted, false);
    else this.pdfkitLine(text, x, y, fitted, false);
  }

  /** Right-aligned single line ending at `right`. */
  lineRight(text: string, right: number, y: number, size: number, bold = false): void {
    if (text.length === 0) return;
    const encoded = this.encode(text);
    if (encoded) this.writeLine(encoded.tj, right - (encoded.width * size) / 1000, y, size, bold);
    else this.pdfkitLine(text, right - this.doc.fontSize(size).widthOfString(text), y, size, bold);
  }

  /** Centered single line. */
  lineCentered(text: string, y: number, size: number, bold = false): void {
    if (text.length === 0) return;
    const encoded = this.encode(text);
    if (encoded) this.writeLine(encoded.tj, (A4.width - (encoded.width * size) / 1000) / 2, y, size, bold);
    else this.pdfkitLine(text, (A4.width - this.doc.fontSize(size).widthOfString(text)) / 2, y, size, bold);
  }

  /** A line's TJ elements and width (1000 units), or null if it needs pdfkit's own text operator. */
  private encode(text: string): EncodedChunk | null {
    if (text.includes('\n')) return null;
    const chunks = chunksOf(text);
    let tj = '';
    let width = 0;
    for (const chunk of chunks) {
      const c = this.statics?.chunk(chunk) ?? encodeChunk(this.font, chunk, this.direct);
      if (!c) return null;
      if (c.tj) tj += tj ? ` ${c.tj}` : c.tj;
      width += c.width;
    }
    return { tj, width };
  }

  /**
   * One line in a text object shared with the lines around it: the text matrix puts the baseline at
   * (`x`, `y` + ascent) in the page's y-down space (its y flip cancels the page's, so glyphs stand
   * upright, exactly where pdfkit's un-flipped `q … cm BT … Tm` puts them). Size and mode (fill,
   * or fill + stroke for bold, with the stroke's width and colour) are written when they change.
   */
  private writeLine(tj: string, x: number, y: number, size: number, bold: boolean): void {
    const st = this.state;
    if (bold) {
      this.strokeColor('#000000');
      const w = num(size / 28);
      if (st.lineWidth !== w) {
        this.endText();
        st.lineWidth = w;
        this.ops.push(`${w} w`);
      }
    }
    if (!st.inText) {
      this.ops.push('BT');
      st.inText = true;
    }
    if (st.size !== size) {
      st.size = size;
      this.ops.push(`/${this.font.id} ${num(size)} Tf`);
    }
    const mode = bold ? 2 : 0;
    if (st.mode !== mode) {
      st.mode = mode;
      this.ops.push(`${mode} Tr`);
    }
    this.ops.push(`1 0 0 -1 ${num(x)} ${num(y + (this.font.ascender / 1000) * size)} Tm\n[${tj}] TJ`);
  }

  /** Text pdfkit must lay out itself (offset glyphs, line breaks): through its own `text`. */
  private pdfkitLine(text: string, x: number, y: number, size: number, bold: boolean): void {
    const doc = this.doc.fontSize(size);
    this.endText();
    if (bold) {
      this.strokeColor('#000000');
      this.state.lineWidth = num(size / 28);
      this.ops.push(`${this.state.lineWidth} w`);
    }
    this.flushToPdfkit();
    doc.text(text, x, y, bold ? { lineBreak: false, fill: true, stroke: true } : { lineBreak: false });
  }

  /** Hands the collected operators to pdfkit's page stream, so that its own writes follow them in order. */
  private flushToPdfkit(): void {
    if (this.ops.length === 0) return;
    this.doc.addContent(this.ops.join('\n'));
    this.ops = [];
  }
}
