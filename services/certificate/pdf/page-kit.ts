import PDFDocument from 'pdfkit';
import type { Clock } from '../../common/clock.js';
import type { CertificateFonts } from './fonts.js';

/** 1 mm in PDF points. */
export const MM = 72 / 25.4;
export const A4 = { width: 595.28, height: 841.89 } as const;

/** Font names registered on every document. */
export const FONT = { regular: 'jp', bold: 'jp-bold' } as const;

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
    info: { Title: title, Producer: 'konbini-vaccine-certificate', Creator: 'konbini-vaccine-certificate', CreationDate: clock.now() },
  });
  // pdfkit 0.20 accepts a fontkit font object; its typings only list paths and buffers.
  doc.registerFont(FONT.regular, fonts.regular as unknown as Buffer);
  doc.registerFont(FONT.bold, fonts.bold as unknown as Buffer);
  const chunks: Buffer[] = [];
  const bytes = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  return { doc, bytes };
}

/** Writes one line of text without wrapping (cheaper than pdfkit's line breaker). */
export function line(doc: PDFKit.PDFDocument, text: string, x: number, y: number, size: number, bold = false): void {
  doc.font(bold ? FONT.bold : FONT.regular).fontSize(size).text(text, x, y, { lineBreak: false });
}

/** Right-aligned single line ending at `right`. */
export function lineRight(doc: PDFKit.PDFDocument, text: string, right: number, y: number, size: number, bold = false): void {
  doc.font(bold ? FONT.bold : FONT.regular).fontSize(size);
  doc.text(text, right - doc.widthOfString(text), y, { lineBreak: false });
}

/** Centered single line. */
export function lineCentered(doc: PDFKit.PDFDocument, text: string, y: number, size: number, bold = false): void {
  doc.font(bold ? FONT.bold : FONT.regular).fontSize(size);
  doc.text(text, (A4.width - doc.widthOfString(text)) / 2, y, { lineBreak: false });
}
