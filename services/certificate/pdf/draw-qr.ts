import type { QrMatrix } from '../qr/qr-matrix.js';

/** The drawing surface we need from pdfkit. */
export interface PathSurface {
  save(): this;
  restore(): this;
  rect(x: number, y: number, w: number, h: number): this;
  fill(color?: string): this;
}

/**
 * Draws a QR matrix as vector modules, one filled path: each run of dark modules in a row is one
 * rectangle. `size` is the symbol width without quiet zone, in points; callers leave ≥ 4 modules of
 * white around it.
 */
export function drawQr(doc: PathSurface, qr: QrMatrix, x: number, y: number, size: number): void {
  const m = size / qr.size;
  doc.save();
  for (let r = 0; r < qr.size; r++) {
    let c = 0;
    while (c < qr.size) {
      if (qr.dark[r * qr.size + c] !== 1) {
        c++;
        continue;
      }
      const start = c;
      while (c < qr.size && qr.dark[r * qr.size + c] === 1) c++;
      // A hair of overlap avoids white seams between adjacent rows in some renderers.
      doc.rect(x + start * m, y + r * m, (c - start) * m, m + 0.01);
    }
  }
  doc.fill('#000000');
  doc.restore();
}
