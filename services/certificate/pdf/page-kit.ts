import PDFDocument from 'pdfkit';
import type { Clock } from '../../common/clock.js';
import type { CertificateFonts } from './fonts.js';

/** 1 mm in PDF points. */
export const MM = 72 / 25.4;
/** A4 in points. */
export const A4 = { width: 595.28, height: 841.89 } as const;

/** Font name registered on every document. */
export const FONT = { regular: 'jp' } as const;

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
  const chunks: Buffer[] = [];
  const bytes = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  return { doc, bytes };
}

/**
 * Bold is drawn as fill plus a thin stroke of the regular face: a second embedded CJK subset
 * (glyphs, hinting tables) would cost more per document than the rest of the text.
 */
function setFont(doc: PDFKit.PDFDocument, size: number, bold: boolean): PDFKit.Mixins.TextOptions {
  doc.font(FONT.regular).fontSize(size);
  if (!bold) return { lineBreak: false };
  doc.lineWidth(size / 28).strokeColor('#000000');
  return { lineBreak: false, fill: true, stroke: true };
}

/** Writes one line of text without wrapping (cheaper than pdfkit's line breaker). */
export function line(doc: PDFKit.PDFDocument, text: string, x: number, y: number, size: number, bold = false): void {
  doc.text(text, x, y, setFont(doc, size, bold));
}

/** Right-aligned single line ending at `right`. */
export function lineRight(doc: PDFKit.PDFDocument, text: string, right: number, y: number, size: number, bold = false): void {
  const options = setFont(doc, size, bold);
  doc.text(text, right - doc.widthOfString(text), y, options);
}

/** Centered single line. */
export function lineCentered(doc: PDFKit.PDFDocument, text: string, y: number, size: number, bold = false): void {
  const options = setFont(doc, size, bold);
  doc.text(text, (A4.width - doc.widthOfString(text)) / 2, y, options);
}
