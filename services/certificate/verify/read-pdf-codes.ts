import jsqrModule, { type QRCode } from 'jsqr';
import * as mupdf from 'mupdf';

type JsQr = (data: Uint8ClampedArray, width: number, height: number, options?: { inversionAttempts?: 'dontInvert' | 'attemptBoth' }) => QRCode | null;
// jsqr is CommonJS with a `default` property; under NodeNext the default import is the module object.
const jsQR = ((jsqrModule as unknown as { default?: JsQr }).default ?? jsqrModule) as unknown as JsQr;

/** One page of a PDF as the verifier reads it. */
export interface PdfPageCodes {
  page: number;
  /** QR contents found on the page, top to bottom as found. */
  codes: string[];
  /** The page's text (for the certificate ID check). */
  text: string;
}

/** Blanks (white) the bounding box of a found code, with a margin, so the next scan finds another. */
function blankOut(rgba: Uint8ClampedArray, width: number, height: number, loc: QRCode['location']): void {
  const pts = [loc.topLeftCorner, loc.topRightCorner, loc.bottomLeftCorner, loc.bottomRightCorner];
  const pad = 12;
  const x0 = Math.max(0, Math.floor(Math.min(...pts.map((p) => p.x))) - pad);
  const x1 = Math.min(width, Math.ceil(Math.max(...pts.map((p) => p.x))) + pad);
  const y0 = Math.max(0, Math.floor(Math.min(...pts.map((p) => p.y))) - pad);
  const y1 = Math.min(height, Math.ceil(Math.max(...pts.map((p) => p.y))) + pad);
  for (let y = y0; y < y1; y++) rgba.fill(255, (y * width + x0) * 4, (y * width + x1) * 4);
}

/**
 * Renders each page of a PDF with mupdf at `dpi` (modules of a 0.45 mm QR are ≥ 3 px at 200 dpi)
 * and decodes every QR code on it with jsQR, blanking each found code to look for the next.
 */
export function readPdfCodes(pdf: Uint8Array, options: { dpi?: number; maxCodesPerPage?: number } = {}): PdfPageCodes[] {
  const scale = (options.dpi ?? 200) / 72;
  const doc = mupdf.Document.openDocument(pdf, 'application/pdf');
  const out: PdfPageCodes[] = [];
  try {
    for (let i = 0; i < doc.countPages(); i++) {
      const page = doc.loadPage(i);
      const text = page.toStructuredText('preserve-whitespace').asText();
      const pix = page.toPixmap(mupdf.Matrix.scale(scale, scale), mupdf.ColorSpace.DeviceRGB, true, true);
      const width = pix.getWidth();
      const height = pix.getHeight();
      const rgba = new Uint8ClampedArray(pix.getPixels());
      const codes: string[] = [];
      for (let n = 0; n < (options.maxCodesPerPage ?? 4); n++) {
        const found = jsQR(rgba, width, height, { inversionAttempts: 'dontInvert' });
        if (!found) break;
        codes.push(found.data);
        blankOut(rgba, width, height, found.location);
      }
      out.push({ page: i + 1, codes, text });
      pix.destroy();
      page.destroy();
    }
  } finally {
    doc.destroy();
  }
  return out;
}
