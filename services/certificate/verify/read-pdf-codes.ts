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

interface Region {
  x: number;
  y: number;
  w: number;
  h: number;
}

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
    { x: 0, y: 0, w: hw, h: height },
    { x: hw, y: 0, w: width - hw, h: height },
    { x: 0, y: 0, w: width, h: hh },
    { x: 0, y: hh, w: width, h: height - hh },
    { x: 0, y: 0, w: hw, h: hh },
    { x: hw, y: 0, w: width - hw, h: hh },
    { x: 0, y: hh, w: hw, h: height - hh },
    { x: hw, y: hh, w: width - hw, h: height - hh },
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
      blankOut(rgba, width, height, {
        ...l,
        topLeftCorner: shift(l.topLeftCorner),
        topRightCorner: shift(l.topRightCorner),
        bottomLeftCorner: shift(l.bottomLeftCorner),
        bottomRightCorner: shift(l.bottomRightCorner),
      });
      found = true;
      break;
    }
  }
  return codes;
}

/**
 * Finds code-like areas cheaply: cells of 16 px whose dark share is that of QR modules (25–75 %),
 * joined into 4-connected blobs, kept when at least 15 mm wide and roughly square.
 */
function candidateRegions(rgba: Uint8ClampedArray, width: number, height: number, cell = 16): Region[] {
  const cw = Math.floor(width / cell);
  const ch = Math.floor(height / cell);
  const dense = new Uint8Array(cw * ch);
  for (let cy = 0; cy < ch; cy++) {
    for (let cx = 0; cx < cw; cx++) {
      let dark = 0;
      for (let y = cy * cell; y < (cy + 1) * cell; y += 2) {
        for (let x = cx * cell, i = (y * width + x) * 4; x < (cx + 1) * cell; x += 2, i += 8) if (rgba[i + 1]! < 128) dark++;
      }
      const share = dark / ((cell * cell) / 4);
      dense[cy * cw + cx] = share >= 0.25 && share <= 0.75 ? 1 : 0;
    }
  }
  const regions: Region[] = [];
  const seen = new Uint8Array(dense.length);
  const minCells = Math.ceil(((15 / 25.4) * (width / 8.27)) / cell);
  for (let start = 0; start < dense.length; start++) {
    if (!dense[start] || seen[start]) continue;
    let x0 = cw,
      y0 = ch,
      x1 = 0,
      y1 = 0;
    const stack = [start];
    seen[start] = 1;
    while (stack.length > 0) {
      const i = stack.pop()!;
      const x = i % cw;
      const y = Math.floor(i / cw);
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y);
      for (const j of [x > 0 ? i - 1 : -1, x < cw - 1 ? i + 1 : -1, i - cw, i + cw]) {
        if (j >= 0 && j < dense.length && dense[j] && !seen[j]) {
          seen[j] = 1;
          stack.push(j);
        }
      }
    }
    const w = x1 - x0 + 1;
    const h = y1 - y0 + 1;
    if (w < minCells || h < minCells || w > 1.6 * h || h > 1.6 * w) continue;
    const pad = 3;
    const rx = Math.max(0, (x0 - pad) * cell);
    const ry = Math.max(0, (y0 - pad) * cell);
    regions.push({ x: rx, y: ry, w: Math.min(width, (x1 + 1 + pad) * cell) - rx, h: Math.min(height, (y1 + 1 + pad) * cell) - ry });
  }
  return regions;
}

/**
 * Decodes the code-like areas; when there are some but none decodes (an unusual rendering), falls
 * back to the exhaustive scan. A page without code-like areas (a continuation page) has no codes.
 */
function findCodes(rgba: Uint8ClampedArray, width: number, height: number, max: number): string[] {
  const codes: string[] = [];
  const regions = candidateRegions(rgba, width, height);
  for (const r of regions) {
    const qr = jsQR(crop(rgba, width, r), r.w, r.h, { inversionAttempts: 'dontInvert' });
    if (qr && codes.length < max) codes.push(qr.data);
  }
  return codes.length > 0 || regions.length === 0 ? codes : scanCodes(rgba, width, height, max);
}

/**
 * Renders each page of a PDF with mupdf at `dpi` (modules of a 0.45 mm QR are ≥ 3 px at 200 dpi)
 * and decodes every QR code on it with jsQR: code-like areas first, else the whole page, blanking
 * each found code to look for the next.
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
      out.push({ page: i + 1, codes: findCodes(rgba, width, height, options.maxCodesPerPage ?? 6), text });
      pix.destroy();
      page.destroy();
    }
  } finally {
    doc.destroy();
  }
  return out;
}
