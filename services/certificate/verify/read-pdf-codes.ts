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

function toRgba(src: Uint8ClampedArray, pixels: number, n: number): Uint8ClampedArray {
  if (n === 4) return new Uint8ClampedArray(src);
  const out = new Uint8ClampedArray(pixels * 4);
  for (let i = 0, j = 0; i < pixels; i++, j += n) {
    out[i * 4] = src[j]!;
    out[i * 4 + 1] = src[j + 1]!;
    out[i * 4 + 2] = src[j + 2]!;
    out[i * 4 + 3] = 255;
  }
  return out;
}

interface Region { x: number; y: number; w: number; h: number }

function crop(rgba: Uint8ClampedArray, width: number, r: Region): Uint8ClampedArray {
  const out = new Uint8ClampedArray(r.w * r.h * 4);
  for (let y = 0; y < r.h; y++) out.set(rgba.subarray(((r.y + y) * width + r.x) * 4, ((r.y + y) * width + r.x + r.w) * 4), y * r.w * 4);
  return out;
}

/**
 * Finds every QR code in an image. jsQR returns one code per call and can pair finder patterns of
 * different codes, so it scans the whole image, then halves and quadrants, blanking each code found.
 */
function scanCodes(rgba: Uint8ClampedArray, width: number, height: number, max: number): string[] {
  const hw = Math.floor(width / 2);
  const hh = Math.floor(height / 2);
  const regions: Region[] = [
    { x: 0, y: 0, w: width, h: height },
    { x: 0, y: 0, w: hw, h: height }, { x: hw, y: 0, w: width - hw, h: height },
    { x: 0, y: 0, w: width, h: hh }, { x: 0, y: hh, w: width, h: height - hh },
    { x: 0, y: 0, w: hw, h: hh }, { x: hw, y: 0, w: width - hw, h: hh },
    { x: 0, y: hh, w: hw, h: height - hh }, { x: hw, y: hh, w: width - hw, h: height - hh },
  ];
  const codes: string[] = [];
  let found = true;
  while (found && codes.length < max) {
    found = false;
    for (const r of regions) {
      const img = r.w === width && r.h === height ? rgba : crop(rgba, width, r);
      const qr = jsQR(img, r.w, r.h, { inversionAttempts: 'dontInvert' });
      if (!qr) continue;
      codes.push(qr.data);
      const shift = (p: { x: number; y: number }) => ({ x: p.x + r.x, y: p.y + r.y });
      const l = qr.location;
      blankOut(rgba, width, height, { ...l, topLeftCorner: shift(l.topLeftCorner), topRightCorner: shift(l.topRightCorner), bottomLeftCorner: shift(l.bottomLeftCorner), bottomRightCorner: shift(l.bottomRightCorner) });
      found = true;
      break;
    }
  }
  return codes;
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
      // Opaque RGB on white (an alpha pixmap leaves unpainted paper as transparent black).
      const pix = page.toPixmap(mupdf.Matrix.scale(scale, scale), mupdf.ColorSpace.DeviceRGB, false, true);
      const width = pix.getWidth();
      const height = pix.getHeight();
      const rgba = toRgba(pix.getPixels(), width * height, pix.getNumberOfComponents());
      out.push({ page: i + 1, codes: scanCodes(rgba, width, height, options.maxCodesPerPage ?? 6), text });
      pix.destroy();
      page.destroy();
    }
  } finally {
    doc.destroy();
  }
  return out;
}
